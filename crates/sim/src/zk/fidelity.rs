//! Timing fidelity: the setups of the timing table in
//! `shared/conformance/README.md` (a real three-server ZooKeeper 3.8 at the
//! sample zoo.cfg on loopback), run in the world, with the real figures
//! beside them. All times are virtual; nothing here reads a clock.

use super::runner::ScenarioRun;
use super::scenario::{client_node, OpMix, Scenario, TimedFault, Workload};
use crate::fault::Fault;
use crate::net::LinkSpec;
use crate::trace::{Entry, Record};
use actor::{Duration, Instant, NodeId};
use std::collections::BTreeSet;
use zab::{ClientEvent, ServerEvent, Zk, ZkEvent};

/// One row of the table: what was measured over the seeds, and what real
/// ZooKeeper showed.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub setup: &'static str,
    /// One value per seed that produced one.
    pub simulated: Vec<f64>,
    pub unit: &'static str,
    /// The real range, in the same unit.
    pub real: (f64, f64),
    /// Why the comparison is not like for like, if it is not.
    pub note: &'static str,
}

impl Row {
    pub fn min(&self) -> Option<f64> {
        self.simulated.iter().copied().reduce(f64::min)
    }

    pub fn max(&self) -> Option<f64> {
        self.simulated.iter().copied().reduce(f64::max)
    }

    /// Whether every simulated value is within a factor of two of the real
    /// range.
    pub fn within_factor_two(&self) -> bool {
        !self.simulated.is_empty() && self.simulated.iter().all(|v| *v >= self.real.0 / 2.0 && *v <= self.real.1 * 2.0)
    }
}

/// When the leader is killed or frozen in the failover setups.
const FAULT_AT_MS: u64 = 5_000;

/// Three servers at the sample zoo.cfg on a loopback-like network (0.2 ms
/// with a little jitter, so seeds differ), 1 ms disk syncs.
fn base(seed: u64, end_ms: u64) -> Scenario {
    let mut s = Scenario::ensemble(seed, 3, &[], end_ms);
    s.network.default = LinkSpec { latency_us: 200, jitter_us: 100, ..LinkSpec::default() };
    s
}

fn run(s: &Scenario) -> Result<Vec<Entry<Zk>>, String> {
    let mut run = ScenarioRun::new(s)?;
    let mut entries = Vec::new();
    run.run(&mut |e| entries.push(e.clone())).map_err(|e| e.to_string())?;
    if !run.checker.ok() {
        return Err(format!("invariants broken in a fidelity run:\n{}", run.report()));
    }
    Ok(entries)
}

fn secs(d: Duration) -> f64 {
    d.as_micros() as f64 / 1e6
}

/// When, at or after `from`, the servers `which` are all serving with one
/// leader among them (what `srvr` polling in measure.py waits for).
fn all_serving(entries: &[Entry<Zk>], which: &[NodeId], from: Instant) -> Option<Instant> {
    let mut serving = BTreeSet::new();
    let mut leader = None;
    for e in entries {
        let Record::Emit { node, event: ZkEvent::Server(ev) } = &e.what else { continue };
        if !which.contains(node) {
            continue;
        }
        match ev {
            ServerEvent::Established { .. } => {
                leader = Some(*node);
                serving.insert(*node);
            }
            ServerEvent::Serving { .. } => {
                serving.insert(*node);
            }
            ServerEvent::ShutDown { .. } | ServerEvent::Booted { .. } => {
                serving.remove(node);
                if leader == Some(*node) {
                    leader = None;
                }
            }
            _ => {}
        }
        if e.at >= from && leader.is_some() && serving.len() == which.len() {
            return Some(e.at);
        }
    }
    None
}

/// Launch of three servers → all serving.
fn startup(seed: u64) -> Result<Option<f64>, String> {
    let entries = run(&base(seed, 5_000))?;
    let all: Vec<NodeId> = (1..=3).map(NodeId).collect();
    Ok(all_serving(&entries, &all, Instant::ZERO).map(|t| secs(t.saturating_since(Instant::ZERO))))
}

