//! Fault campaigns, as TigerBeetle's simulator runs them: for each seed a
//! scenario is drawn — an ensemble, clients with workloads, and random
//! faults — and run in two phases. In the safety phase faults strike and
//! every invariant must hold; then everything is healed and in the liveness
//! phase the ensemble must elect a leader, every server must catch up, and
//! every client's pending request must finish.
//!
//! The scenario of a seed is plain data, so a failure prints a link that
//! replays it exactly.

use super::check::Violation;
use super::consistency;
use super::runner::ScenarioRun;
use super::scenario::{ClientSpec, OpMix, Scenario, ServerSpec, TimedFault, Workload};
use crate::fault::Fault;
use crate::net::LinkSpec;
use crate::rng::{Stream, WorldRng};
use actor::{Instant, NodeId};
use zab::quorum::packet::ServerState;
use zab::quorum::Bugs;

/// What a campaign draws its scenarios from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignConfig {
    /// Servers per ensemble (`None`: 3 or 5, by seed).
    pub servers: Option<u32>,
    pub clients: u32,
    /// How long faults strike, ms.
    pub safety_ms: u64,
    /// How long the healed ensemble has to recover, ms.
    pub liveness_ms: u64,
    /// Faults drawn in the safety phase (each with its undoing), at most.
    pub max_faults: u32,
    /// Bugs switched on.
    pub bugs: Bugs,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        CampaignConfig {
            servers: None,
            clients: 3,
            safety_ms: 40_000,
            liveness_ms: 60_000,
            max_faults: 12,
            bugs: Bugs::default(),
        }
    }
}

fn pick<T: Copy>(rng: &mut WorldRng, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize]
}

fn between(rng: &mut WorldRng, lo: u64, hi: u64) -> u64 {
    lo + rng.below(hi - lo + 1)
}

/// The scenario a seed stands for.
pub fn scenario_for(seed: u64, cfg: &CampaignConfig) -> Scenario {
    let mut rng = WorldRng::stream(seed, Stream::Campaign);
    let n = cfg.servers.unwrap_or(if seed.is_multiple_of(2) { 5 } else { 3 }).clamp(1, 9);
    let end = cfg.safety_ms + cfg.liveness_ms;
    let mut s = Scenario::ensemble(seed, n, &[], end);
    s.name = format!("campaign seed {seed}");
    s.description = format!(
        "A fault campaign's seed {seed}: faults for {} s, then {} s to heal; every invariant must hold.",
        cfg.safety_ms / 1000,
        cfg.liveness_ms / 1000
    );
    s.servers = (1..=n).map(|id| ServerSpec { id, observer: false }).collect();
    s.config.bugs = cfg.bugs.clone();
    for i in 0..cfg.clients {
        let rate = between(&mut rng, 10, 60) as u32;
        s.clients.push(ClientSpec {
            name: format!("c{}", i + 1),
            connect: vec![],
            session_timeout_ms: pick(&mut rng, &[6_000, 10_000, 30_000]),
            can_be_read_only: false,
            commands: vec![],
            workload: Some(Workload {
                start_ms: between(&mut rng, 500, 3_000),
                stop_ms: Some(cfg.safety_ms),
                rate_per_sec: rate,
                mix: OpMix { create: 3, set: 6, get: 3, delete: 2, exists: 1, children: 1 },
                keys: 16,
                prefix: format!("/c{}", i + 1),
                value_bytes: 16,
                max_outstanding: 8,
                // The second client syncs before each read, so the
                // consistency checker holds sync-then-read under faults.
                sync_before_reads: i == 1,
            }),
        });
    }
    let servers: Vec<NodeId> = s.server_ids();
    let everyone: Vec<NodeId> = s.node_ids();
    let faults = between(&mut rng, 2, u64::from(cfg.max_faults.max(2)));
    let window = cfg.safety_ms.saturating_sub(2_000).max(1_000);
    for _ in 0..faults {
        let at = between(&mut rng, 1_000, window);
        let last = cfg.safety_ms.saturating_sub(1);
        let until = (at + between(&mut rng, 500, 15_000)).min(last);
        let node = pick(&mut rng, &servers);
        let mut add = |at: u64, fault: Fault| s.faults.push(TimedFault { at_ms: at, fault });
        match rng.below(100) {
            0..=19 => {
                add(at, Fault::Crash { node });
                add(until, Fault::Restart { node });
            }
            20..=34 => {
                let lose = rng.below(2) == 0;
                add(at, Fault::PowerOff { node, lose_unsynced: lose });
                add(until, Fault::Restart { node });
            }
            35..=44 => {
                add(at, Fault::Pause { node });
                add(until, Fault::Resume { node });
            }
            45..=64 => {
                // Two sides; each node on a side at random, clients too.
                let mut a = Vec::new();
                let mut b = Vec::new();
                for id in &everyone {
                    if rng.below(2) == 0 {
                        a.push(*id);
                    } else {
                        b.push(*id);
                    }
                }
                add(at, Fault::Partition { groups: vec![a, b] });
                add(until, Fault::Heal);
            }
            65..=74 => {
                let to = pick(&mut rng, &servers);
                if to != node {
                    let both = rng.below(2) == 0;
                    add(at, Fault::Cut { from: node, to, both });
                    add(until, Fault::Restore { from: node, to, both });
                }
            }
            75..=84 => {
                let spec = LinkSpec {
                    latency_us: between(&mut rng, 200, 50_000),
                    jitter_us: between(&mut rng, 0, 20_000),
                    loss_ppm: between(&mut rng, 0, 300_000) as u32,
                    dup_ppm: 0,
                };
                add(at, Fault::SetLink { from: Some(node), to: Some(pick(&mut rng, &everyone)), spec });
            }
            85..=92 => {
                let ppm = between(&mut rng, 0, 400_000) as i32 - 200_000;
                add(at, Fault::Drift { node, ppm });
            }
            _ => {
                add(at, Fault::DiskLatency { node, latency_us: between(&mut rng, 1_000, 2_000_000) });
                add(until, Fault::DiskLatency { node, latency_us: s.disk_sync_us });
            }
        }
    }
    // The end of the safety phase: undo everything.
    let heal_at = cfg.safety_ms;
    let mut heal = vec![Fault::Heal, Fault::SetLink { from: None, to: None, spec: s.network.default }];
    for id in &servers {
        heal.push(Fault::Resume { node: *id });
        heal.push(Fault::Restart { node: *id });
        heal.push(Fault::Drift { node: *id, ppm: 0 });
        heal.push(Fault::DiskLatency { node: *id, latency_us: s.disk_sync_us });
    }
    s.faults.extend(heal.into_iter().map(|fault| TimedFault { at_ms: heal_at, fault }));
    s.faults.sort_by_key(|f| f.at_ms);
    s
}

