//! An explicit-state model checker for single-decree Paxos: breadth-first
//! search over the real sans-IO [`PaxosNode`]s, checking the §11.2 safety
//! invariants in every reachable state.
//!
//! **State** = every node (cloned whole, shared copy-on-write) + the
//! datagrams in flight (`(from, to, msg) → copies`) + the armed timers +
//! the remaining loss and duplication budgets + the [`Checker`] (whose
//! ghost record of durable votes decides what "chosen" means).
//!
//! **Transitions** with [`Network::Bag`]: deliver an in-flight datagram
//! (consuming it); deliver it but keep it in flight (a network duplicate,
//! costing one unit of the duplication budget); drop it (costing one unit
//! of the loss budget); fire an armed timer (a time-out may happen at any
//! moment in an asynchronous system). With [`Network::Set`] the network is
//! the set of every datagram ever sent and delivery never consumes: loss,
//! duplication and reordering are unbounded, and there is no drop
//! transition (for safety a lost datagram is one never delivered).
//! Proposers are bounded by `max_attempts` ballots each, which bounds
//! retries and makes the state space finite.
//!
//! Violations the search finds carry `at = Instant(depth)` (µs = depth).
//!
//! **Modelling choices.** A `Write` + `Sync` is treated as one atomic step:
//! the node's `Synced{token}` is fed back immediately, inside the same
//! transition. Crashes are not modelled here (the world scenarios cover
//! crash/restart), so the disk is not part of the state. Messages that can
//! never again change their receiver ([`PaxosNode::is_stale`]: replies for
//! a ballot the proposer left behind, Accepted to a learner that already
//! learned) are removed as they become stale, which is the same as
//! delivering them as no-ops. Every node's clock reads zero; timers are
//! fired in any order.
//!
//! Accepted sent to a node that is only its learner (not the ballot's
//! proposer) is delivered at once, inside the transition that sent it.
//! Learners send nothing and nothing reads their state, so delivering
//! early, and never losing or duplicating these, hides no violation: what
//! a learner may learn only grows with the votes it hears, and every vote
//! it hears is already durable (the checker's ghost has it).
//!
//! **Deduplication**: a 64-bit fingerprint (SipHash with fixed keys) of
//! the state's `Hash`; all collections are `BTreeMap`/`BTreeSet`/`Vec`, so
//! the encoding is canonical. With a few million states the chance of a
//! collision (which could hide a state) is below 10⁻⁶.

use crate::single::{Call, Checker, Config, Msg, PaxosNode, Timer, Value, Violation, ViolationKind};
use actor::{Effect, Input, Instant, Node, NodeId};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// What to explore.
#[derive(Clone, Debug)]
pub struct ModelConfig {
    /// Acceptors; each is also a learner.
    pub acceptors: Vec<NodeId>,
    /// Proposers and the value each is asked to propose.
    pub proposers: Vec<(NodeId, Value)>,
    pub network: Network,
    /// Ballots each proposer may try (retries + 1).
    pub max_attempts: u32,
    /// Acceptors built with `Config::broken` (accept below their promise).
    pub broken: Vec<NodeId>,
    /// Stop (non-exhaustive) after this many distinct states.
    pub max_states: usize,
}

impl ModelConfig {
    /// Two proposers (4 → "a", 5 → "b"), three acceptor-learners (1, 2, 3),
    /// loss 1, duplication 1, two retries each.
    pub fn two_proposers() -> Self {
        ModelConfig {
            acceptors: vec![NodeId(1), NodeId(2), NodeId(3)],
            proposers: vec![(NodeId(4), "a".into()), (NodeId(5), "b".into())],
            network: Network::Bag { loss: 1, dup: 1 },
            max_attempts: 3,
            broken: vec![],
            max_states: 2_000_000,
        }
    }
}

/// How the model's network treats datagrams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// A multiset of datagrams in flight: delivery consumes a copy; the
    /// network may lose `loss` and duplicate `dup` datagrams in a run.
    Bag { loss: u32, dup: u32 },
    /// The set of every datagram ever sent (as in Lamport's Paxos TLA+
    /// spec): any of them may be delivered at any time, any number of
    /// times, or never — unbounded loss, duplication and reordering, with
    /// far fewer states than a bag.
    Set,
}

/// One transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Deliver {
        from: NodeId,
        to: NodeId,
        msg: Msg,
    },
    /// Deliver a copy and keep the original in flight.
    Duplicate {
        from: NodeId,
        to: NodeId,
        msg: Msg,
    },
    Drop {
        from: NodeId,
        to: NodeId,
        msg: Msg,
    },
    Fire {
        node: NodeId,
        timer: Timer,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Deliver { from, to, msg } => write!(f, "deliver {from}→{to} {msg:?}"),
            Step::Duplicate { from, to, msg } => write!(f, "duplicate {from}→{to} {msg:?}"),
            Step::Drop { from, to, msg } => write!(f, "drop {from}→{to} {msg:?}"),
            Step::Fire { node, timer } => write!(f, "fire {node} {timer:?}"),
        }
    }
}

/// A path from the initial state to a state that breaks an invariant.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub violation: Violation,
    pub trace: Vec<Step>,
}