/// The leader (server 3, the highest sid) is crashed or paused at 5 s; a
/// client on the other two writes as fast as it can. Returns (new leader
/// serving, first write served), both after the fault.
fn failover(seed: u64, fault: Fault, end_ms: u64) -> Result<(Option<f64>, Option<f64>), String> {
    let mut s = base(seed, end_ms);
    s.clients = Scenario::ensemble(seed, 3, &["probe"], end_ms).clients;
    s.clients[0].connect = vec![1, 2];
    s.clients[0].workload = Some(Workload {
        start_ms: 1_000,
        rate_per_sec: 0,
        max_outstanding: 1,
        keys: 1,
        prefix: "/failover-probe".into(),
        mix: OpMix { create: 1, set: 0, get: 0, delete: 1, exists: 0, children: 0 },
        ..Workload::default()
    });
    s.faults.push(TimedFault { at_ms: FAULT_AT_MS, fault });
    let entries = run(&s)?;
    let t0 = Instant::ZERO + Duration::from_millis(FAULT_AT_MS);
    let survivors = [NodeId(1), NodeId(2)];
    let serving = all_serving(&entries, &survivors, t0 + Duration::from_micros(1));
    let probe = client_node(0);
    let mut writes = BTreeSet::new();
    let mut first_write = None;
    for e in &entries {
        let Record::Emit { node, event: ZkEvent::Client(ev) } = &e.what else { continue };
        if *node != probe {
            continue;
        }
        match ev {
            ClientEvent::Invoked { tag, req } if req.is_write() => {
                writes.insert(*tag);
            }
            // Served by the new leader, not one in flight before the fault.
            ClientEvent::Result { tag, result: Ok(_), .. }
                if writes.remove(tag) && e.at > t0 && serving.is_some_and(|s| e.at >= s) =>
            {
                first_write = Some(e.at);
                break;
            }
            _ => {}
        }
    }
    let since = |t: Instant| secs(t.saturating_since(t0));
    Ok((serving.map(since), first_write.map(since)))
}

/// One client on a follower for 5 s: completed operations per second of
/// virtual time and the median latency in ms.
fn throughput(seed: u64, mix: OpMix, in_flight: u32) -> Result<(f64, f64), String> {
    let mut s = base(seed, 6_000);
    s.clients = Scenario::ensemble(seed, 3, &["bench"], 6_000).clients;
    s.clients[0].connect = vec![1];
    s.clients[0].workload = Some(Workload {
        start_ms: 1_000,
        rate_per_sec: 0,
        max_outstanding: in_flight,
        keys: 1,
        prefix: "/bench".into(),
        mix,
        ..Workload::default()
    });
    let mut run = ScenarioRun::new(&s)?;
    run.run(&mut |_| {}).map_err(|e| e.to_string())?;
    let c = run.summary.clients.values().next().ok_or("no client")?;
    let done = c.ok + c.errors.values().sum::<u64>();
    let median = c.percentile(50).map_or(0.0, |us| us as f64 / 1000.0);
    Ok((done as f64 / 5.0, median))
}

/// Every row, over `seeds`.
pub fn measure(seeds: std::ops::RangeInclusive<u64>) -> Result<Vec<Row>, String> {
    let mut rows = vec![
        Row {
            setup: "launch of three servers → all serving",
            simulated: vec![],
            unit: "s",
            real: (2.2, 3.2),
            note: "the real figure is mostly three JVMs starting; the election itself is a fraction of a second",
        },
        Row {
            setup: "leader killed (SIGKILL) → new leader serving",
            simulated: vec![],
            unit: "s",
            real: (0.36, 0.79),
            note: "",
        },
        Row {
            setup: "leader killed → first write served",
            simulated: vec![],
            unit: "s",
            real: (0.38, 0.85),
            note: "real: 0.02–0.06 s after the new leader serves",
        },
        Row {
            setup: "leader frozen (SIGSTOP) → new leader serving",
            simulated: vec![],
            unit: "s",
            real: (10.4, 10.4),
            note: "",
        },
        Row {
            setup: "one client, synchronous set",
            simulated: vec![],
            unit: "writes/s",
            real: (380.0, 560.0),
            note: "",
        },
        Row {
            setup: "one client, synchronous set, median latency",
            simulated: vec![],
            unit: "ms",
            real: (1.4, 1.8),
            note: "",
        },
        Row {
            setup: "one client, 100 writes in flight",
            simulated: vec![],
            unit: "writes/s",
            real: (1300.0, 1800.0),
            note: "the world's disk syncs one batch at a time and has no CPU cost per request",
        },
        Row {
            setup: "one client, synchronous get",
            simulated: vec![],
            unit: "reads/s",
            real: (2200.0, 2500.0),
            note: "",
        },
        Row {
            setup: "one client, synchronous get, median latency",
            simulated: vec![],
            unit: "ms",
            real: (0.35, 0.41),
            note: "",
        },
    ];
    let set = OpMix { create: 1, set: 1000, get: 0, delete: 0, exists: 0, children: 0 };
    let get = OpMix { create: 1, set: 0, get: 1000, delete: 0, exists: 0, children: 0 };
    for seed in seeds {
        rows[0].simulated.extend(startup(seed)?);
        let (leader, write) = failover(seed, Fault::Crash { node: NodeId(3) }, 15_000)?;
        rows[1].simulated.extend(leader);
        rows[2].simulated.extend(write);
        let (leader, _) = failover(seed, Fault::Pause { node: NodeId(3) }, 25_000)?;
        rows[3].simulated.extend(leader);
        let (ops, median) = throughput(seed, set, 1)?;
        rows[4].simulated.push(ops);
        rows[5].simulated.push(median);
        rows[6].simulated.push(throughput(seed, set, 100)?.0);
        let (ops, median) = throughput(seed, get, 1)?;
        rows[7].simulated.push(ops);
        rows[8].simulated.push(median);
    }
    Ok(rows)
}
