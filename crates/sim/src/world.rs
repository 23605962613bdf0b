//! The world: nodes, one event queue, the network, disks, faults and the
//! trace.
//!
//! Events run in *rounds*. A round takes the earliest event and, with it,
//! later events for other nodes that are due before the first one's time
//! plus the smallest link latency — no effect of the first can reach them
//! sooner — and further events for a node already in the round at that
//! node's very instant, as long as handling them reads only state their own
//! node owns. Every input of the round is handed to its node (at once for
//! in-process nodes; through the outbox for remote ones, whose answers may
//! come back in any order across nodes, in order for one node), and the
//! effects are applied in (time, node) order. The rule
//! depends only on the queue, so a run gives the same trace whether its
//! nodes live in-process or in Web Workers.

use crate::clock::NodeClock;
use crate::disk::Disk;
use crate::fault::Fault;
use crate::net::Network;
use crate::queue::EventQueue;
use crate::rng::{Stream, WorldRng};
use crate::trace::{DropReason, Entry, Record, TraceHash};
use actor::{CloseReason, ConnId, Duration, Effect, Input, Instant, Node, NodeId, Protocol};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// What one call of [`World::step`] did.
/// Where [`World::advance`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Everything due by the target time ran.
    Reached,
    /// Remote nodes' answers are needed first.
    Waiting,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepped {
    /// A round ran and its effects were applied.
    Ran,
    /// Inputs went to remote nodes; nothing more runs until their effects
    /// come back through [`World::complete`].
    Waiting,
    /// Nothing is scheduled.
    Idle,
    /// The step budget is spent.
    OverBudget,
}

/// Why a run stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    /// More steps than the budget allows: probably a runaway run.
    StepBudget { steps: u64, at: Instant },
    /// A remote node's answer is needed, and the caller cannot wait.
    Waiting { node: NodeId },
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldError::StepBudget { steps, at } => write!(
                f,
                "stopped after {steps} steps at {at}: the step budget is spent (a runaway run? raise the budget if not)"
            ),
            WorldError::Waiting { node } => write!(f, "waiting for node {node}'s answer"),
        }
    }
}

/// An input for a remote node, to be carried to it by the host.
#[derive(Clone, Debug)]
pub struct Outgoing<P: Protocol> {
    pub node: NodeId,
    /// The node's local time for this input.
    pub now: Instant,
    pub input: Input<P>,
}

/// Whether a node runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Up,
    /// Stopped: inputs and timers wait.
    Paused,
    /// The process died; the machine is up (connects are refused).
    Crashed,
    /// The machine is off: silence.
    PoweredOff,
}

/// Where a node runs.
enum Hosted<P: Protocol> {
    /// Stepped in-process.
    Local(Box<dyn Node<P = P>>),
    /// Elsewhere (a Web Worker).
    Remote,
}

struct Slot<P: Protocol> {
    hosted: Hosted<P>,
    status: Status,
    disk: Disk<P::Write>,
    disk_latency: Duration,
    timers: BTreeMap<P::Timer, u64>,
    clock: NodeClock,
    /// Inputs that arrived while paused, in order; after a resume they are
    /// released one a round, and anything arriving meanwhile queues behind
    /// them (a stream's order must survive a pause).
    held: VecDeque<Input<P>>,
    /// Bumped at every boot: a rebooted machine does not know its old
    /// connections.
    incarnation: u32,
    /// World time of the last input (a node's inputs never go back in time).
    last_input: Instant,
}

/// What travels on one direction of a stream.
#[derive(Clone, Debug)]
enum Segment<M> {
    Syn,
    Data(M),
    Fin(CloseReason),
}

struct Conn<P: Protocol> {
    /// [opener, acceptor].
    ends: [NodeId; 2],
    /// Each end's incarnation when it joined the connection.
    incarnation: [u32; 2],
    open: [bool; 2],
    /// Latest scheduled arrival towards each end (keeps the stream FIFO).
    last: [Instant; 2],
    /// Next segment number towards each end.
    next_seq: [u64; 2],
    /// Traffic towards each end held while the link is blocked, by number.
    held: [BTreeMap<u64, Segment<P::Msg>>; 2],
    /// The next segment number each end takes in, and segments that came
    /// before their turn (a released hold can land at the same instant as
    /// later traffic): a stream delivers in order, as TCP does.
    expect: [u64; 2],
    early: [BTreeMap<u64, Segment<P::Msg>>; 2],
    /// How long the SYN-ACK takes back, drawn at connect.
    syn_back: Duration,
    /// Whether a reset has been sent back for traffic to a dead end.
    reset_sent: bool,
}

