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
        let outcome = sim::conformance::check(&trace, 1);
        assert_eq!(outcome, Ok(None), "{name} differs in wasm");
    }
}
