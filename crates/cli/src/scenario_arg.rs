//! Reading a scenario from what the user gave: a JSON file, a whole URL,
//! or a link fragment.

use sim::link;
use sim::zk::Scenario;
use std::path::Path;

/// A scenario from a file path, a URL with a `#v<N>.` fragment, or the
/// fragment itself.
pub fn load(arg: &str) -> Result<Scenario, String> {
    let looks_like_link = arg.contains('#') || (arg.starts_with('v') && arg.contains('.') && !Path::new(arg).exists());
    if looks_like_link {
        return link::decode(arg).map_err(|e| e.to_string());
    }
    let text = std::fs::read_to_string(arg).map_err(|e| format!("cannot read {arg}: {e}"))?;
    link::scenario_from_json(&text).map_err(|e| format!("{arg}: {e}"))
}