impl<P: Protocol> Conn<P> {
    fn side(&self, n: NodeId) -> Option<usize> {
        self.ends.iter().position(|e| *e == n)
    }
}

enum Ev<P: Protocol> {
    Input {
        node: NodeId,
        input: Input<P>,
    },
    /// Hand a resumed node the next input it held.
    Release {
        node: NodeId,
    },
    Syn {
        conn: ConnId,
    },
    Deliver {
        conn: ConnId,
        to: usize,
        seq: u64,
        msg: P::Msg,
    },
    Fin {
        conn: ConnId,
        to: usize,
        seq: u64,
        reason: CloseReason,
    },
    Datagram {
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
        gen: u64,
    },
    Synced {
        node: NodeId,
        token: u64,
        incarnation: u32,
    },
    Fault(Fault),
}

impl<P: Protocol> Ev<P> {
    /// Handling it reads only its target node's state and draws nothing,
    /// so it may share a round with other nodes' events.
    fn batchable(&self) -> bool {
        !matches!(self, Ev::Syn { .. } | Ev::Fault(_))
    }
}

/// One input of the current round, and its effects once they are known.
struct Dispatched<P: Protocol> {
    at: Instant,
    node: NodeId,
    effects: Option<Vec<Effect<P>>>,
}

/// A deterministic world of nodes speaking protocol `P`.
pub struct World<P: Protocol> {
    /// Time of the event being handled (or of the effects being applied).
    at: Instant,
    /// The latest time handled so far.
    frontier: Instant,
    queue: EventQueue<Ev<P>>,
    nodes: BTreeMap<NodeId, Slot<P>>,
    conns: BTreeMap<ConnId, Conn<P>>,
    net: Network,
    seed: u64,
    links: BTreeMap<(NodeId, NodeId), WorldRng>,
    log: Vec<Entry<P>>,
    hash: TraceHash,
    gen: u64,
    steps: u64,
    rounds: u64,
    inputs: u64,
    budget: u64,
    round: Vec<Dispatched<P>>,
    outbox: Vec<Outgoing<P>>,
}

impl<P: Protocol> World<P> {
    /// An empty world with this seed and network.
    pub fn new(seed: u64, net: Network) -> Self {
        World {
            at: Instant::ZERO,
            frontier: Instant::ZERO,
            queue: EventQueue::default(),
            nodes: BTreeMap::new(),
            conns: BTreeMap::new(),
            net,
            seed,
            links: BTreeMap::new(),
            log: Vec::new(),
            hash: TraceHash::default(),
            gen: 0,
            steps: 0,
            rounds: 0,
            inputs: 0,
            budget: u64::MAX,
            round: Vec::new(),
            outbox: Vec::new(),
        }
    }

    /// A world whose links all take `latency` one way (seed 0).
    pub fn with_latency(latency: Duration) -> Self {
        let mut net = Network::default();
        net.default.latency_us = latency.as_micros();
        World::new(0, net)
    }

    // ------------------------------------------------------------ queries

    /// The latest virtual time the world has reached.
    pub fn now(&self) -> Instant {
        self.frontier
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Inputs handed to nodes (in-process or remote).
    pub fn inputs(&self) -> u64 {
        self.inputs
    }

    /// Rounds that handed inputs to nodes (a remote node's round is one
    /// round trip to it, whatever it carried).
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// Stop a run with [`WorldError::StepBudget`] after this many steps.
    pub fn set_step_budget(&mut self, steps: u64) {
        self.budget = steps;
    }

    pub fn network(&self) -> &Network {
        &self.net
    }

    pub fn status(&self, id: NodeId) -> Option<Status> {
        self.nodes.get(&id).map(|s| s.status)
    }

    pub fn is_running(&self, id: NodeId) -> bool {
        self.status(id) == Some(Status::Up)
    }

    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes.keys().copied()
    }

    /// What a node's disk durably holds.
    pub fn disk(&self, id: NodeId) -> Option<&Disk<P::Write>> {
        self.nodes.get(&id).map(|s| &s.disk)
    }

    /// A node's local time now.
    pub fn local_time(&self, id: NodeId) -> Option<Instant> {
        self.nodes.get(&id).map(|s| s.clock.local(self.frontier))
    }

    /// The trace so far (entries not yet taken).
    pub fn log(&self) -> &[Entry<P>] {
        &self.log
    }

    /// Take the trace so far, leaving it empty (the hash still covers it).
    pub fn take_log(&mut self) -> Vec<Entry<P>> {
        std::mem::take(&mut self.log)
    }

    /// A stable hash of the whole trace so far.
    pub fn trace_hash(&self) -> String {
        self.hash.hex()
    }