/// What the search found.
#[derive(Clone, Debug)]
pub struct Report {
    /// Distinct states reached (the initial one included).
    pub states: usize,
    /// Transitions taken (successors computed).
    pub transitions: u64,
    /// Longest shortest path from the initial state.
    pub max_depth: usize,
    /// Whether every reachable state was explored.
    pub exhaustive: bool,
    pub counterexample: Option<Counterexample>,
}

#[derive(Clone, Hash)]
struct State {
    /// Shared between states until a transition changes one (copy on write).
    nodes: BTreeMap<NodeId, Arc<PaxosNode>>,
    flight: BTreeMap<(NodeId, NodeId, Msg), u32>,
    armed: BTreeSet<(NodeId, Timer)>,
    loss: u32,
    dup: u32,
    /// `Network::Set`: delivery keeps the datagram.
    set: bool,
    checker: Checker,
    /// A broken node-state invariant (set only in a violating state).
    state_violation: Option<Violation>,
}

type Fp = u64;

fn fingerprint(s: &State) -> Fp {
    let mut a = DefaultHasher::new();
    s.hash(&mut a);
    a.finish()
}

impl State {
    fn initial(cfg: &ModelConfig) -> State {
        let mut s = State {
            nodes: BTreeMap::new(),
            flight: BTreeMap::new(),
            armed: BTreeSet::new(),
            loss: match cfg.network {
                Network::Bag { loss, .. } => loss,
                Network::Set => 0,
            },
            dup: match cfg.network {
                Network::Bag { dup, .. } => dup,
                Network::Set => 0,
            },
            set: cfg.network == Network::Set,
            checker: Checker::new(cfg.acceptors.len()),
            state_violation: None,
        };
        let learners = cfg.acceptors.clone();
        for &a in &cfg.acceptors {
            let mut c = Config::new(a, cfg.acceptors.clone(), learners.clone()).acceptor().learner();
            if cfg.broken.contains(&a) {
                c = c.broken();
            }
            s.nodes.insert(a, Arc::new(PaxosNode::new(c)));
        }
        for (p, _) in &cfg.proposers {
            let c = Config::new(*p, cfg.acceptors.clone(), learners.clone()).proposer().max_attempts(cfg.max_attempts);
            s.nodes.insert(*p, Arc::new(PaxosNode::new(c)));
        }
        let ids: Vec<NodeId> = s.nodes.keys().copied().collect();
        for id in ids {
            s.apply(id, Input::Boot { disk: vec![], life: 0 }, 0);
        }
        for (p, v) in &cfg.proposers {
            s.apply(*p, Input::Call(Call::Propose(v.clone())), 0);
        }
        s.collect_stale();
        s
    }

    /// Step `node` on `input`, then on the syncs it asks for, applying the
    /// effects to the state.
    fn apply(&mut self, node: NodeId, input: Input<crate::single::Paxos>, depth: usize) {
        let mut work = VecDeque::from([(node, input)]);
        while let Some((node, input)) = work.pop_front() {
            let Some(n) = self.nodes.get_mut(&node).map(Arc::make_mut) else { continue };
            let before = n.promised();
            let mut out = Vec::new();
            n.step(Instant::ZERO, input, &mut out);
            let (after, vote) = (n.promised(), n.accepted().map(|(b, _)| *b));
            let at = Instant(depth as u64);
            if after < before {
                let detail = format!("promise went from {before} to {after}");
                self.checker_flag(at, node, ViolationKind::PromiseDecreased, detail);
            }
            if vote.is_some_and(|b| b > after) {
                let detail = format!("vote {vote:?} above promise {after}");
                self.checker_flag(at, node, ViolationKind::AcceptedAbovePromise, detail);
            }
            for e in out {
                match e {
                    Effect::SendDatagram { to, msg: Msg::Accepted { b, v } } if NodeId(b.node) != to => {
                        // To a pure learner: delivered at once (see the module doc).
                        let input = Input::Datagram { from: node, msg: Msg::Accepted { b, v } };
                        work.push_back((to, input));
                    }
                    Effect::SendDatagram { to, msg } => {
                        if self.nodes.contains_key(&to) {
                            let copies = self.flight.entry((node, to, msg)).or_insert(0);
                            *copies = if self.set { 1 } else { *copies + 1 };
                        }
                    }
                    Effect::SetTimer { timer, .. } => {
                        self.armed.insert((node, timer));
                    }
                    Effect::CancelTimer { timer } => {
                        self.armed.remove(&(node, timer));
                    }
                    Effect::Sync { token } => work.push_back((node, Input::Synced { token })),
                    Effect::Emit { event } => self.checker.observe(at, node, &event),
                    Effect::Write { .. } | Effect::Connect { .. } | Effect::Send { .. } | Effect::Close { .. } => {}
                }
            }
        }
    }

    /// A violation seen in a node's state rather than in its events.
    fn checker_flag(&mut self, at: Instant, node: NodeId, kind: ViolationKind, detail: String) {
        if self.state_violation.is_none() {
            self.state_violation = Some(Violation { at, node, kind, detail });
        }
    }