/// How one seed went.
#[derive(Clone, Debug)]
pub struct SeedOutcome {
    pub seed: u64,
    pub servers: usize,
    /// Faults the safety phase injected (undoings not counted).
    pub faults: usize,
    pub violations: Vec<Violation>,
    /// Client guarantees broken (the consistency checker's first reports).
    pub consistency: Vec<consistency::Violation>,
    /// Client operations the consistency checker classified.
    pub checked_ops: u64,
    /// What the liveness phase found missing.
    pub liveness: Vec<String>,
    pub ops: u64,
    pub commits: u64,
    pub acked_writes: u64,
    pub assertions: u64,
    pub epochs: u64,
    /// The scenario, to replay a failure.
    pub scenario: Scenario,
    /// The checker's report, for a failure.
    pub report: String,
}

impl SeedOutcome {
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && self.consistency.is_empty() && self.liveness.is_empty()
    }

    /// The first thing that went wrong.
    pub fn first_failure(&self) -> Option<String> {
        self.violations
            .first()
            .map(|v| v.to_string())
            .or_else(|| self.consistency.first().map(|v| format!("consistency: {v}")))
            .or_else(|| self.liveness.first().map(|l| format!("liveness: {l}")))
    }
}

/// Faults that strike (as opposed to the ones that undo them).
fn is_strike(f: &Fault) -> bool {
    matches!(
        f,
        Fault::Crash { .. }
            | Fault::PowerOff { .. }
            | Fault::Pause { .. }
            | Fault::Partition { .. }
            | Fault::Cut { .. }
            | Fault::SetLink { from: Some(_), .. }
            | Fault::Drift { ppm: 1.., .. }
            | Fault::Drift { ppm: ..=-1, .. }
    ) || matches!(f, Fault::DiskLatency { latency_us, .. } if *latency_us > 1_000)
}

