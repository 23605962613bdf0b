//! Running a scenario: build the world it describes, schedule its faults
//! and console commands, run it, and fold the trace into a summary. The
//! CLI and the page both run scenarios through this.

use super::check::Checker;
use super::client_node::ScenarioClient;
use super::consistency::ConsistencyChecker;
use super::scenario::{client_node, Scenario};
use super::summary::Summary;
use crate::rng::{Stream, WorldRng};
use crate::trace::Entry;
pub use crate::world::Progress;
use crate::world::{World, WorldError};
use actor::{Duration, Instant, NodeId};
use zab::{ClientConfig, StandaloneServer, Zk, ZkCall};

/// Where the servers run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hosting {
    /// Every node in this process.
    InProcess,
    /// Servers elsewhere (Web Workers): their inputs leave through the
    /// world's outbox.
    RemoteServers,
}

/// The node a scenario's server runs: standalone when it is alone (as
/// `standaloneEnabled` has it), else an ensemble member.
pub fn server_node(s: &Scenario, id: NodeId) -> Box<dyn actor::Node<P = Zk>> {
    if s.servers.len() == 1 {
        Box::new(StandaloneServer::new(id, s.config.clone()))
    } else {
        Box::new(zab::quorum::QuorumPeer::new(id, s.config.clone(), s.members()))
    }
}

/// The default step budget: far above any sane scenario's needs.
pub const DEFAULT_STEP_BUDGET: u64 = 500_000_000;

/// A scenario being run.
pub struct ScenarioRun {
    pub scenario: Scenario,
    pub world: World<Zk>,
    pub summary: Summary,
    /// The invariants, checked on every entry of the trace.
    pub checker: Checker,
    /// The client guarantees, checked on the same entries.
    pub consistency: ConsistencyChecker,
    end: Instant,
}

impl ScenarioRun {
    /// Build the world a scenario describes, everything in-process.
    pub fn new(s: &Scenario) -> Result<Self, String> {
        Self::with_hosting(s, Hosting::InProcess)
    }

    pub fn with_hosting(s: &Scenario, hosting: Hosting) -> Result<Self, String> {
        s.validate()?;
        let mut world = World::new(s.seed, s.network.clone());
        world.set_step_budget(DEFAULT_STEP_BUDGET);
        let servers = s.server_ids();
        let sync = Duration::from_micros(s.disk_sync_us);
        for &id in &servers {
            match hosting {
                Hosting::InProcess => world.add_node(id, server_node(s, id), sync),
                Hosting::RemoteServers => world.add_remote_node(id, sync),
            }
        }
        // Set-up draws: each client's connect order (Java shuffles its
        // connect string) and the seeds of its jitter and its workload.
        let mut setup = WorldRng::stream(s.seed, Stream::Setup);
        let mut clients = Vec::new();
        for (i, c) in s.clients.iter().enumerate() {
            let me = client_node(i);
            let mut order: Vec<NodeId> =
                if c.connect.is_empty() { servers.clone() } else { c.connect.iter().map(|id| NodeId(*id)).collect() };
            for k in (1..order.len()).rev() {
                let j = setup.below(k as u64 + 1) as usize;
                order.swap(k, j);
            }
            let cfg = ClientConfig {
                me,
                servers: order,
                session_timeout_ms: c.session_timeout_ms,
                can_be_read_only: c.can_be_read_only,
                addr: "127.0.0.1".into(),
                seed: setup.next_u64(),
            };
            let workload = c.workload.clone().map(|w| (w, setup.next_u64()));
            world.add_node(me, Box::new(ScenarioClient::new(&c.name, cfg, servers.clone(), workload)), Duration::ZERO);
            clients.push((me, c.name.clone()));
        }
        for &id in &servers {
            world.boot(id);
        }
        for (id, _) in &clients {
            world.boot(*id);
        }
        for f in &s.faults {
            world.schedule_fault(Instant::ZERO + Duration::from_millis(f.at_ms), f.fault.clone());
        }
        for (i, c) in s.clients.iter().enumerate() {
            for cmd in &c.commands {
                world.schedule_call(
                    Instant::ZERO + Duration::from_millis(cmd.at_ms),
                    client_node(i),
                    ZkCall::Console(cmd.line.clone()),
                );
            }
        }
        let summary = Summary::new(&servers, &clients);
        let client_ids: Vec<NodeId> = clients.iter().map(|(id, _)| *id).collect();
        let checker = Checker::new(&servers, s.members().voters, &client_ids);
        let mut consistency = ConsistencyChecker::new();
        for (id, name) in &clients {
            consistency.name_client(*id, name);
        }
        Ok(ScenarioRun {
            scenario: s.clone(),
            world,
            summary,
            checker,
            consistency,
            end: Instant::ZERO + Duration::from_millis(s.end_ms),
        })
    }

