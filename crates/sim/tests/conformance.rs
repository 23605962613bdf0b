//! Every shared trace replays exactly against a three-server ensemble, as
//! it was recorded, and against a standalone server.

use std::path::PathBuf;
use std::time::Instant;

fn traces_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/traces")
}

fn trace_files() -> Vec<PathBuf> {
    let dir = traces_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 72, "expected the 72 shared traces, found {}", files.len());
    files
}

/// Replay every shared trace on `servers` servers; every one must match.
fn replay_all(servers: usize) {
    let files = trace_files();
    let started = Instant::now();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable trace");
        let trace = sim::conformance::parse(&text).expect("valid trace");
        match sim::conformance::check(&trace, servers) {
            Ok(None) => {}
            Ok(Some(m)) => failures.push(format!("{}: {m}", trace.name)),
            Err(e) => failures.push(format!("{}: {e}", trace.name)),
        }
    }
    eprintln!("{} traces on {servers} server(s) in {:.2?}", files.len(), started.elapsed());
    assert!(failures.is_empty(), "{} of {} traces differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn shared_traces_replay_exactly_on_an_ensemble() {
    replay_all(3);
}

#[test]
fn shared_traces_replay_exactly_on_a_standalone_server() {
    replay_all(1);
}

/// The ensemble replay really runs on three servers: each client talks to
/// the server its trace names, and a session carries the id of the server
/// that created it in its top byte.
#[test]
fn clients_connect_to_the_servers_their_trace_names() {
    let text = std::fs::read_to_string(traces_dir().join("focus-cross-server.json")).expect("trace");
    let trace = sim::conformance::parse(&text).expect("valid trace");
    let mut r = sim::conformance::Replayer::ensemble(3).expect("an ensemble forms");
    for step in trace.steps.iter().take(3) {
        r.step(step).expect("connects");
    }
    let by_name: std::collections::BTreeMap<&str, u64> =
        r.sessions().iter().map(|(id, n)| (n.as_str(), id >> 56)).collect();
    assert_eq!(by_name, [("a#1", 1), ("b#1", 2), ("c#1", 3)].into_iter().collect());
}

/// The comparison is not vacuous: a recording changed in any compared
/// place is reported at that step, on an ensemble and standalone.
#[test]
fn a_changed_recording_is_caught() {
    for servers in [3, 1] {
        changed_recording_is_caught(servers);
    }
}

fn changed_recording_is_caught(servers: usize) {
    let text = std::fs::read_to_string(traces_dir().join("focus-watch-oneshot.json")).expect("trace");
    let trace = sim::conformance::parse(&text).expect("valid trace");
    let with_events = trace.steps.iter().position(|s| !s.events.is_empty()).expect("a step with events");

    let mut bad_result = trace.clone();
    bad_result.steps[1].result = serde_json::json!({"error": "NONODE"});
    let m = sim::conformance::check(&bad_result, servers).expect("replays").expect("mismatch");
    assert_eq!((m.step, m.what.as_str()), (2, "result"));

    let mut bad_events = trace.clone();
    bad_events.steps[with_events].events.clear();
    let m = sim::conformance::check(&bad_events, servers).expect("replays").expect("mismatch");
    assert_eq!(m.step, with_events + 1);
    assert!(m.what.starts_with("events of"), "{}", m.what);

    let mut bad_stat = trace.clone();
    let s = bad_stat.steps.iter_mut().find(|s| s.result.to_string().contains("\"version\"")).expect("a stat");
    let text = s.result.to_string().replacen("\"version\":", "\"version\":9", 1);
    s.result = serde_json::from_str(&text).expect("json");
    assert!(sim::conformance::check(&bad_stat, servers).expect("replays").is_some());
}
