//! `zooscope conformance DIR [--servers N]`.

use sim::conformance::{check, parse};
use std::path::Path;
use std::process::ExitCode;

/// Replay every trace in `dir` on `servers` servers (an ensemble, or a
/// standalone server for 1); print one line per failing trace and end with
/// `N passed, M failed`.
pub fn run(dir: &Path, servers: usize) -> Result<ExitCode, String> {
    if !(1..=9).contains(&servers) {
        return Err("--servers must be 1 to 9".into());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.json traces in {}", dir.display()));
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for f in &files {
        let name = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let outcome = std::fs::read_to_string(f)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|text| parse(&text))
            .and_then(|trace| check(&trace, servers));
        match outcome {
            Ok(None) => passed += 1,
            Ok(Some(mismatch)) => {
                failed += 1;
                println!("FAIL {name}: {mismatch}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
