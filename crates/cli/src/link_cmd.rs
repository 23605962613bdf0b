//! `zooscope link encode FILE` and `zooscope link decode LINK`.

use crate::scenario_arg;
use sim::link;

/// Print the scenario's link; its last line is the link itself.
pub fn encode(file: &str, base: Option<&str>) -> Result<(), String> {
    let s = scenario_arg::load(file)?;
    let fragment = link::encode(&s);
    println!("{} characters", fragment.len());
    match base {
        Some(b) => println!("{}", link::url(b, &s)),
        None => println!("{fragment}"),
    }
    Ok(())
}

/// Print the scenario a link holds, as JSON.
pub fn decode(text: &str) -> Result<(), String> {
    let s = link::decode(text).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}