    /// How many trace entries have been recorded.
    pub fn trace_len(&self) -> u64 {
        self.hash.entries()
    }

    /// When the next event is due, if any.
    pub fn next_time(&self) -> Option<Instant> {
        self.queue.peek_time()
    }

    /// Whether anything but timers is still scheduled (messages, connects,
    /// syncs, faults) or a round is unfinished.
    pub fn in_flight(&self) -> bool {
        !self.round.is_empty() || self.queue.iter().any(|(_, e)| !matches!(e, Ev::Timer { .. }))
    }

    /// Inputs waiting to be carried to remote nodes.
    pub fn take_outbox(&mut self) -> Vec<Outgoing<P>> {
        std::mem::take(&mut self.outbox)
    }

    /// The remote nodes whose answers the world is waiting for.
    pub fn awaiting(&self) -> Vec<NodeId> {
        self.round.iter().filter(|d| d.effects.is_none()).map(|d| d.node).collect()
    }

    // ------------------------------------------------------------ building

    /// Add an in-process node (not yet running; [`World::boot`] starts it).
    pub fn add_node(&mut self, id: NodeId, node: Box<dyn Node<P = P>>, disk_latency: Duration) {
        self.add_slot(id, Hosted::Local(node), disk_latency);
    }

    /// Add a node that runs elsewhere: its inputs are collected with
    /// [`World::take_outbox`] and its effects handed back with
    /// [`World::complete`].
    pub fn add_remote_node(&mut self, id: NodeId, disk_latency: Duration) {
        self.add_slot(id, Hosted::Remote, disk_latency);
    }

    fn add_slot(&mut self, id: NodeId, hosted: Hosted<P>, disk_latency: Duration) {
        self.nodes.insert(
            id,
            Slot {
                hosted,
                status: Status::PoweredOff,
                disk: Disk::default(),
                disk_latency,
                timers: BTreeMap::new(),
                clock: NodeClock::default(),
                held: VecDeque::new(),
                incarnation: 0,
                last_input: Instant::ZERO,
            },
        );
    }

    /// Start a node now, from what its disk holds.
    pub fn boot(&mut self, id: NodeId) {
        let now = self.frontier;
        let Some(s) = self.nodes.get_mut(&id) else { return };
        s.status = Status::Up;
        s.incarnation += 1;
        s.timers.clear();
        s.held.clear();
        let disk = s.disk.image();
        let life = s.incarnation - 1;
        self.record(now, Record::Boot { node: id });
        self.queue.push_outside(now, Ev::Input { node: id, input: Input::Boot { disk, life } });
    }

    /// A call from outside the protocol, handled now.
    pub fn call(&mut self, id: NodeId, call: P::Call) {
        self.schedule_call(self.frontier, id, call);
    }

    /// A call from outside the protocol, handled at `at`.
    pub fn schedule_call(&mut self, at: Instant, id: NodeId, call: P::Call) {
        let at = at.max(self.frontier);
        self.queue.push_outside(at, Ev::Input { node: id, input: Input::Call(call) });
    }

    /// A fault, now.
    pub fn fault(&mut self, f: Fault) {
        self.schedule_fault(self.frontier, f);
    }

    /// A fault at `at`.
    pub fn schedule_fault(&mut self, at: Instant, f: Fault) {
        let at = at.max(self.frontier);
        self.queue.push_outside(at, Ev::Fault(f));
    }

    /// Process crash, now (shorthand for the fault).
    pub fn crash(&mut self, id: NodeId, lose_unsynced: bool) {
        self.apply_fault(if lose_unsynced {
            Fault::PowerOff { node: id, lose_unsynced: true }
        } else {
            Fault::Crash { node: id }
        });
    }

    /// Restart a crashed node now (shorthand for the fault).
    pub fn restart(&mut self, id: NodeId) {
        self.apply_fault(Fault::Restart { node: id });
    }

    /// Move the clock to `t` if nothing is due before then and no round is
    /// unfinished (a host in real time calls this, so calls made now happen
    /// at the present).
    pub fn idle_until(&mut self, t: Instant) {
        let free = self.round.is_empty() && self.next_time().is_none_or(|n| n >= t);
        if free && t > self.frontier {
            self.frontier = t;
            self.at = t;
        }
    }

    // ------------------------------------------------------------ running

