//! Every shared trace replays exactly against a standalone server.

use std::path::PathBuf;

fn traces_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/traces")
}

#[test]
fn shared_traces_replay_exactly() {
    let dir = traces_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 72, "expected the 72 shared traces, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable trace");
        let trace = sim::conformance::parse(&text).expect("valid trace");
        match sim::conformance::check(&trace, 1) {
            Ok(None) => {}
            Ok(Some(m)) => failures.push(format!("{}: {m}", trace.name)),
            Err(e) => failures.push(format!("{}: {e}", trace.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} traces differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// The comparison is not vacuous: a recording changed in any compared
/// place is reported at that step.
#[test]
fn a_changed_recording_is_caught() {
    let text = std::fs::read_to_string(traces_dir().join("focus-watch-oneshot.json")).expect("trace");
    let trace = sim::conformance::parse(&text).expect("valid trace");
    let with_events = trace.steps.iter().position(|s| !s.events.is_empty()).expect("a step with events");

    let mut bad_result = trace.clone();
    bad_result.steps[1].result = serde_json::json!({"error": "NONODE"});
    let m = sim::conformance::check(&bad_result, 1).expect("replays").expect("mismatch");
    assert_eq!((m.step, m.what.as_str()), (2, "result"));

    let mut bad_events = trace.clone();
    bad_events.steps[with_events].events.clear();
    let m = sim::conformance::check(&bad_events, 1).expect("replays").expect("mismatch");
    assert_eq!(m.step, with_events + 1);
    assert!(m.what.starts_with("events of"), "{}", m.what);

    let mut bad_stat = trace.clone();
    let s = bad_stat.steps.iter_mut().find(|s| s.result.to_string().contains("\"version\"")).expect("a stat");
    let text = s.result.to_string().replacen("\"version\":", "\"version\":9", 1);
    s.result = serde_json::from_str(&text).expect("json");
    assert!(sim::conformance::check(&bad_stat, 1).expect("replays").is_some());
}
