//! Single-decree Paxos in the world, as the presets the page and the
//! command line show: one proposer; two duelling proposers that retry at
//! once (the livelock: ballots keep rising, nothing is chosen); the same
//! two with randomized exponential back-off; and a distinguished proposer
//! (only one proposes). Nodes 1 and 2 are proposers, nodes 3, 4 and 5
//! acceptors; every node learns.
//!
//! Why the duel livelocks here: every link takes the same `LATENCY_US`; an
//! acceptor's sync takes `SYNC_US`, a proposer's (it writes its round
//! before each Prepare) `PROPOSER_SYNC_US`. Proposer 2 starts so that its
//! Prepare reaches the acceptors a little before proposer 1's Accept — by
//! less than the difference D of the two syncs. The Accept is refused;
//! proposer 1's Nack-triggered Prepare then reaches them a little before
//! proposer 2's Accept, and so on: the gap alternates between d and D − d
//! and never closes. Any jitter, or back-off, breaks the symmetry.

use crate::net::{LinkSpec, Network};
use crate::trace::{Entry, Record};
use crate::world::{Progress, World};
use crate::Fault;
use actor::{Duration, Instant, NodeId};
use paxos::single::{Backoff, Call, Checker, Config, Event, Paxos, PaxosNode, Violation};
use paxos::Ballot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    OneProposer,
    Duel,
    DuelBackoff,
    Distinguished,
}

impl Preset {
    pub const ALL: [Preset; 4] = [Preset::OneProposer, Preset::Duel, Preset::DuelBackoff, Preset::Distinguished];

    pub fn id(self) -> &'static str {
        match self {
            Preset::OneProposer => "one-proposer",
            Preset::Duel => "duel",
            Preset::DuelBackoff => "duel-backoff",
            Preset::Distinguished => "distinguished",
        }
    }

    pub fn parse(s: &str) -> Result<Preset, String> {
        Preset::ALL.into_iter().find(|p| p.id() == s).ok_or_else(|| {
            let names: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
            format!("no Paxos preset {s:?}; try one of {}", names.join(", "))
        })
    }

    pub fn title(self) -> &'static str {
        match self {
            Preset::OneProposer => "One proposer: a value is chosen",
            Preset::Duel => "Duelling proposers, no back-off: livelock",
            Preset::DuelBackoff => "Duelling proposers with randomized back-off",
            Preset::Distinguished => "A distinguished proposer",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Preset::OneProposer => "Node 1 proposes \"A\": Prepare, a majority of promises, Accept, a majority of Accepted — chosen.",
            Preset::Duel => "Nodes 1 and 2 propose \"A\" and \"B\" 4.3 ms apart and retry at once with a higher round when pre-empted: each Prepare cancels the other's Accept, ballots rise for ever and nothing is chosen. Paxos is safe, not live.",
            Preset::DuelBackoff => "The same duel, but a pre-empted proposer waits a random time (exponential back-off) before retrying: soon one finishes both phases undisturbed and its value is chosen.",
            Preset::Distinguished => "Both clients ask, but only node 1 is a proposer (a distinguished proposer, as a leader would be): one ballot, one value chosen. ZooKeeper's leader plays this part.",
        }
    }

    fn proposers(self) -> &'static [u32] {
        match self {
            Preset::OneProposer | Preset::Distinguished => &[1],
            Preset::Duel | Preset::DuelBackoff => &[1, 2],
        }
    }

    fn backoff(self) -> Backoff {
        match self {
            Preset::DuelBackoff => Backoff::Randomized { base_ms: 10, max_ms: 200 },
            _ => Backoff::None,
        }
    }
}

/// The nodes of every preset.
pub const NODES: [u32; 5] = [1, 2, 3, 4, 5];
pub const PROPOSERS: [u32; 2] = [1, 2];
pub const ACCEPTORS: [u32; 3] = [3, 4, 5];
/// One-way link latency.
pub const LATENCY_US: u64 = 2_000;
/// An acceptor's disk sync.
pub const SYNC_US: u64 = 500;
/// A proposer's disk sync.
pub const PROPOSER_SYNC_US: u64 = 100;

