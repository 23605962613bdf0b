//! The page's benchmark (`?bench`): measured in one run, in this browser —
//! the raw postMessage round trip to one worker, then a three-server
//! ensemble written to flat out for a few virtual seconds, first with every
//! server in its own worker and then all in this page. Numbers are shown,
//! never asserted; `node tests/browser/bench.mjs` drives it headless.

use actor::{Instant, NodeId};
use serde::Serialize;
use sim::zk::scenario::OpMix;
use sim::zk::{Scenario, Workload};
use sim::LinkSpec;

/// How many ping-pongs the raw round trip is measured over.
pub const PINGS: u64 = 5_000;

/// Virtual time each ensemble run covers, ms.
const RUN_MS: u64 = 2_000;

/// Three servers on loopback-like links, two clients keeping 50 writes each
/// in flight.
pub fn flat_out() -> Scenario {
    let mut s = Scenario::ensemble(7, 3, &["w1", "w2"], RUN_MS);
    s.name = "benchmark: three servers written to flat out".into();
    s.network.default = LinkSpec { latency_us: 200, jitter_us: 0, loss_ppm: 0, dup_ppm: 0 };
    for (i, c) in s.clients.iter_mut().enumerate() {
        c.workload = Some(Workload {
            start_ms: 500,
            rate_per_sec: 0,
            max_outstanding: 50,
            keys: 100,
            prefix: format!("/bench{i}"),
            mix: OpMix { create: 1, set: 20, get: 0, delete: 0, exists: 0, children: 0 },
            ..Workload::default()
        });
    }
    s
}

/// One measured run of the ensemble.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunFigures {
    pub wall_s: f64,
    pub virtual_s: f64,
    pub inputs: u64,
    pub inputs_per_s: f64,
    pub rounds: u64,
    pub rounds_per_s: f64,
    pub commits: u64,
    pub commits_per_s: f64,
    pub trace_hash: String,
}

/// Everything the benchmark measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Figures {
    pub round_trips_per_s: f64,
    pub workers: Option<RunFigures>,
    pub in_page: Option<RunFigures>,
    /// Whether worker mode handled at least half as many inputs per second
    /// as the raw round-trip rate.
    pub workers_at_least_half_raw: Option<bool>,
    /// Whether worker mode committed at least 1,800 writes per wall second
    /// (real ZooKeeper 3.8 on this machine's loopback).
    pub workers_commit_like_zookeeper: Option<bool>,
    pub user_agent: String,
}

/// Where the benchmark is.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Workers starting.
    Starting,
    /// Ping-pong with server 1's worker: how many answered, since when.
    Pinging {
        answered: u64,
        since: f64,
    },
    Workers {
        since: f64,
    },
    /// Waiting for the in-page run to be set up, then running it.
    InPage {
        since: Option<f64>,
    },
    Done,
}

pub struct BenchState {
    pub phase: Phase,
    pub figures: Figures,
}

impl BenchState {
    pub fn new() -> Self {
        BenchState { phase: Phase::Starting, figures: Figures::default() }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.figures).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// What a finished ensemble run measured.
pub fn figures(wall_ms: f64, world: &sim::World<zab::Zk>, commits: u64, end: Instant) -> RunFigures {
    let wall_s = (wall_ms / 1000.0).max(1e-9);
    RunFigures {
        wall_s,
        virtual_s: end.0 as f64 / 1e6,
        inputs: world.inputs(),
        inputs_per_s: world.inputs() as f64 / wall_s,
        rounds: world.rounds(),
        rounds_per_s: world.rounds() as f64 / wall_s,
        commits,
        commits_per_s: commits as f64 / wall_s,
        trace_hash: world.trace_hash(),
    }
}

/// The worker the round trip is measured with.
pub const PING_NODE: NodeId = NodeId(1);
