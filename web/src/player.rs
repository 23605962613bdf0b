//! A scenario being played on the page: the run (its world, nodes hosted
//! in-page or in workers), the model folded from its trace, and the
//! scenario as recorded so far — the user's console lines and faults are
//! added to it at the whole millisecond after they happen, so the scenario
//! replays them exactly. Platform-free: tested natively.

use crate::model::Model;
use actor::{Duration, Instant};
use sim::fault::Fault;
use sim::zk::{Command, Hosting, Progress, Scenario, ScenarioRun, TimedFault};
use sim::WorldError;
use zab::ZkCall;

pub struct Player {
    /// The scenario with every action taken so far.
    pub scenario: Scenario,
    pub run: ScenarioRun,
    pub model: Model,
    /// Milliseconds that already hold an outside event (a fault or a
    /// command), so a new action never shares one: at one instant, their
    /// order would depend on when they were scheduled.
    taken_ms: std::collections::BTreeSet<u64>,
}

impl Player {
    pub fn new(scenario: Scenario, hosting: Hosting) -> Result<Self, String> {
        let run = ScenarioRun::with_hosting(&scenario, hosting)?;
        let model = Model::new(&scenario);
        let taken_ms = scenario
            .faults
            .iter()
            .map(|f| f.at_ms)
            .chain(scenario.clients.iter().flat_map(|c| c.commands.iter().map(|c| c.at_ms)))
            .collect();
        Ok(Player { scenario, run, model, taken_ms })
    }

    /// The world's time.
    pub fn now(&self) -> Instant {
        self.run.world.now()
    }

    pub fn end(&self) -> Instant {
        self.run.end()
    }

    /// Everything up to the end has run and no answer is outstanding (the
    /// clock can pass a point while a round's answers are still out).
    pub fn finished(&self) -> bool {
        let w = &self.run.world;
        w.now() >= self.end() && w.awaiting().is_empty() && w.next_time().is_none_or(|t| t > self.end())
    }

    /// Run what is due up to `t`, feeding the model, until done or a
    /// worker's answer is needed.
    pub fn advance(&mut self, t: Instant) -> Result<Progress, WorldError> {
        let model = &mut self.model;
        let mut batch = Vec::new();
        let progress = self.run.advance(t, &mut |e| batch.push(e.clone()));
        model.apply(&batch);
        progress
    }

    /// Run everything due up to `t` with every node in-page.
    #[cfg(test)]
    pub fn run_to(&mut self, t: Instant) -> Result<(), String> {
        match self.advance(t).map_err(|e| e.to_string())? {
            Progress::Reached => Ok(()),
            Progress::Waiting => Err("a node is hosted elsewhere; its answer is needed".into()),
        }
    }

    /// When the next action may happen: the first whole millisecond after
    /// now that no other outside event holds.
    fn action_ms(&mut self) -> u64 {
        let mut at = self.now().0 / 1000 + 1;
        while self.taken_ms.contains(&at) {
            at += 1;
        }
        let at = at.min(self.scenario.end_ms);
        self.taken_ms.insert(at);
        at
    }

    /// A line typed into client `i`'s console.
    pub fn console(&mut self, i: usize, line: &str) -> Result<u64, String> {
        if i >= self.scenario.clients.len() {
            return Err(format!("there is no client {i}"));
        }
        if line.chars().count() > sim::zk::scenario::limits::LINE_CHARS {
            return Err(format!("a console line holds at most {} characters", sim::zk::scenario::limits::LINE_CHARS));
        }
        let line = line.to_string();
        let at = self.action_ms();
        self.scenario.clients[i].commands.push(Command { at_ms: at, line: line.clone() });
        let node = sim::zk::scenario::client_node(i);
        self.run.world.schedule_call(Instant::ZERO + Duration::from_millis(at), node, ZkCall::Console(line));
        Ok(at)
    }

    /// A fault the user caused (a button, an edit of the network).
    pub fn fault(&mut self, fault: Fault) -> Result<u64, String> {
        if let Some(n) = fault.nodes().into_iter().find(|n| !self.scenario.node_ids().contains(n)) {
            return Err(format!("node {n} is not in this scenario"));
        }
        let at = self.action_ms();
        self.scenario.faults.push(TimedFault { at_ms: at, fault: fault.clone() });
        self.run.world.schedule_fault(Instant::ZERO + Duration::from_millis(at), fault);
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actor::NodeId;
    use zab::quorum::packet::ServerState;

    fn ms(t: u64) -> Instant {
        Instant::ZERO + Duration::from_millis(t)
    }

    #[test]
    fn actions_are_recorded_so_the_scenario_replays_the_same_trace() {
        let s = Scenario::ensemble(3, 3, &["a", "b"], 8_000);
        let mut live = Player::new(s, Hosting::InProcess).expect("a player");
        live.run_to(ms(1_500)).expect("runs");
        let leader = live.model.leader().expect("a leader after 1.5 s");
        live.console(0, "create /x live").expect("typed");
        live.run_to(ms(2_000)).expect("runs");
        live.fault(Fault::Crash { node: leader }).expect("a fault");
        live.console(1, "get /x").expect("typed");
        live.run_to(ms(8_000)).expect("runs");
        let recorded = live.scenario.clone();
        assert_eq!(recorded.faults.len(), 1);
        let mut again = Player::new(recorded, Hosting::InProcess).expect("a player");
        again.run_to(ms(8_000)).expect("runs");
        assert_eq!(again.run.world.trace_hash(), live.run.world.trace_hash(), "the recorded scenario replays");
        let b = &again.model.clients[1];
        assert!(b.lines.iter().any(|l| *l == crate::model::clients::Line::Out("live".into())), "{:?}", b.lines);
        let new_leader = again.model.leader().expect("a new leader");
        assert_ne!(new_leader, leader);
        assert_eq!(again.model.servers[&leader].state_name(), "CRASHED");
        assert_eq!(again.model.servers[&new_leader].state, Some(ServerState::Leading));
    }

    #[test]
    fn every_replica_tree_matches_what_its_server_holds() {
        let mut s = Scenario::ensemble(4, 3, &["a"], 20_000);
        s.clients[0].workload = Some(sim::zk::Workload { rate_per_sec: 20, ..Default::default() });
        let mut p = Player::new(s, Hosting::InProcess).expect("a player");
        p.run_to(ms(3_000)).expect("runs");
        p.fault(Fault::Crash { node: NodeId(1) }).expect("a fault");
        p.run_to(ms(8_000)).expect("runs");
        p.fault(Fault::Restart { node: NodeId(1) }).expect("a fault");
        p.run_to(ms(20_000)).expect("runs");
        let trees: Vec<_> = (1..=3).map(|i| p.model.replicas.tree(NodeId(i)).expect("a replica")).collect();
        let counts: Vec<usize> = trees.iter().map(|t| t.node_count()).collect();
        assert!(trees[0].node_count() > 4, "the workload made nodes: {counts:?}");
        for t in &trees[1..] {
            let a: Vec<_> = trees[0].iter().map(|(p, n)| (p.clone(), n.data.clone())).collect();
            let b: Vec<_> = t.iter().map(|(p, n)| (p.clone(), n.data.clone())).collect();
            assert_eq!(a, b, "replicas agree once caught up");
        }
    }
}
