//! Conformance replay: run recorded ZooKeeper traces against our own
//! servers and compare every result and watch event.

mod compare;
pub mod format;
mod replay;

pub use format::{parse, TraceFile};
pub use replay::{ensemble_server_config, replay, replay_server_config, Replayer, StepOutcome};

use serde_json::Value;

/// The first step where a replay differs from its recording.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// 1-based step number.
    pub step: usize,
    pub client: String,
    pub op: String,
    pub what: String,
    pub expected: Value,
    pub got: Value,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {} ({} {}): {} differs: expected {} got {}",
            self.step, self.client, self.op, self.what, self.expected, self.got
        )
    }
}

/// Check a trace: `Ok(())` when every step matches, else the first
/// difference; `Err` with a message when the replay itself failed.
pub fn check(trace: &TraceFile, servers: usize) -> Result<Option<Mismatch>, String> {
    let outcomes = replay(trace, servers)?;
    let mut got: Vec<Value> = outcomes.iter().map(|o| o.result.clone()).collect();
    compare::normalize_zxids(&mut got);
    for (i, (step, (res, outcome))) in trace.steps.iter().zip(got.iter_mut().zip(&outcomes)).enumerate() {
        let mut expected = step.result.clone();
        compare::sort_acls(&mut expected);
        compare::sort_acls(res);
        let mismatch = |what: &str, expected: Value, got: Value| Mismatch {
            step: i + 1,
            client: step.client.clone(),
            op: step.op.name().to_string(),
            what: what.to_string(),
            expected,
            got,
        };
        if &expected != res {
            return Ok(Some(mismatch("result", expected, res.clone())));
        }
        let is_close = matches!(step.op, format::Op::Close {});
        let clients: std::collections::BTreeSet<&String> = step.events.keys().chain(outcome.events.keys()).collect();
        for c in clients {
            let want = step.events.get(c).cloned().unwrap_or_default();
            let have = outcome.events.get(c).cloned().unwrap_or_default();
            let (w, h) = if is_close { (compare::sorted(&want), compare::sorted(&have)) } else { (want, have) };
            if w != h {
                return Ok(Some(mismatch(&format!("events of {c}"), Value::from(w), Value::from(h))));
            }
        }
    }
    Ok(None)
}