/// A single-decree run: the world, its trace so far and the safety checker.
pub struct Lab {
    pub preset: Preset,
    pub seed: u64,
    pub world: World<Paxos>,
    pub log: Vec<Entry<Paxos>>,
    /// Each node's set-up (a host elsewhere builds the node from it).
    pub configs: Vec<Config>,
    /// The edits made while it ran (faults, at whole milliseconds), so a
    /// link replays them.
    pub edits: Vec<(u64, Fault)>,
    checker: Checker,
}

/// At most this many edits in a link.
pub const MAX_EDITS: usize = 500;
/// At most this many characters of edits in a link.
pub const MAX_EDITS_CHARS: usize = 64 * 1024;

/// Edits as URL-safe text (JSON, base64).
pub fn encode_edits(edits: &[(u64, Fault)]) -> String {
    use base64::Engine;
    let json = serde_json::to_string(edits).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Edits from a link, or why they cannot be read.
pub fn decode_edits(text: &str) -> Result<Vec<(u64, Fault)>, String> {
    use base64::Engine;
    if text.len() > MAX_EDITS_CHARS {
        return Err(format!("the edits are {} characters long; at most {MAX_EDITS_CHARS}", text.len()));
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|e| format!("the edits are not URL-safe base64: {e}"))?;
    let edits: Vec<(u64, Fault)> =
        serde_json::from_slice(&bytes).map_err(|e| format!("the edits are not a list of timed faults: {e}"))?;
    if edits.len() > MAX_EDITS {
        return Err(format!("{} edits; at most {MAX_EDITS}", edits.len()));
    }
    for (_, f) in &edits {
        for n in f.nodes() {
            if !NODES.contains(&n.0) {
                return Err(format!("an edit names node {n}, which is not one of nodes 1–5"));
            }
        }
    }
    Ok(edits)
}

impl Lab {
    /// Every node in this process.
    pub fn new(preset: Preset, seed: u64) -> Lab {
        Lab::with_hosting(preset, seed, false)
    }

    /// With `remote`, every node is hosted elsewhere (a Web Worker built
    /// from `configs`): the world hands out inputs and waits for effects.
    pub fn with_hosting(preset: Preset, seed: u64, remote: bool) -> Lab {
        let ids: Vec<NodeId> = NODES.iter().map(|n| NodeId(*n)).collect();
        let acceptors: Vec<NodeId> = ACCEPTORS.iter().map(|n| NodeId(*n)).collect();
        let spec = LinkSpec { latency_us: LATENCY_US, ..LinkSpec::default() };
        let mut world = World::new(seed, Network { default: spec, ..Network::default() });
        let mut configs = Vec::new();
        for id in &ids {
            let mut cfg = Config::new(*id, acceptors.clone(), ids.clone())
                .learner()
                .seed(seed.wrapping_mul(7_919).wrapping_add(u64::from(id.0)))
                .backoff(preset.backoff())
                .retry_timeout(Duration::from_millis(30));
            if acceptors.contains(id) {
                cfg = cfg.acceptor();
            }
            if preset.proposers().contains(&id.0) {
                cfg = cfg.proposer();
            }
            let sync = Duration::from_micros(if acceptors.contains(id) { SYNC_US } else { PROPOSER_SYNC_US });
            if remote {
                world.add_remote_node(*id, sync);
            } else {
                world.add_node(*id, Box::new(PaxosNode::new(cfg.clone())), sync);
            }
            configs.push(cfg);
            world.boot(*id);
        }
        // Proposer 2's client asks two latencies and the mean of the two
        // syncs after proposer 1's (see the module comment); in the
        // distinguished preset node 2 is no proposer and its client gets
        // nothing done.
        let at = Instant::ZERO + Duration::from_millis(10);
        world.schedule_call(at, NodeId(1), Call::Propose("A".into()));
        if preset != Preset::OneProposer {
            let later = Duration::from_micros(2 * LATENCY_US + (SYNC_US + PROPOSER_SYNC_US) / 2);
            world.schedule_call(at + later, NodeId(2), Call::Propose("B".into()));
        }
        Lab { preset, seed, world, log: Vec::new(), configs, edits: Vec::new(), checker: Checker::new(acceptors.len()) }
    }

    /// A run with earlier edits replayed at their times.
    pub fn replay(preset: Preset, seed: u64, remote: bool, edits: Vec<(u64, Fault)>) -> Lab {
        let mut lab = Lab::with_hosting(preset, seed, remote);
        for (ms, f) in &edits {
            lab.world.schedule_fault(Instant::ZERO + Duration::from_millis(*ms), f.clone());
        }
        lab.edits = edits;
        lab
    }

    /// Make an edit at the first whole millisecond the world has not
    /// reached (so a replay that schedules it up front sees the same
    /// trace), and record it.
    pub fn edit(&mut self, f: Fault) {
        let last = self.edits.last().map_or(0, |(ms, _)| *ms);
        let ms = (self.world.now().0 / 1000 + 1).max(last);
        self.world.schedule_fault(Instant::ZERO + Duration::from_millis(ms), f.clone());
        self.edits.push((ms, f));
    }

    /// Run to `t` with every node in this process, keeping the trace and
    /// checking every event.
    pub fn run_to(&mut self, t: Instant) -> Result<(), String> {
        match self.advance(t)? {
            Progress::Reached => Ok(()),
            Progress::Waiting => Err("a node is hosted elsewhere; its answer is needed".into()),
        }
    }

    /// Run what is due up to `t`, or until a remote node's answer is
    /// needed (then hand the world's outbox to the hosts and `complete`).
    pub fn advance(&mut self, t: Instant) -> Result<Progress, String> {
        let (log, checker) = (&mut self.log, &mut self.checker);
        self.world
            .advance(t, |w| {
                for e in w.take_log() {
                    if let Record::Emit { node, event } = &e.what {
                        checker.observe(e.at, *node, event);
                    }
                    log.push(e);
                }
            })
            .map_err(|e| e.to_string())
    }

    pub fn now(&self) -> Instant {
        self.world.now()
    }

    pub fn violations(&self) -> &[Violation] {
        self.checker.violations()
    }

    /// The chosen value, when and where it was first learned.
    pub fn chosen(&self) -> Option<(Instant, NodeId, String, Ballot)> {
        self.log.iter().find_map(|e| match &e.what {
            Record::Emit { node, event: Event::Chosen { v, b } } => Some((e.at, *node, v.clone(), *b)),
            _ => None,
        })
    }

    /// Every ballot each proposer started (phase 1), in order.
    pub fn ballots(&self) -> BTreeMap<u32, Vec<(Instant, Ballot)>> {
        let mut out: BTreeMap<u32, Vec<(Instant, Ballot)>> = BTreeMap::new();
        for e in &self.log {
            if let Record::Emit { node, event: Event::Phase1 { b } } = &e.what {
                out.entry(node.0).or_default().push((e.at, *b));
            }
        }
        out
    }

    /// A few lines on what happened.
    pub fn summary(&self) -> String {
        let mut s = format!("{} (seed {}) at {}\n", self.preset.title(), self.seed, self.now());
        for (node, bs) in self.ballots() {
            let last = bs.last().map_or_else(|| "-".to_string(), |(_, b)| b.to_string());
            s.push_str(&format!("  proposer {node}: {} ballots, the last {last}\n", bs.len()));
        }
        match self.chosen() {
            Some((at, node, v, b)) => s.push_str(&format!("  chosen: {v:?} with ballot {b}, learned by node {node} at {at}\n")),
            None => s.push_str("  nothing chosen\n"),
        }
        let datagrams = self.log.iter().filter(|e| matches!(e.what, Record::SendDatagram { .. })).count();
        s.push_str(&format!("  trace hash {}\n", self.world.trace_hash()));
        s.push_str(&format!("  {datagrams} datagrams; "));
        match self.violations() {
            [] => s.push_str("safety held (one value, learners agree, promises never go back)\n"),
            v => s.push_str(&format!("{} SAFETY VIOLATIONS, the first: {:?}\n", v.len(), v[0])),
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(p: Preset, seed: u64, ms: u64) -> Lab {
        let mut lab = Lab::new(p, seed);
        lab.run_to(Instant::ZERO + Duration::from_millis(ms)).expect("runs");
        assert!(lab.violations().is_empty(), "{}", lab.summary());
        lab
    }

    #[test]
    fn one_proposer_gets_its_value_chosen_with_one_ballot() {
        let lab = ran(Preset::OneProposer, 1, 1_000);
        let (_, _, v, b) = lab.chosen().expect("chosen");
        assert_eq!((v.as_str(), b.round), ("A", 1), "{}", lab.summary());
        assert_eq!(lab.ballots().get(&1).map(Vec::len), Some(1));
    }

    #[test]
    fn duelling_proposers_without_back_off_livelock() {
        for seed in 1..=5 {
            let lab = ran(Preset::Duel, seed, 5_000);
            assert!(lab.chosen().is_none(), "{}", lab.summary());
            let b = lab.ballots();
            for node in [1, 2] {
                let rounds: Vec<u64> = b.get(&node).map(|v| v.iter().map(|(_, b)| b.round).collect()).unwrap_or_default();
                assert!(rounds.len() > 20, "proposer {node} keeps trying: {}", lab.summary());
                assert!(rounds.windows(2).all(|w| w[0] < w[1]), "rising ballots");
            }
        }
    }

    #[test]
    fn back_off_or_a_distinguished_proposer_cures_it() {
        for seed in 1..=10 {
            let lab = ran(Preset::DuelBackoff, seed, 5_000);
            assert!(lab.chosen().is_some(), "{}", lab.summary());
        }
        let lab = ran(Preset::Distinguished, 1, 1_000);
        assert_eq!(lab.chosen().map(|c| c.2), Some("A".to_string()), "{}", lab.summary());
    }

    #[test]
    fn remote_nodes_answered_in_any_order_give_the_same_trace() {
        let mut local = ran(Preset::Duel, 4, 300);
        let mut remote = Lab::with_hosting(Preset::Duel, 4, true);
        let mut hosts: BTreeMap<NodeId, PaxosNode> =
            remote.configs.iter().map(|c| (c.me, PaxosNode::new(c.clone()))).collect();
        let to = Instant::ZERO + Duration::from_millis(300);
        let mut flip = false;
        while remote.advance(to).expect("runs") == Progress::Waiting {
            let mut batch: Vec<(NodeId, Vec<actor::Effect<Paxos>>)> = Vec::new();
            for o in remote.world.take_outbox() {
                let node = hosts.get_mut(&o.node).expect("a host");
                if matches!(o.input, actor::Input::Boot { .. }) {
                    *node = PaxosNode::new(node.config().clone());
                }
                let mut out = Vec::new();
                actor::Node::step(node, o.now, o.input, &mut out);
                batch.push((o.node, out));
            }
            // Answers of different nodes may arrive in any order.
            flip = !flip;
            if flip {
                batch.reverse();
                batch.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
            }
            for (node, effects) in batch {
                remote.world.complete(node, effects).expect("an input was out");
            }
        }
        local.run_to(to).expect("runs");
        assert_eq!(remote.world.trace_hash(), local.world.trace_hash());
        assert!(remote.violations().is_empty());
    }

    #[test]
    fn edits_made_while_running_replay_to_the_same_trace() {
        let ms = |t: u64| Instant::ZERO + Duration::from_millis(t);
        for (preset, stops) in [(Preset::Duel, [11_000u64, 39_300, 77_777]), (Preset::DuelBackoff, [15_500, 16_100, 90_001])] {
            let mut live = Lab::new(preset, 1);
            let edits = [
                Fault::Cut { from: NodeId(1), to: NodeId(3), both: true },
                Fault::Partition { groups: vec![vec![NodeId(1)], vec![NodeId(2), NodeId(3), NodeId(4), NodeId(5)]] },
                Fault::Heal,
            ];
            for (stop, f) in stops.iter().zip(edits) {
                live.run_to(Instant(*stop)).expect("runs");
                live.edit(f);
            }
            live.run_to(ms(300)).expect("runs");
            let text = encode_edits(&live.edits);
            let mut again = Lab::replay(preset, 1, false, decode_edits(&text).expect("decodes"));
            again.run_to(ms(300)).expect("runs");
            assert_eq!(live.world.trace_hash(), again.world.trace_hash(), "{preset:?}");
        }
        assert!(decode_edits("!!").is_err());
        assert!(decode_edits(&"A".repeat(MAX_EDITS_CHARS + 1)).is_err());
        let stranger = encode_edits(&[(5, Fault::Crash { node: NodeId(9) })]);
        assert!(decode_edits(&stranger).is_err());
    }

    #[test]
    fn every_preset_replays_to_the_same_trace() {
        for p in Preset::ALL {
            let a = ran(p, 3, 500);
            let b = ran(p, 3, 500);
            assert_eq!(a.world.trace_hash(), b.world.trace_hash());
        }
        assert!(Preset::parse("nope").is_err());
        assert_eq!(Preset::parse("duel"), Ok(Preset::Duel));
    }
}