/// Run one seed's scenario through both phases.
pub fn run_seed(seed: u64, cfg: &CampaignConfig) -> SeedOutcome {
    let scenario = scenario_for(seed, cfg);
    run_scenario(seed, &scenario, cfg.safety_ms)
}

/// Run a campaign scenario (also one read back from a link).
pub fn run_scenario(seed: u64, scenario: &Scenario, safety_ms: u64) -> SeedOutcome {
    let faults = scenario.faults.iter().filter(|f| f.at_ms < safety_ms && is_strike(&f.fault)).count();
    let mut out = SeedOutcome {
        seed,
        servers: scenario.servers.len(),
        faults,
        violations: vec![],
        consistency: vec![],
        checked_ops: 0,
        liveness: vec![],
        ops: 0,
        commits: 0,
        acked_writes: 0,
        assertions: 0,
        epochs: 0,
        scenario: scenario.clone(),
        report: String::new(),
    };
    let mut run = match ScenarioRun::new(scenario) {
        Ok(r) => r,
        Err(e) => {
            out.liveness.push(format!("the scenario does not run: {e}"));
            return out;
        }
    };
    if let Err(e) = run.run(&mut |_| {}) {
        out.liveness.push(format!("the run stopped: {e}"));
    }
    let end = run.end();
    run.checker.check_up_servers_hold_committed(end);
    out.liveness.extend(liveness(&run, end));
    let c = &run.checker;
    out.violations = c.violations().to_vec();
    out.ops = c.counts.ops;
    out.commits = c.counts.commits;
    out.acked_writes = c.counts.acked_writes;
    out.assertions = c.counts.assertions;
    out.epochs = c.counts.epochs;
    let r = run.consistency.report();
    out.consistency = r.violations.clone();
    out.checked_ops = r.ops;
    if !out.passed() {
        out.report = run.report();
    }
    out
}

/// What the end of the liveness phase must show: one leader, everyone
/// else following it with the same history, no client left waiting.
fn liveness(run: &ScenarioRun, end: Instant) -> Vec<String> {
    let mut missing = Vec::new();
    let up = run.checker.up_servers();
    if up.len() != run.scenario.servers.len() {
        missing.push(format!("only {} of {} servers are up", up.len(), run.scenario.servers.len()));
    }
    let leaders = up.iter().filter(|s| s.state == Some(ServerState::Leading)).count();
    if leaders != 1 {
        missing.push(format!("{leaders} servers are LEADING at the end"));
    }
    for s in &up {
        if !matches!(s.state, Some(ServerState::Leading | ServerState::Following | ServerState::Observing)) {
            let state = s.state.map_or("down", |st| st.name());
            missing.push(format!("server {} is {state} at the end", s.node));
        }
    }
    if let Some(first) = up.first() {
        for s in &up[1..] {
            // A new leader's tree stands at (epoch, 0) without a txn of
            // that epoch, so histories are compared, not zxids.
            if s.history != first.history {
                missing.push(format!(
                    "server {} ended with another history than server {} (last applied 0x{:x} and 0x{:x})",
                    s.node, first.node, s.applied, first.applied
                ));
            }
        }
    }
    let pending = run.checker.pending_ops();
    if let Some((client, since)) = pending.first() {
        missing.push(format!(
            "{} client operation(s) never finished (client {client}'s since {:.3} s, run ended at {:.3} s)",
            pending.len(),
            since.0 as f64 / 1e6,
            end.0 as f64 / 1e6
        ));
    }
    missing
}

/// A seed's outcome as the lines the CLI prints.
pub fn describe(o: &SeedOutcome) -> String {
    if o.passed() {
        return format!(
            "seed {}: ok ({} servers, {} faults, {} ops, {} commits, {} epochs)",
            o.seed, o.servers, o.faults, o.ops, o.commits, o.epochs
        );
    }
    let mut s = format!(
        "seed {}: FAILED ({} servers, {} faults): {}\n",
        o.seed,
        o.servers,
        o.faults,
        o.first_failure().unwrap_or_default()
    );
    for v in o.violations.iter().take(10) {
        s.push_str(&format!("  {v}\n"));
    }
    for v in o.consistency.iter().take(10) {
        s.push_str(&format!("  consistency: {v}\n"));
    }
    for l in &o.liveness {
        s.push_str(&format!("  liveness: {l}\n"));
    }
    s.push_str(&format!("  reproduce: zooscope run '{}'", crate::link::encode(&o.scenario)));
    s
}