    /// Run one round.
    pub fn step(&mut self) -> Stepped {
        if !self.round.is_empty() {
            return if self.finish_round() { Stepped::Ran } else { Stepped::Waiting };
        }
        if self.steps >= self.budget {
            return Stepped::OverBudget;
        }
        let Some((at, ev)) = self.queue.pop() else { return Stepped::Idle };
        self.enter(at);
        let batchable = ev.batchable();
        self.handle(ev);
        if batchable && !self.round.is_empty() {
            let window = at + self.net.min_latency();
            while let Some(next) = self.queue.peek_time() {
                if next >= window || self.steps >= self.budget {
                    break;
                }
                let joins = self.queue.iter().next().is_some_and(|(t, e)| self.joins_round(t, e));
                if !joins {
                    break;
                }
                let Some((t, e)) = self.queue.pop() else { break };
                self.enter(t);
                self.handle(e);
            }
        }
        if self.finish_round() {
            Stepped::Ran
        } else {
            Stepped::Waiting
        }
    }

    fn enter(&mut self, at: Instant) {
        self.steps += 1;
        self.at = at;
        self.frontier = self.frontier.max(at);
    }

    /// Whether an event may join the round being built: its node is not in
    /// it yet, or is in it at this very instant. (Whatever the round's
    /// inputs cause for that node lands at this instant or later, and at
    /// this instant it is queued behind the events already there — so
    /// handing them over together changes nothing a node sees.)
    fn joins_round(&self, t: Instant, e: &Ev<P>) -> bool {
        if !e.batchable() {
            return false;
        }
        let Some(node) = self.target(e) else { return false };
        self.round.iter().filter(|d| d.node == node).all(|d| d.at == t)
    }

    /// The node an event will hand an input to.
    fn target(&self, e: &Ev<P>) -> Option<NodeId> {
        match e {
            Ev::Input { node, .. } | Ev::Release { node } | Ev::Timer { node, .. } | Ev::Synced { node, .. } => {
                Some(*node)
            }
            Ev::Datagram { to, .. } => Some(*to),
            Ev::Deliver { conn, to, .. } | Ev::Fin { conn, to, .. } => self.conns.get(conn).map(|c| c.ends[*to]),
            Ev::Syn { .. } | Ev::Fault(_) => None,
        }
    }

    /// Run rounds until everything due by `t` has run (the clock then
    /// reads `t`) or a remote node's answer is needed: then the caller
    /// carries the outbox, hands the answers to [`World::complete`] and
    /// calls again. `after_round` sees the world after each round (to take
    /// its log as it grows).
    pub fn advance(&mut self, t: Instant, mut after_round: impl FnMut(&mut Self)) -> Result<Progress, WorldError> {
        loop {
            if self.next_time().is_none_or(|n| n > t) && self.awaiting().is_empty() {
                self.idle_until(t);
                after_round(self);
                return Ok(Progress::Reached);
            }
            let stepped = self.step();
            after_round(self);
            match stepped {
                Stepped::Ran | Stepped::Idle => {}
                Stepped::Waiting => return Ok(Progress::Waiting),
                Stepped::OverBudget => return Err(WorldError::StepBudget { steps: self.steps(), at: self.now() }),
            }
        }
    }

