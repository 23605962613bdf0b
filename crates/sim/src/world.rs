//! The world: nodes, the event queue, stream connections and disks. One
//! step takes the earliest event, turns it into one node input, and
//! applies the effects the node answers with.

use crate::disk::Disk;
use crate::queue::EventQueue;
use actor::{CloseReason, ConnId, Duration, Effect, Input, Instant, Node, NodeId, Protocol};
use std::collections::BTreeMap;

/// Something the world recorded, in the order it happened.
#[derive(Clone, Debug)]
pub enum Record<P: Protocol> {
    Emit { node: NodeId, event: P::Event },
    Call { node: NodeId, call: P::Call },
    Send { conn: ConnId, from: NodeId, to: NodeId, msg: P::Msg },
    Deliver { conn: ConnId, to: NodeId, msg: P::Msg },
    Drop { conn: ConnId, to: NodeId, why: &'static str },
}

/// An entry of the world's log: when, and what.
#[derive(Clone, Debug)]
pub struct Entry<P: Protocol> {
    pub at: Instant,
    pub what: Record<P>,
}

enum Ev<P: Protocol> {
    /// Hand `input` to `node`.
    Input {
        node: NodeId,
        input: Input<P>,
    },
    /// A connect reaches its target.
    Syn {
        conn: ConnId,
        from: NodeId,
        to: NodeId,
    },
    /// A message reaches the far end of a connection.
    Deliver {
        conn: ConnId,
        to: NodeId,
        msg: P::Msg,
    },
    /// The far end learns the connection ended.
    Fin {
        conn: ConnId,
        to: NodeId,
        reason: CloseReason,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
        gen: u64,
    },
    Synced {
        node: NodeId,
        token: u64,
    },
}

/// Where a node runs.
enum Hosted<P: Protocol> {
    /// Stepped in-process; its effects come back at once.
    Local(Box<dyn Node<P = P>>),
    /// Elsewhere (a Web Worker): its inputs go to the outbox and the world
    /// waits until [`World::complete`] hands back its effects.
    Remote,
}

struct Slot<P: Protocol> {
    hosted: Hosted<P>,
    up: bool,
    disk: Disk<P::Write>,
    disk_latency: Duration,
    timers: BTreeMap<P::Timer, u64>,
}

#[derive(Clone, Debug)]
struct Conn {
    ends: [NodeId; 2],
    /// Whether each end still has the connection open.
    open: [bool; 2],
    /// Last scheduled delivery time towards each end (keeps streams FIFO).
    last: [Instant; 2],
}

impl Conn {
    fn side(&self, n: NodeId) -> Option<usize> {
        self.ends.iter().position(|e| *e == n)
    }
}

/// What one call of [`World::step`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepped {
    /// An event ran (and its effects, if any, were applied).
    Ran,
    /// An input went to a remote node; nothing more runs until its
    /// effects come back through [`World::complete`].
    Waiting,
    /// Nothing is scheduled.
    Idle,
}

/// An input for a remote node, to be carried to it by the host.
#[derive(Clone, Debug)]
pub struct Outgoing<P: Protocol> {
    pub node: NodeId,
    pub now: Instant,
    pub input: Input<P>,
}

/// A deterministic world of nodes speaking protocol `P`.
pub struct World<P: Protocol> {
    now: Instant,
    queue: EventQueue<Ev<P>>,
    nodes: BTreeMap<NodeId, Slot<P>>,
    conns: BTreeMap<ConnId, Conn>,
    latency: Duration,
    log: Vec<Entry<P>>,
    gen: u64,
    steps: u64,
    /// Inputs for remote nodes, not yet taken by the host.
    outbox: Vec<Outgoing<P>>,
    /// The remote node whose effects the world is waiting for.
    awaiting: Option<NodeId>,
}

impl<P: Protocol> World<P> {
    /// An empty world whose links all take `latency` one way.
    pub fn new(latency: Duration) -> Self {
        World {
            now: Instant::ZERO,
            queue: EventQueue::default(),
            nodes: BTreeMap::new(),
            conns: BTreeMap::new(),
            latency,
            log: Vec::new(),
            gen: 0,
            steps: 0,
            outbox: Vec::new(),
            awaiting: None,
        }
    }

    pub fn now(&self) -> Instant {
        self.now
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

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
        self.nodes.insert(id, Slot { hosted, up: false, disk: Disk::default(), disk_latency, timers: BTreeMap::new() });
    }

    /// Inputs waiting to be carried to remote nodes.
    pub fn take_outbox(&mut self) -> Vec<Outgoing<P>> {
        std::mem::take(&mut self.outbox)
    }

    /// The remote node the world is waiting for, if any.
    pub fn awaiting(&self) -> Option<NodeId> {
        self.awaiting
    }