    fn collect_stale(&mut self) {
        for n in self.nodes.values_mut() {
            if n.needs_settle() {
                Arc::make_mut(n).settle();
            }
        }
        let nodes = &self.nodes;
        self.flight.retain(|(_, to, msg), _| nodes.get(to).is_some_and(|n| !n.is_stale(msg)));
    }

    /// Whether delivering `msg` to `to` (with its syncs) leaves `to`
    /// unchanged and only resends datagrams already in the set.
    fn is_noop(&self, from: NodeId, to: NodeId, msg: &Msg) -> bool {
        let Some(node) = self.nodes.get(&to) else { return true };
        let mut probe = PaxosNode::clone(node);
        let mut work = VecDeque::from([Input::Datagram { from, msg: msg.clone() }]);
        while let Some(input) = work.pop_front() {
            let mut out = Vec::new();
            probe.step(Instant::ZERO, input, &mut out);
            for e in out {
                match e {
                    Effect::Sync { token } => work.push_back(Input::Synced { token }),
                    Effect::Write { .. } => {}
                    Effect::SendDatagram { to: dest, msg } => {
                        let eager = matches!(&msg, Msg::Accepted { b, .. } if NodeId(b.node) != dest);
                        if eager || !self.flight.contains_key(&(to, dest, msg)) {
                            return false;
                        }
                    }
                    _ => return false,
                }
            }
        }
        probe.settle();
        probe == **node
    }

    fn successors(&self, depth: usize) -> Vec<(Step, State)> {
        let mut out = Vec::new();
        for ((from, to, msg), &count) in &self.flight {
            let (from, to) = (*from, *to);
            if self.set && self.is_noop(from, to, msg) {
                // Delivering it again changes nothing: a self-loop.
                continue;
            }
            let deliver = |keep: bool| {
                let mut s = self.clone();
                if self.set {
                } else if keep {
                    s.dup -= 1;
                } else {
                    take(&mut s.flight, (from, to, msg.clone()), count);
                }
                s.apply(to, Input::Datagram { from, msg: msg.clone() }, depth);
                s.collect_stale();
                s
            };
            out.push((Step::Deliver { from, to, msg: msg.clone() }, deliver(false)));
            if self.dup > 0 {
                out.push((Step::Duplicate { from, to, msg: msg.clone() }, deliver(true)));
            }
            if self.loss > 0 {
                let mut s = self.clone();
                s.loss -= 1;
                take(&mut s.flight, (from, to, msg.clone()), count);
                out.push((Step::Drop { from, to, msg: msg.clone() }, s));
            }
        }
        for &(node, timer) in &self.armed {
            let mut s = self.clone();
            s.armed.remove(&(node, timer));
            s.apply(node, Input::Timer(timer), depth);
            s.collect_stale();
            out.push((Step::Fire { node, timer }, s));
        }
        out
    }
}

fn take(flight: &mut BTreeMap<(NodeId, NodeId, Msg), u32>, key: (NodeId, NodeId, Msg), count: u32) {
    if count <= 1 {
        flight.remove(&key);
    } else {
        flight.insert(key, count - 1);
    }
}

/// The first violation in a state, if any.
fn violation(s: &State) -> Option<Violation> {
    s.state_violation.clone().or_else(|| s.checker.violations().first().cloned())
}

/// Explore every state reachable under `cfg`'s bounds, breadth first.
pub fn explore(cfg: &ModelConfig) -> Report {
    let init = State::initial(cfg);
    let root = fingerprint(&init);
    let mut parents: HashMap<Fp, (Fp, Option<Step>)> = HashMap::new();
    parents.insert(root, (root, None));
    let mut report = Report { states: 1, transitions: 0, max_depth: 0, exhaustive: true, counterexample: None };
    if let Some(v) = violation(&init) {
        report.counterexample = Some(Counterexample { violation: v, trace: vec![] });
        return report;
    }
    let mut queue = VecDeque::from([(init, root, 0usize)]);
    while let Some((s, fp, depth)) = queue.pop_front() {
        for (step, next) in s.successors(depth + 1) {
            report.transitions += 1;
            let nfp = fingerprint(&next);
            if let Some(v) = violation(&next) {
                let mut trace = path(&parents, fp);
                trace.push(step);
                report.counterexample = Some(Counterexample { violation: v, trace });
                report.exhaustive = false;
                report.states = parents.len();
                return report;
            }
            if parents.contains_key(&nfp) {
                continue;
            }
            parents.insert(nfp, (fp, Some(step)));
            report.max_depth = report.max_depth.max(depth + 1);
            if parents.len() >= cfg.max_states {
                report.exhaustive = false;
                report.states = parents.len();
                return report;
            }
            queue.push_back((next, nfp, depth + 1));
        }
    }
    report.states = parents.len();
    report
}

/// The steps from the initial state to the state `fp`.
fn path(parents: &HashMap<Fp, (Fp, Option<Step>)>, mut fp: Fp) -> Vec<Step> {
    let mut steps = Vec::new();
    while let Some((parent, Some(step))) = parents.get(&fp) {
        steps.push(step.clone());
        fp = *parent;
    }
    steps.reverse();
    steps
}
