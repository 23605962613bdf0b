//! `zooscope cfg import FILE` and `zooscope cfg export SCENARIO`: zoo.cfg
//! in and out (the reading and writing live in `sim::zk::zoocfg`).

use crate::scenario_arg;
use sim::zk::zoocfg;
use std::io::Read;
use std::path::{Path, PathBuf};

pub struct ImportOptions {
    /// A zoo.cfg path, or `-` for standard input.
    pub file: String,
    pub myid: Option<u32>,
    pub out: Option<PathBuf>,
}

/// The file's bytes as `Properties.load(InputStream)` reads them:
/// ISO 8859-1, so any byte sequence is text.
fn read_latin1(file: &str) -> Result<String, String> {
    let bytes = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
        buf
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?
    };
    Ok(bytes.iter().map(|&b| char::from(b)).collect())
}

/// Print (or write) the scenario a zoo.cfg describes; notes go to stderr.
pub fn import(opts: &ImportOptions) -> Result<(), String> {
    let text = read_latin1(&opts.file)?;
    let name = match opts.file.as_str() {
        "-" => None,
        f => Path::new(f).file_name().and_then(|n| n.to_str()),
    };
    let shown = if opts.file == "-" { "standard input" } else { opts.file.as_str() };
    let imported = zoocfg::import_named(&text, opts.myid, name).map_err(|e| format!("{shown}: {e}"))?;
    for note in imported.ignored.iter().chain(&imported.warnings) {
        eprintln!("note: {}: {}", note.key, note.why);
    }
    let json = serde_json::to_string_pretty(&imported.scenario).map_err(|e| e.to_string())?;
    match &opts.out {
        Some(path) => {
            std::fs::write(path, format!("{json}\n")).map_err(|e| format!("cannot write {}: {e}", path.display()))?
        }
        None => println!("{json}"),
    }
    Ok(())
}

/// Print a scenario's servers and settings as zoo.cfg.
pub fn export(scenario: &str) -> Result<(), String> {
    let s = scenario_arg::load(scenario)?;
    print!("{}", zoocfg::export(&s));
    Ok(())
}