    /// A remote node answered its input with `effects`; apply them at the
    /// time of that input and let the world go on.
    pub fn complete(&mut self, node: NodeId, effects: Vec<Effect<P>>) -> Result<(), String> {
        if self.awaiting != Some(node) {
            return Err(format!("effects from node {node}, which has no input outstanding"));
        }
        self.awaiting = None;
        if !self.is_up(node) {
            // It crashed while its answer was on the way: nothing of it counts.
            return Ok(());
        }
        for e in effects {
            self.apply(node, e);
        }
        Ok(())
    }

    /// Start a node now, from what its disk holds.
    pub fn boot(&mut self, id: NodeId) {
        if let Some(s) = self.nodes.get_mut(&id) {
            s.up = true;
            let disk = s.disk.image();
            self.queue.push(self.now, Ev::Input { node: id, input: Input::Boot { disk } });
        }
    }

    /// The process of node `id` dies now: its memory and timers are gone,
    /// its disk keeps what was synced (and, unless `lose_unsynced`, what the
    /// kernel still had), and its peers see their connections reset after
    /// one link latency.
    pub fn crash(&mut self, id: NodeId, lose_unsynced: bool) {
        let Some(s) = self.nodes.get_mut(&id) else { return };
        if !s.up {
            return;
        }
        s.up = false;
        s.timers.clear();
        s.disk.crash(lose_unsynced);
        let lat = self.latency;
        let now = self.now;
        let mut resets = Vec::new();
        for (conn, c) in self.conns.iter_mut() {
            let Some(me) = c.side(id) else { continue };
            c.open[me] = false;
            let peer = 1 - me;
            if c.open[peer] {
                resets.push((*conn, c.ends[peer], (now + lat).max(c.last[peer])));
            }
        }
        for (conn, to, at) in resets {
            self.queue.push(at, Ev::Fin { conn, to, reason: CloseReason::Reset });
        }
    }

    /// Start a crashed node again: a new process that boots from its disk.
    pub fn restart(&mut self, id: NodeId) {
        if self.nodes.get(&id).is_some_and(|s| !s.up) {
            self.boot(id);
        }
    }

    /// Whether node `id` is running.
    pub fn is_running(&self, id: NodeId) -> bool {
        self.is_up(id)
    }

    /// A call from outside the protocol, handled now.
    pub fn call(&mut self, id: NodeId, call: P::Call) {
        self.log.push(Entry { at: self.now, what: Record::Call { node: id, call: call.clone() } });
        self.queue.push(self.now, Ev::Input { node: id, input: Input::Call(call) });
    }

    /// The log so far.
    pub fn log(&self) -> &[Entry<P>] {
        &self.log
    }

    /// Take the log, leaving it empty.
    pub fn take_log(&mut self) -> Vec<Entry<P>> {
        std::mem::take(&mut self.log)
    }

    /// Move the clock to `t` if nothing is due before then and no remote
    /// node's answer is outstanding (a host in real time calls this, so
    /// calls made now happen at the present).
    pub fn idle_until(&mut self, t: Instant) {
        let free = self.awaiting.is_none() && self.next_time().is_none_or(|n| n >= t);
        if free && t > self.now {
            self.now = t;
        }
    }

    /// When the next event is due, if any.
    pub fn next_time(&self) -> Option<Instant> {
        self.queue.peek_time()
    }

    /// Whether any message, connect or sync is still on its way (timers
    /// do not count).
    pub fn in_flight(&self) -> bool {
        self.queue.iter().any(|(_, e)| !matches!(e, Ev::Timer { .. }))
    }

    /// Run one event.
    pub fn step(&mut self) -> Stepped {
        if self.awaiting.is_some() {
            return Stepped::Waiting;
        }
        let Some((at, ev)) = self.queue.pop() else {
            return Stepped::Idle;
        };
        self.now = self.now.max(at);
        self.steps += 1;
        match ev {
            Ev::Input { node, input } => self.deliver_input(node, input),
            Ev::Syn { conn, from, to } => self.syn(conn, from, to),
            Ev::Deliver { conn, to, msg } => {
                let open = self.conns.get(&conn).and_then(|c| c.side(to).map(|s| c.open[s])).unwrap_or(false);
                if open && self.is_up(to) {
                    self.log.push(Entry { at: self.now, what: Record::Deliver { conn, to, msg: msg.clone() } });
                    self.deliver_input(to, Input::Received { conn, msg });
                } else {
                    self.log.push(Entry { at: self.now, what: Record::Drop { conn, to, why: "connection closed" } });
                }
            }
            Ev::Fin { conn, to, reason } => {
                let Some(c) = self.conns.get_mut(&conn) else {
                    return Stepped::Ran;
                };
                let Some(side) = c.side(to) else { return Stepped::Ran };
                if c.open[side] {
                    c.open[side] = false;
                    if !c.open[0] && !c.open[1] {
                        self.conns.remove(&conn);
                    }
                    self.deliver_input(to, Input::Closed { conn, reason });
                }
            }
            Ev::Timer { node, timer, gen } => {
                let live = self.nodes.get(&node).is_some_and(|s| s.timers.get(&timer) == Some(&gen));
                if live {
                    if let Some(s) = self.nodes.get_mut(&node) {
                        s.timers.remove(&timer);
                    }
                    self.deliver_input(node, Input::Timer(timer));
                }
            }
            Ev::Synced { node, token } => {
                if let Some(s) = self.nodes.get_mut(&node) {
                    s.disk.finish_sync(token);
                }
                self.deliver_input(node, Input::Synced { token });
            }
        }
        if self.awaiting.is_some() {
            Stepped::Waiting
        } else {
            Stepped::Ran
        }
    }