    /// When the scenario ends.
    pub fn end(&self) -> Instant {
        self.end
    }

    /// Fold the trace so far into the summary and hand each entry to `sink`.
    pub fn drain(&mut self, sink: &mut dyn FnMut(&Entry<Zk>)) {
        let ScenarioRun { world, summary, checker, consistency, .. } = self;
        fold(world, summary, checker, consistency, sink);
    }

    /// Run what is due up to `t` (at most the end) until it is all done or
    /// a remote node's answer is needed: then the caller carries the
    /// world's outbox, hands answers to `world.complete`, and calls again.
    pub fn advance(&mut self, t: Instant, sink: &mut dyn FnMut(&Entry<Zk>)) -> Result<Progress, WorldError> {
        let t = t.min(self.end);
        let ScenarioRun { world, summary, checker, consistency, .. } = self;
        let progress = world.advance(t, |w| fold(w, summary, checker, consistency, sink))?;
        if progress == Progress::Reached {
            self.summary.end = self.summary.end.max(self.world.now());
        }
        Ok(progress)
    }

    /// Run everything due up to `t` (at most the end), every node local.
    pub fn run_to(&mut self, t: Instant, sink: &mut dyn FnMut(&Entry<Zk>)) -> Result<(), WorldError> {
        match self.advance(t, sink)? {
            Progress::Reached => Ok(()),
            Progress::Waiting => {
                let node = self.world.awaiting().first().copied().unwrap_or(NodeId(0));
                Err(WorldError::Waiting { node })
            }
        }
    }

    /// Run the whole scenario.
    pub fn run(&mut self, sink: &mut dyn FnMut(&Entry<Zk>)) -> Result<(), WorldError> {
        self.run_to(self.end, sink)
    }

    /// The summary as text, with the invariants' and the consistency
    /// checker's verdicts.
    pub fn report(&self) -> String {
        let mut out = self.summary.render(&self.world.trace_hash());
        out.push_str(&invariants_report(&self.checker));
        out.push_str(&self.consistency.report().render());
        out
    }

    /// Whether every invariant and every client guarantee held.
    pub fn ok(&self) -> bool {
        self.checker.ok() && self.consistency.ok()
    }
}

/// Take the world's log so far into the summary and both checkers, and
/// hand each entry to `sink`.
fn fold(
    world: &mut World<Zk>,
    summary: &mut Summary,
    checker: &mut Checker,
    consistency: &mut ConsistencyChecker,
    sink: &mut dyn FnMut(&Entry<Zk>),
) {
    for e in world.take_log() {
        summary.observe(&e);
        checker.observe(&e);
        consistency.observe(&e);
        sink(&e);
    }
}

/// The checker's verdict as the lines a report ends with.
pub fn invariants_report(c: &Checker) -> String {
    let n = c.counts;
    let mut out = format!(
        "invariants: {} ({} assertions; {} commits, {} epochs, {} client operations, {} acknowledged writes)\n",
        if c.ok() { "all held".to_string() } else { format!("{} VIOLATED", c.total_violations()) },
        n.assertions,
        n.commits,
        n.epochs,
        n.ops,
        n.acked_writes
    );
    for v in c.violations() {
        out.push_str(&format!("  {v}\n"));
    }
    out
}
