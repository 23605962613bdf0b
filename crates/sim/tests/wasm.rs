//! The core compiled to wasm, in headless Chromium, gives the answers it
//! gives natively: recorded traces replay exactly (run by `make test` as
//! `wasm-pack test --headless --chrome crates/sim`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! trace {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../../shared/conformance/traces/", $name, ".json")))
    };
}

const TRACES: &[(&str, &str)] = &[
    trace!("focus-multi"),
    trace!("focus-acl"),
    trace!("focus-watch-recursive"),
    trace!("focus-close-many-ephemerals"),
    trace!("focus-sequential"),
    trace!("random-0007"),
    trace!("random-0042"),
];

#[wasm_bindgen_test]
fn recorded_traces_replay_exactly_in_wasm() {
    for (name, text) in TRACES {
        let trace = sim::conformance::parse(text).expect("valid trace");
        let outcome = sim::conformance::check(&trace, 3);
        assert_eq!(outcome, Ok(None), "{name} differs in wasm");
    }
}

macro_rules! scenario {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../scenarios/", $name)))
    };
}

const SCENARIOS: &[(&str, &str)] = &[
    scenario!("bug-zookeeper-1154.json"),
    scenario!("crash-and-restart.json"),
    scenario!("ensemble-leader-crash.json"),
    scenario!("ensemble-minority-partition.json"),
    scenario!("four-letter-words.json"),
    scenario!("lossy-network.json"),
    scenario!("paused-server.json"),
    scenario!("power-loss.json"),
    scenario!("read-only-mode.json"),
    scenario!("session-expiry.json"),
    scenario!("stale-read-and-sync.json"),
    scenario!("standalone-watches.json"),
    scenario!("welcome.json"),
];

const GOLDEN: &str = include_str!("golden/scenario-hashes.json");

/// Compiled to wasm, every example scenario gives the trace hash the
/// native build pinned.
#[wasm_bindgen_test]
fn scenarios_give_the_native_trace_hashes_in_wasm() {
    let golden: std::collections::BTreeMap<String, String> = serde_json::from_str(GOLDEN).expect("golden json");
    assert_eq!(golden.len(), SCENARIOS.len(), "every example scenario is checked in wasm");
    for (name, text) in SCENARIOS {
        let s = sim::link::scenario_from_json(text).expect("valid scenario");
        let mut run = sim::zk::ScenarioRun::new(&s).expect("builds");
        run.run(&mut |_| {}).expect("runs");
        assert_eq!(Some(&run.world.trace_hash()), golden.get(*name), "{name}");
    }
}
