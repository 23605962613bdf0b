//! The scenario validator under random input: any JSON a link could carry
//! is refused with a message or runs within a bounded budget; nothing
//! panics. (`cargo fuzz` needs a nightly toolchain, which this project's
//! machines do not have; proptest does the fuzzing here.)
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "format": 1, "seed": 1, "servers": [{"id": 1}],
        "network": {"default": {"latency_us": 200, "jitter_us": 0, "loss_ppm": 0, "dup_ppm": 0}},
        "clients": [{"name": "a", "commands": [{"at_ms": 10, "line": "create /x y"}],
                     "workload": {"rate_per_sec": 50, "keys": 5}}],
        "faults": [{"at_ms": 20, "fault": {"kind": "crash", "node": 1}}],
        "end_ms": 200
    })
}

/// Values a field might be replaced with.
fn junk() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(null)),
        Just(json!([])),
        Just(json!({})),
        "\\PC{0,20}".prop_map(Value::from),
        Just(json!({"kind": "partition", "groups": [[1], [101, 999]]})),
        Just(json!({"kind": "set_link", "from": 1, "to": 101, "spec": {"latency_us": 5, "loss_ppm": 2000000}})),
    ]
}

/// Paths to the fields that get replaced.
const FIELDS: &[&[&str]] = &[
    &["format"],
    &["seed"],
    &["end_ms"],
    &["servers"],
    &["network", "default", "latency_us"],
    &["network", "default", "loss_ppm"],
    &["clients"],
    &["faults"],
    &["disk_sync_us"],
    &["jump_to_ms"],
    &["config"],
];

fn set(v: &mut Value, path: &[&str], x: Value) {
    let mut cur = v;
    for (i, k) in path.iter().enumerate() {
        if i + 1 == path.len() {
            if let Value::Object(m) = cur {
                m.insert(k.to_string(), x);
            }
            return;
        }
        match cur.get_mut(*k) {
            Some(next) => cur = next,
            None => return,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_are_refused_or_run_boundedly(edits in prop::collection::vec((0..FIELDS.len(), junk()), 1..4)) {
        let mut v = base();
        for (f, x) in edits {
            set(&mut v, FIELDS[f], x);
        }
        let text = v.to_string();
        if let Ok(s) = sim::link::scenario_from_json(&text) {
            // Valid: it must also survive a link round trip and a run.
            prop_assert_eq!(sim::link::decode(&sim::link::encode(&s)), Ok(s.clone()));
            let mut short = s.clone();
            short.end_ms = short.end_ms.min(2_000);
            short.faults.retain(|f| f.at_ms <= short.end_ms);
            for c in &mut short.clients {
                c.commands.retain(|cmd| cmd.at_ms <= 2_000);
            }
            if let Ok(mut run) = sim::zk::ScenarioRun::new(&short) {
                run.world.set_step_budget(200_000);
                let _ = run.run(&mut |_| {});
            }
        }
    }

    /// Raw text in a link's place.
    #[test]
    fn random_text_is_never_a_crash(s in "\\PC{0,200}") {
        let _ = sim::link::scenario_from_json(&s);
    }
}