    /// Step until `done` holds, the queue empties, or `deadline` passes.
    /// Returns whether `done` held. A remote node's pending answer ends it.
    pub fn run_until(&mut self, deadline: Instant, mut done: impl FnMut(&Self) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            if self.round.is_empty() && self.next_time().is_none_or(|t| t > deadline) {
                return done(self);
            }
            match self.step() {
                Stepped::Ran => {}
                Stepped::Waiting | Stepped::Idle | Stepped::OverBudget => return done(self),
            }
        }
    }

    /// Run everything due up to `t`, then move the clock there.
    pub fn run_to(&mut self, t: Instant) -> Result<(), WorldError> {
        loop {
            if self.round.is_empty() && self.next_time().is_none_or(|n| n > t) {
                self.idle_until(t);
                return Ok(());
            }
            match self.step() {
                Stepped::Ran => {}
                Stepped::Idle => {}
                Stepped::Waiting => {
                    let node = self.awaiting().first().copied().unwrap_or(NodeId(0));
                    return Err(WorldError::Waiting { node });
                }
                Stepped::OverBudget => return Err(WorldError::StepBudget { steps: self.steps, at: self.frontier }),
            }
        }
    }

    /// A remote node answered an input with `effects`. A round may hand one
    /// node several inputs (all at one instant); its answers must come back
    /// in the order the inputs went out, as a worker steps them in turn.
    /// The round's effects are applied once every answer is in.
    pub fn complete(&mut self, node: NodeId, effects: Vec<Effect<P>>) -> Result<(), String> {
        let Some(d) = self.round.iter_mut().find(|d| d.node == node && d.effects.is_none()) else {
            return Err(format!("effects from node {node}, which has no input outstanding"));
        };
        d.effects = Some(effects);
        self.finish_round();
        Ok(())
    }

    /// Apply the round's effects in (time, node) order if all are in.
    fn finish_round(&mut self) -> bool {
        if self.round.iter().any(|d| d.effects.is_none()) {
            return false;
        }
        if !self.round.is_empty() {
            self.rounds += 1;
        }
        let mut round = std::mem::take(&mut self.round);
        round.sort_by_key(|d| (d.at, d.node));
        for d in round {
            // A node that died meanwhile left no mark.
            if self.status(d.node) != Some(Status::Up) {
                continue;
            }
            self.at = d.at;
            for e in d.effects.unwrap_or_default() {
                self.apply(d.node, e);
            }
        }
        self.at = self.frontier;
        true
    }

    // ----------------------------------------------------------- handling

    fn record(&mut self, at: Instant, what: Record<P>) {
        let e = Entry { at, what };
        self.hash.add(&e);
        self.log.push(e);
    }

    /// The delay of a stream segment, drawn from the link's own stream.
    fn stream_delay(&mut self, from: NodeId, to: NodeId) -> Duration {
        let seed = self.seed;
        let rng = self.links.entry((from, to)).or_insert_with(|| WorldRng::stream(seed, Stream::Link(from.0, to.0)));
        self.net.stream_delay(rng, from, to)
    }

    /// The copies of a datagram, drawn from the link's own stream.
    fn datagram_copies(&mut self, from: NodeId, to: NodeId) -> Vec<Duration> {
        let seed = self.seed;
        let rng = self.links.entry((from, to)).or_insert_with(|| WorldRng::stream(seed, Stream::Link(from.0, to.0)));
        self.net.datagram_copies(rng, from, to)
    }

    /// Turn an event into an input for its node (or handle it outright).
    fn handle(&mut self, ev: Ev<P>) {
        match ev {
            Ev::Input { node, input } => self.deliver_input(node, input),
            Ev::Release { node } => {
                let Some(slot) = self.nodes.get_mut(&node) else { return };
                if slot.status != Status::Up {
                    return;
                }
                let Some(input) = slot.held.pop_front() else { return };
                if !slot.held.is_empty() {
                    self.queue.push(self.at, Ev::Release { node });
                }
                self.run_input(node, input);
            }
            Ev::Syn { conn } => self.syn(conn),
            Ev::Deliver { conn, to, seq, msg } => self.arrive(conn, to, seq, Segment::Data(msg)),
            Ev::Fin { conn, to, seq, reason } => self.arrive(conn, to, seq, Segment::Fin(reason)),
            Ev::Datagram { from, to, msg } => {
                if !self.net.reachable(from, to) {
                    self.record(self.at, Record::Drop { from, to, why: DropReason::Unreachable });
                } else if !matches!(self.status(to), Some(Status::Up | Status::Paused)) {
                    self.record(self.at, Record::Drop { from, to, why: DropReason::NodeDown });
                } else {
                    self.record(self.at, Record::DeliverDatagram { from, to, msg: msg.clone() });
                    self.deliver_input(to, Input::Datagram { from, msg });
                }
            }
            Ev::Timer { node, timer, gen } => {
                let live = self.nodes.get(&node).is_some_and(|s| s.timers.get(&timer) == Some(&gen));
                if live {
                    if let Some(s) = self.nodes.get_mut(&node) {
                        s.timers.remove(&timer);
                    }
                    self.record(self.at, Record::Timer { node, timer: timer.clone() });
                    self.deliver_input(node, Input::Timer(timer));
                }
            }
            Ev::Synced { node, token, incarnation } => {
                let current = self.nodes.get(&node).is_some_and(|s| s.incarnation == incarnation);
                if current {
                    if let Some(s) = self.nodes.get_mut(&node) {
                        s.disk.finish_sync(token);
                    }
                    self.record(self.at, Record::Synced { node, token });
                    self.deliver_input(node, Input::Synced { token });
                }
            }
            Ev::Fault(f) => self.apply_fault(f),
        }
    }

    /// Hand an input to a node: now if it runs, later if it is paused,
    /// never if it is down.
    fn deliver_input(&mut self, id: NodeId, input: Input<P>) {
        let now = self.at;
        let Some(slot) = self.nodes.get_mut(&id) else { return };
        match slot.status {
            Status::Up if slot.held.is_empty() => {}
            Status::Up | Status::Paused => {
                slot.held.push_back(input);
                return;
            }
            Status::Crashed | Status::PoweredOff => return,
        }
        let _ = now;
        self.run_input(id, input);
    }

    /// Step a running node with an input.
    fn run_input(&mut self, id: NodeId, input: Input<P>) {
        self.inputs += 1;
        let now = self.at;
        let Some(slot) = self.nodes.get_mut(&id) else { return };
        let at = now.max(slot.last_input);
        slot.last_input = at;
        let local = slot.clock.local(at);
        match &mut slot.hosted {
            Hosted::Local(node) => {
                let mut out = Vec::new();
                node.step(local, input, &mut out);
                self.round.push(Dispatched { at, node: id, effects: Some(out) });
            }
            Hosted::Remote => {
                self.outbox.push(Outgoing { node: id, now: local, input });
                self.round.push(Dispatched { at, node: id, effects: None });
            }
        }
    }

    /// A connect reaches its target.
    fn syn(&mut self, id: ConnId) {
        let now = self.at;
        let Some(c) = self.conns.get(&id) else { return };
        let [opener, target] = c.ends;
        if !c.open[0] {
            // The opener gave up before the SYN arrived.
            self.conns.remove(&id);
            return;
        }
        let back = now + c.syn_back;
        match self.status(target) {
            Some(Status::Up | Status::Paused) => {
                let inc = self.nodes.get(&target).map_or(0, |s| s.incarnation);
                if let Some(c) = self.conns.get_mut(&id) {
                    c.open[1] = true;
                    c.incarnation[1] = inc;
                    // The SYN was segment 0 towards the acceptor.
                    c.expect[1] = 1;
                    c.last[0] = c.last[0].max(back);
                }
                self.record(now, Record::Accept { conn: id, node: target, from: opener });
                self.deliver_input(target, Input::Accepted { conn: id, from: opener });
                self.queue.push(back, Ev::Input { node: opener, input: Input::Connected { conn: id } });
            }
            Some(Status::Crashed) | None => {
                self.conns.remove(&id);
                self.record(back, Record::Closed { conn: id, node: opener, reason: CloseReason::Refused });
                self.queue.push(
                    back,
                    Ev::Input { node: opener, input: Input::Closed { conn: id, reason: CloseReason::Refused } },
                );
            }
            Some(Status::PoweredOff) => {
                // Nobody answers; the opener's own timeout will notice.
                self.conns.remove(&id);
            }
        }
    }

    /// A segment reaches end `to` of a stream.
    fn arrive(&mut self, id: ConnId, to: usize, seq: u64, seg: Segment<P::Msg>) {
        let Some(c) = self.conns.get_mut(&id) else { return };
        let (from_node, to_node) = (c.ends[1 - to], c.ends[to]);
        if !self.net.stream_open(from_node, to_node) {
            c.held[to].insert(seq, seg);
            return;
        }
        if seq != c.expect[to] {
            c.early[to].insert(seq, seg);
            return;
        }
        let mut next = Some(seg);
        while let Some(seg) = next.take() {
            self.take_in(id, to, seg);
            let Some(c) = self.conns.get_mut(&id) else { return };
            c.expect[to] += 1;
            let e = c.expect[to];
            next = c.early[to].remove(&e);
        }
    }

    /// A segment's turn has come: hand it to its end.
    fn take_in(&mut self, id: ConnId, to: usize, seg: Segment<P::Msg>) {
        let now = self.at;
        let Some(c) = self.conns.get_mut(&id) else { return };
        let (from_node, to_node) = (c.ends[1 - to], c.ends[to]);
        let to_inc = self.nodes.get(&to_node).map_or(0, |s| s.incarnation);
        let status = self.nodes.get(&to_node).map(|s| s.status);
        if !c.open[to] {
            let rebooted = matches!(status, Some(Status::Up | Status::Paused)) && to_inc != c.incarnation[to];
            let crashed = status == Some(Status::Crashed);
            // A live kernel that does not know the connection answers with a
            // reset; a dead machine says nothing.
            if (rebooted || crashed) && !c.reset_sent && c.open[1 - to] {
                c.reset_sent = true;
                self.send_segment(id, 1 - to, Segment::Fin(CloseReason::Reset));
            }
            self.record(now, Record::Drop { from: from_node, to: to_node, why: DropReason::Closed });
            return;
        }
        match seg {
            Segment::Syn => {}
            Segment::Data(msg) => {
                self.record(now, Record::Deliver { conn: id, from: from_node, to: to_node, msg: msg.clone() });
                self.deliver_input(to_node, Input::Received { conn: id, msg });
            }
            Segment::Fin(reason) => {
                c.open[to] = false;
                if !c.open[0] && !c.open[1] {
                    self.conns.remove(&id);
                }
                self.record(now, Record::Closed { conn: id, node: to_node, reason });
                self.deliver_input(to_node, Input::Closed { conn: id, reason });
            }
        }
    }

    /// Put a segment on a stream towards end `to`: after the link's delay
    /// and behind everything already sent, or held while the link is
    /// blocked.
    fn send_segment(&mut self, id: ConnId, to: usize, seg: Segment<P::Msg>) -> Option<Instant> {
        let now = self.at;
        let c = self.conns.get(&id)?;
        let (from, dest) = (c.ends[1 - to], c.ends[to]);
        let open = self.net.stream_open(from, dest);
        let delay = if open { Some(self.stream_delay(from, dest)) } else { None };
        let c = self.conns.get_mut(&id)?;
        let seq = c.next_seq[to];
        c.next_seq[to] += 1;
        let Some(delay) = delay else {
            c.held[to].insert(seq, seg);
            return None;
        };
        let at = (now + delay).max(c.last[to]);
        c.last[to] = at;
        self.queue.push(at, segment_event(id, to, seq, seg));
        Some(at)
    }

    /// Send what blocked links held, now that they may be open again.
    fn release_held(&mut self) {
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            for to in 0..2 {
                let Some(c) = self.conns.get(&id) else { continue };
                if c.held[to].is_empty() || !self.net.stream_open(c.ends[0], c.ends[1]) {
                    continue;
                }
                let (from, dest) = (c.ends[1 - to], c.ends[to]);
                let held = std::mem::take(
                    &mut self.conns.get_mut(&id).map(|c| std::mem::take(&mut c.held[to])).unwrap_or_default(),
                );
                for (seq, seg) in held {
                    let delay = self.stream_delay(from, dest);
                    let Some(c) = self.conns.get_mut(&id) else { break };
                    let at = (self.at + delay).max(c.last[to]);
                    c.last[to] = at;
                    self.queue.push(at, segment_event(id, to, seq, seg));
                }
            }
        }
    }

    /// Carry out one effect of node `id`.
    fn apply(&mut self, id: NodeId, e: Effect<P>) {
        let now = self.at;
        match e {
            Effect::Connect { conn, to } => {
                let inc = self.nodes.get(&id).map_or(0, |s| s.incarnation);
                let back = self.stream_delay(to, id);
                self.conns.insert(
                    conn,
                    Conn {
                        ends: [id, to],
                        incarnation: [inc, 0],
                        open: [true, false],
                        last: [now, now],
                        next_seq: [0, 0],
                        held: [BTreeMap::new(), BTreeMap::new()],
                        expect: [0, 0],
                        early: [BTreeMap::new(), BTreeMap::new()],
                        syn_back: back,
                        reset_sent: false,
                    },
                );
                self.record(now, Record::Connect { conn, from: id, to });
                self.send_segment(conn, 1, Segment::Syn);
            }
            Effect::Send { conn, msg } => {
                let Some(c) = self.conns.get(&conn) else { return };
                let Some(me) = c.side(id) else { return };
                if !c.open[me] {
                    return;
                }
                let to = c.ends[1 - me];
                let arrive = self.send_segment(conn, 1 - me, Segment::Data(msg.clone()));
                self.record(now, Record::Send { conn, from: id, to, msg, arrive });
            }
            Effect::Close { conn } => {
                let Some(c) = self.conns.get_mut(&conn) else { return };
                let Some(me) = c.side(id) else { return };
                if !c.open[me] {
                    return;
                }
                c.open[me] = false;
                let peer_open = c.open[1 - me];
                self.record(now, Record::Closed { conn, node: id, reason: CloseReason::PeerClosed });
                if peer_open {
                    self.send_segment(conn, 1 - me, Segment::Fin(CloseReason::PeerClosed));
                } else if let Some(c) = self.conns.get(&conn) {
                    if !c.open[0] && !c.open[1] && c.held[0].is_empty() && c.held[1].is_empty() {
                        self.conns.remove(&conn);
                    }
                }
            }
            Effect::SendDatagram { to, msg } => {
                let copies = if self.net.reachable(id, to) { self.datagram_copies(id, to) } else { Vec::new() };
                let arrive: Vec<Instant> = copies.iter().map(|d| now + *d).collect();
                for at in &arrive {
                    self.queue.push(*at, Ev::Datagram { from: id, to, msg: msg.clone() });
                }
                let lost = arrive.is_empty();
                let why = if self.net.reachable(id, to) { DropReason::Lost } else { DropReason::Unreachable };
                self.record(now, Record::SendDatagram { from: id, to, msg, arrive });
                if lost {
                    self.record(now, Record::Drop { from: id, to, why });
                }
            }
            Effect::SetTimer { timer, at } => {
                self.gen += 1;
                let gen = self.gen;
                let Some(s) = self.nodes.get_mut(&id) else { return };
                s.timers.insert(timer.clone(), gen);
                let when = s.clock.world(at).max(now);
                self.queue.push(when, Ev::Timer { node: id, timer, gen });
            }
            Effect::CancelTimer { timer } => {
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.timers.remove(&timer);
                }
            }
            Effect::Write { write } => {
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.disk.write(write.clone());
                }
                self.record(now, Record::Write { node: id, write });
            }
            Effect::Sync { token } => {
                let Some(s) = self.nodes.get_mut(&id) else { return };
                s.disk.begin_sync(token);
                let (at, incarnation) = (now + s.disk_latency, s.incarnation);
                self.queue.push(at, Ev::Synced { node: id, token, incarnation });
                self.record(now, Record::Sync { node: id, token });
            }
            Effect::Emit { event } => self.record(now, Record::Emit { node: id, event }),
        }
    }

    // -------------------------------------------------------------- faults

    /// Carry out a fault now.
    pub fn apply_fault(&mut self, f: Fault) {
        let now = self.at;
        self.record(now, Record::Fault { fault: f.clone() });
        match f {
            Fault::Crash { node } => self.kill(node, Status::Crashed, false),
            Fault::PowerOff { node, lose_unsynced } => self.kill(node, Status::PoweredOff, lose_unsynced),
            Fault::Pause { node } => {
                if let Some(s) = self.nodes.get_mut(&node) {
                    if s.status == Status::Up {
                        s.status = Status::Paused;
                    }
                }
            }
            Fault::Resume { node } => {
                let Some(s) = self.nodes.get_mut(&node) else { return };
                if s.status != Status::Paused {
                    return;
                }
                s.status = Status::Up;
                // What waited arrives now, in order, one input per round.
                if !s.held.is_empty() {
                    self.queue.push(now, Ev::Release { node });
                }
            }
            Fault::Restart { node } => {
                if matches!(self.status(node), Some(Status::Crashed | Status::PoweredOff)) {
                    self.boot(node);
                }
            }
            Fault::Partition { groups } => {
                self.net.partition = groups.into_iter().map(|g| g.into_iter().collect()).collect();
                self.release_held();
            }
            Fault::Heal => {
                self.net.partition.clear();
                self.net.cuts.clear();
                self.release_held();
            }
            Fault::Cut { from, to, both } => {
                self.net.cuts.insert((from, to));
                if both {
                    self.net.cuts.insert((to, from));
                }
            }
            Fault::Restore { from, to, both } => {
                self.net.cuts.remove(&(from, to));
                if both {
                    self.net.cuts.remove(&(to, from));
                }
                self.release_held();
            }
            Fault::SetLink { from, to, spec } => match (from, to) {
                (Some(a), Some(b)) => {
                    self.net.links.insert((a, b), spec);
                }
                _ => {
                    self.net.default = spec;
                    self.net.links.clear();
                }
            },
            Fault::Drift { node, ppm } => {
                if let Some(s) = self.nodes.get_mut(&node) {
                    s.clock.set_drift(now, ppm);
                }
            }
            Fault::DiskLatency { node, latency_us } => {
                if let Some(s) = self.nodes.get_mut(&node) {
                    s.disk_latency = Duration::from_micros(latency_us);
                }
            }
        }
    }

    /// A process or machine dies.
    fn kill(&mut self, node: NodeId, status: Status, lose_unsynced: bool) {
        let Some(s) = self.nodes.get_mut(&node) else { return };
        if matches!(s.status, Status::Crashed | Status::PoweredOff) {
            return;
        }
        s.status = status;
        s.timers.clear();
        s.held.clear();
        s.disk.crash(lose_unsynced);
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            let Some(c) = self.conns.get_mut(&id) else { continue };
            let Some(me) = c.side(node) else { continue };
            if !c.open[me] {
                continue;
            }
            c.open[me] = false;
            let peer_open = c.open[1 - me];
            // A dead process's kernel resets its sockets; a dead machine is
            // silent.
            if status == Status::Crashed && peer_open {
                c.reset_sent = true;
                self.send_segment(id, 1 - me, Segment::Fin(CloseReason::Reset));
            }
        }
    }
}

fn segment_event<P: Protocol>(conn: ConnId, to: usize, seq: u64, seg: Segment<P::Msg>) -> Ev<P> {
    match seg {
        Segment::Syn => Ev::Syn { conn },
        Segment::Data(msg) => Ev::Deliver { conn, to, seq, msg },
        Segment::Fin(reason) => Ev::Fin { conn, to, seq, reason },
    }
}