    /// Step until `done` holds, the queue empties, or `deadline` passes.
    /// Returns whether `done` held.
    pub fn run_until(&mut self, deadline: Instant, mut done: impl FnMut(&Self) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            match self.next_time() {
                Some(t) if t <= deadline && self.awaiting.is_none() => {
                    self.step();
                }
                _ => return done(self),
            }
        }
    }

    fn is_up(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|s| s.up)
    }

    fn syn(&mut self, conn: ConnId, from: NodeId, to: NodeId) {
        let back = self.now + self.latency;
        if self.is_up(to) {
            self.conns.insert(conn, Conn { ends: [from, to], open: [true, true], last: [back, self.now] });
            self.deliver_input(to, Input::Accepted { conn, from });
            self.queue.push(back, Ev::Input { node: from, input: Input::Connected { conn } });
        } else {
            self.queue
                .push(back, Ev::Input { node: from, input: Input::Closed { conn, reason: CloseReason::Refused } });
        }
    }

    fn deliver_input(&mut self, id: NodeId, input: Input<P>) {
        let now = self.now;
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if !slot.up {
            return;
        }
        match &mut slot.hosted {
            Hosted::Local(node) => {
                let mut out = Vec::new();
                node.step(now, input, &mut out);
                for e in out {
                    self.apply(id, e);
                }
            }
            Hosted::Remote => {
                self.outbox.push(Outgoing { node: id, now, input });
                self.awaiting = Some(id);
            }
        }
    }

    /// Carry out one effect of node `id`.
    fn apply(&mut self, id: NodeId, e: Effect<P>) {
        let now = self.now;
        match e {
            Effect::Connect { conn, to } => {
                self.queue.push(now + self.latency, Ev::Syn { conn, from: id, to });
            }
            Effect::Send { conn, msg } => {
                let lat = self.latency;
                let Some(c) = self.conns.get_mut(&conn) else {
                    return;
                };
                let (Some(me), true) = (c.side(id), c.ends.len() == 2) else {
                    return;
                };
                if !c.open[me] {
                    return;
                }
                let peer = 1 - me;
                let at = (now + lat).max(c.last[peer]);
                c.last[peer] = at;
                let to = c.ends[peer];
                self.log.push(Entry { at: now, what: Record::Send { conn, from: id, to, msg: msg.clone() } });
                self.queue.push(at, Ev::Deliver { conn, to, msg });
            }
            Effect::Close { conn } => {
                let lat = self.latency;
                let Some(c) = self.conns.get_mut(&conn) else {
                    return;
                };
                let Some(me) = c.side(id) else { return };
                if !c.open[me] {
                    return;
                }
                c.open[me] = false;
                let peer = 1 - me;
                let at = (now + lat).max(c.last[peer]);
                let to = c.ends[peer];
                self.queue.push(at, Ev::Fin { conn, to, reason: CloseReason::PeerClosed });
            }
            Effect::SendDatagram { .. } => {}
            Effect::SetTimer { timer, at } => {
                self.gen += 1;
                let gen = self.gen;
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.timers.insert(timer.clone(), gen);
                }
                self.queue.push(at.max(now), Ev::Timer { node: id, timer, gen });
            }
            Effect::CancelTimer { timer } => {
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.timers.remove(&timer);
                }
            }
            Effect::Write { write } => {
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.disk.write(write);
                }
            }
            Effect::Sync { token } => {
                if let Some(s) = self.nodes.get_mut(&id) {
                    s.disk.begin_sync(token);
                    let at = now + s.disk_latency;
                    self.queue.push(at, Ev::Synced { node: id, token });
                }
            }
            Effect::Emit { event } => {
                self.log.push(Entry { at: now, what: Record::Emit { node: id, event } });
            }
        }
    }
}
