//! One Multi-Paxos replica: proposer (leader when elected), acceptor and
//! learner in one sans-IO node.

use super::acceptor::Acceptor;
use super::kv::Kv;
use super::{Call, Command, Event, Msg, MultiPaxos, Slot, Timer, Write};
use crate::Ballot;
use actor::{Duration, Effect, Effects, Input, Instant, Node, NodeId};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod leader;
mod learner;

/// A replica's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub me: NodeId,
    /// Every replica, `me` included.
    pub replicas: Vec<NodeId>,
    /// Seeds the election-timeout draws (ChaCha8), mixed with `me` and the
    /// boot count.
    pub seed: u64,
    /// The leader's heartbeat and every retransmission period, ms.
    pub heartbeat_ms: u64,
    /// A follower that hears no leader for this long (plus a random draw
    /// of up to as much again) runs phase 1, ms.
    pub leader_timeout_ms: u64,
}

impl Config {
    /// Defaults: 20 ms heartbeats, 150–300 ms leader timeout.
    pub fn new(me: NodeId, replicas: Vec<NodeId>, seed: u64) -> Config {
        Config { me, replicas, seed, heartbeat_ms: 20, leader_timeout_ms: 150 }
    }

    fn majority(&self) -> usize {
        self.replicas.len() / 2 + 1
    }
}

/// What a replica is doing as a proposer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Learns from a leader (or waits for one).
    Follower,
    /// Runs phase 1 with its ballot.
    Candidate,
    /// Phase 1 done for every slot from its first unchosen one: serves.
    Leader,
}

/// A slot the leader proposed and has not seen chosen yet.
#[derive(Clone, Debug)]
struct Proposal {
    cmd: Command,
    acks: BTreeSet<NodeId>,
    sent: Instant,
}

/// Replies and events waiting for the sync with this token.
struct Held {
    token: u64,
    reply: (NodeId, Msg),
    event: Event,
}

/// A replica of the Multi-Paxos log. Build with [`Replica::new`]; it
/// starts on [`Input::Boot`].
pub struct Replica {
    cfg: Config,
    rng: ChaCha8Rng,
    acceptor: Acceptor,
    role: Role,
    /// This replica's latest phase-1 ballot.
    ballot: Ballot,
    /// The highest ballot seen anywhere.
    seen: Ballot,
    /// The leader followed (or `me` when leading) and its ballot.
    leader: Option<(NodeId, Ballot)>,
    /// Candidate: the promises gathered for `ballot`.
    promises: BTreeMap<NodeId, Vec<(Slot, Ballot, Command)>>,
    prepare_from: Slot,
    /// Leader: unchosen proposals, and the next free slot.
    proposals: BTreeMap<Slot, Proposal>,
    next_slot: Slot,
    /// Leader: request ids already in the log or proposed.
    known_ids: BTreeSet<u64>,
    /// Learner: chosen commands, and the first slot not yet executed.
    chosen: BTreeMap<Slot, (Ballot, Command)>,
    exec_next: Slot,
    kv: Kv,
    /// Calls handed to this replica, not yet executed; when last sent on.
    waiting: BTreeMap<u64, (Command, Instant)>,
    token: u64,
    /// Replies and events held until the sync covering their write.
    unsynced: Vec<Held>,
    /// Messages to itself (never lost), handled within the same step.
    inbox: VecDeque<(NodeId, Msg)>,
}

impl Replica {
    pub fn new(cfg: Config) -> Replica {
        let rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        Replica {
            cfg,
            rng,
            acceptor: Acceptor::default(),
            role: Role::Follower,
            ballot: Ballot::ZERO,
            seen: Ballot::ZERO,
            leader: None,
            promises: BTreeMap::new(),
            prepare_from: 1,
            proposals: BTreeMap::new(),
            next_slot: 1,
            known_ids: BTreeSet::new(),
            chosen: BTreeMap::new(),
            exec_next: 1,
            kv: Kv::default(),
            waiting: BTreeMap::new(),
            token: 0,
            unsynced: Vec::new(),
            inbox: VecDeque::new(),
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The state machine (what has been executed so far).
    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    fn me(&self) -> NodeId {
        self.cfg.me
    }

    fn hb(&self) -> Duration {
        Duration::from_millis(self.cfg.heartbeat_ms)
    }

    // ------------------------------------------------------------ effects

    fn send(&mut self, to: NodeId, msg: Msg, out: &mut Effects<MultiPaxos>) {
        if to == self.me() {
            self.inbox.push_back((to, msg));
        } else {
            out.push(Effect::SendDatagram { to, msg });
        }
    }

    fn broadcast(&mut self, msg: &Msg, out: &mut Effects<MultiPaxos>) {
        for to in self.cfg.replicas.clone() {
            self.send(to, msg.clone(), out);
        }
    }

    fn emit(out: &mut Effects<MultiPaxos>, event: Event) {
        out.push(Effect::Emit { event });
    }

    /// Persist an acceptor record; `reply` and `event` go out once synced.
    fn persist(&mut self, w: Write, reply: (NodeId, Msg), event: Event, out: &mut Effects<MultiPaxos>) {
        self.token += 1;
        out.push(Effect::Write { write: w });
        out.push(Effect::Sync { token: self.token });
        self.unsynced.push(Held { token: self.token, reply, event });
    }

    fn arm_election(&mut self, now: Instant, out: &mut Effects<MultiPaxos>) {
        let base = self.cfg.leader_timeout_ms.max(1) * 1_000;
        let at = now + Duration::from_micros(base + self.rng.next_u64() % base);
        out.push(Effect::SetTimer { timer: Timer::Election, at });
    }

    // ------------------------------------------------------------ inputs

    fn boot(&mut self, now: Instant, disk: Vec<Write>, life: u32, out: &mut Effects<MultiPaxos>) {
        *self = Replica::new(self.cfg.clone());
        let seed = self.cfg.seed ^ (u64::from(self.cfg.me.0) << 32) ^ u64::from(life);
        self.rng = ChaCha8Rng::seed_from_u64(seed);
        self.token = u64::from(life) << 40;
        self.acceptor = Acceptor::restore(&disk);
        self.seen = self.acceptor.promised;
        Self::emit(
            out,
            Event::Booted { promised: self.acceptor.promised, accepted: self.acceptor.accepted.len() as u64 },
        );
        self.arm_election(now, out);
        out.push(Effect::SetTimer { timer: Timer::Tick, at: now + self.hb() });
    }

    fn on_synced(&mut self, token: u64, out: &mut Effects<MultiPaxos>) {
        let (done, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.unsynced).into_iter().partition(|h| h.token <= token);
        self.unsynced = keep;
        for h in done {
            Self::emit(out, h.event);
            self.send(h.reply.0, h.reply.1, out);
        }
    }

    fn on_call(&mut self, now: Instant, call: Call, out: &mut Effects<MultiPaxos>) {
        let cmd = match call {
            Call::Put { key, value, id } => Command::Put { id, key, value },
            Call::Get { key, id } => Command::Get { id, key },
        };
        let Some(id) = cmd.id() else { return };
        match (self.role, self.leader) {
            (Role::Leader, _) => {
                self.waiting.insert(id, (cmd.clone(), now));
                self.propose(now, cmd, out);
            }
            (Role::Follower, Some((l, _))) if l != self.me() => {
                self.waiting.insert(id, (cmd.clone(), now));
                self.send(l, Msg::Forward { cmd }, out);
                Self::emit(out, Event::Forwarded { id, leader: l });
            }
            _ => Self::emit(out, Event::NotLeader { id }),
        }
    }

    fn on_tick(&mut self, now: Instant, out: &mut Effects<MultiPaxos>) {
        out.push(Effect::SetTimer { timer: Timer::Tick, at: now + self.hb() });
        let hb = self.hb();
        match self.role {
            Role::Leader => {
                let hbm = Msg::Heartbeat { b: self.ballot, commit: self.exec_next };
                for to in self.others() {
                    self.send(to, hbm.clone(), out);
                }
                // Retransmit accepts older than one period to the silent.
                let stale: Vec<Slot> =
                    self.proposals.iter().filter(|(_, p)| p.sent + hb <= now).map(|(s, _)| *s).collect();
                for slot in stale {
                    let Some(p) = self.proposals.get_mut(&slot) else { continue };
                    p.sent = now;
                    let (cmd, acks) = (p.cmd.clone(), p.acks.clone());
                    for to in self.others() {
                        if !acks.contains(&to) {
                            self.send(to, Msg::Accept { b: self.ballot, slot, cmd: cmd.clone() }, out);
                        }
                    }
                }
            }
            Role::Candidate => {
                let m = Msg::Prepare { b: self.ballot, from_slot: self.prepare_from };
                for to in self.others() {
                    if !self.promises.contains_key(&to) {
                        self.send(to, m.clone(), out);
                    }
                }
            }
            Role::Follower => {
                if let Some((l, _)) = self.leader.filter(|(l, _)| *l != self.me()) {
                    let stale: Vec<u64> =
                        self.waiting.iter().filter(|(_, (_, t))| *t + hb + hb <= now).map(|(id, _)| *id).collect();
                    for id in stale {
                        let Some((cmd, t)) = self.waiting.get_mut(&id) else { continue };
                        *t = now;
                        let cmd = cmd.clone();
                        self.send(l, Msg::Forward { cmd }, out);
                    }
                }
            }
        }
    }

    fn on_election_timeout(&mut self, now: Instant, out: &mut Effects<MultiPaxos>) {
        if self.role == Role::Leader {
            return;
        }
        // Phase 1a for every slot from the first unchosen one.
        self.ballot = Ballot::above(self.seen.max(self.acceptor.promised).max(self.ballot), self.me());
        self.seen = self.ballot;
        self.role = Role::Candidate;
        self.leader = None;
        self.promises.clear();
        self.prepare_from = self.exec_next;
        Self::emit(out, Event::Electing { b: self.ballot });
        let m = Msg::Prepare { b: self.ballot, from_slot: self.prepare_from };
        self.broadcast(&m, out);
        self.arm_election(now, out);
    }

    fn others(&self) -> Vec<NodeId> {
        self.cfg.replicas.iter().copied().filter(|r| *r != self.cfg.me).collect()
    }

    // ------------------------------------------------------------ messages

    fn receive(&mut self, now: Instant, from: NodeId, msg: Msg, out: &mut Effects<MultiPaxos>) {
        match msg {
            Msg::Prepare { b, from_slot } => {
                self.seen = self.seen.max(b);
                match self.acceptor.prepare(b, from_slot) {
                    Ok((w, accepted)) => {
                        if b > self.ballot && self.role != Role::Follower {
                            self.step_down();
                        }
                        if from != self.me() {
                            // Give the candidate time to finish phase 1.
                            self.arm_election(now, out);
                        }
                        self.persist(w, (from, Msg::Promise { b, accepted }), Event::Promised { b }, out);
                    }
                    Err(promised) => self.send(from, Msg::Nack { b, promised }, out),
                }
            }
            Msg::Promise { b, accepted } => {
                if self.role == Role::Candidate && b == self.ballot {
                    self.promises.insert(from, accepted);
                    if self.promises.len() >= self.cfg.majority() {
                        self.become_leader(now, out);
                    }
                }
            }
            Msg::Nack { b, promised } => {
                self.seen = self.seen.max(promised);
                if self.role != Role::Follower && b == self.ballot && promised > self.ballot {
                    self.step_down();
                    self.arm_election(now, out);
                }
            }
            Msg::Accept { b, slot, cmd } => {
                self.seen = self.seen.max(b);
                match self.acceptor.accept(b, slot, cmd) {
                    Ok(w) => {
                        self.hear_leader(now, from, b, out);
                        self.persist(w, (from, Msg::Accepted { b, slot }), Event::Accepted { slot, b }, out);
                    }
                    Err(promised) => self.send(from, Msg::Nack { b, promised }, out),
                }
            }
            Msg::Accepted { b, slot } => self.on_accepted(now, from, b, slot, out),
            Msg::Chosen { slot, b, cmd } => self.learn(now, slot, b, cmd, out),
            Msg::Heartbeat { b, commit } => {
                self.seen = self.seen.max(b);
                if b < self.acceptor.promised {
                    let promised = self.acceptor.promised;
                    self.send(from, Msg::Nack { b, promised }, out);
                    return;
                }
                self.hear_leader(now, from, b, out);
                if commit > self.exec_next && self.leader == Some((from, b)) {
                    self.send(from, Msg::CatchUp { from_slot: self.exec_next }, out);
                }
            }
            Msg::CatchUp { from_slot } => self.catch_up(from, from_slot, out),
            Msg::Forward { cmd } => {
                if self.role == Role::Leader {
                    self.propose(now, cmd, out);
                }
            }
        }
    }

    /// A leader of ballot `b` spoke: follow it unless something newer is
    /// known.
    fn hear_leader(&mut self, now: Instant, from: NodeId, b: Ballot, out: &mut Effects<MultiPaxos>) {
        if from == self.me() {
            return;
        }
        if self.role != Role::Follower && b < self.ballot {
            return;
        }
        if self.leader.is_some_and(|(_, lb)| b < lb) {
            return;
        }
        if self.role != Role::Follower {
            self.step_down();
        }
        if self.leader != Some((from, b)) {
            self.leader = Some((from, b));
            Self::emit(out, Event::Following { leader: from, b });
        }
        self.arm_election(now, out);
    }

    fn step_down(&mut self) {
        self.role = Role::Follower;
        self.leader = None;
        self.promises.clear();
        self.proposals.clear();
        self.known_ids.clear();
    }
}

impl Node for Replica {
    type P = MultiPaxos;

    fn step(&mut self, now: Instant, input: Input<MultiPaxos>, out: &mut Effects<MultiPaxos>) {
        match input {
            Input::Boot { disk, life } => self.boot(now, disk, life, out),
            Input::Datagram { from, msg } => self.receive(now, from, msg, out),
            Input::Timer(Timer::Election) => self.on_election_timeout(now, out),
            Input::Timer(Timer::Tick) => self.on_tick(now, out),
            Input::Synced { token } => self.on_synced(token, out),
            Input::Call(call) => self.on_call(now, call, out),
            Input::Accepted { .. } | Input::Connected { .. } | Input::Closed { .. } | Input::Received { .. } => {}
        }
        while let Some((from, msg)) = self.inbox.pop_front() {
            self.receive(now, from, msg, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(r: &mut Replica, now: u64, input: Input<MultiPaxos>) -> Effects<MultiPaxos> {
        let mut out = Vec::new();
        r.step(Instant(now), input, &mut out);
        out
    }

    #[test]
    fn restores_from_disk_and_answers_a_prepare_only_after_the_sync() {
        let ids = vec![NodeId(1), NodeId(2), NodeId(3)];
        let mut r = Replica::new(Config::new(NodeId(2), ids, 7));
        let old = Ballot { round: 2, node: 1 };
        let disk = vec![Write::Accepted { slot: 1, b: old, cmd: Command::Noop }];
        let out = effects(&mut r, 0, Input::Boot { disk, life: 1 });
        assert!(out
            .iter()
            .any(|e| matches!(e, Effect::Emit { event: Event::Booted { promised, accepted: 1 } } if *promised == old)));
        let b = Ballot { round: 3, node: 3 };
        let out = effects(&mut r, 10, Input::Datagram { from: NodeId(3), msg: Msg::Prepare { b, from_slot: 1 } });
        assert!(out.iter().any(|e| matches!(e, Effect::Write { write: Write::Promised { .. } })));
        assert!(!out.iter().any(|e| matches!(e, Effect::SendDatagram { .. })), "no promise before the sync");
        let Some(token) = out.iter().find_map(|e| if let Effect::Sync { token } = e { Some(*token) } else { None })
        else {
            panic!("a sync")
        };
        let out = effects(&mut r, 11, Input::Synced { token });
        let promise = Msg::Promise { b, accepted: vec![(1, old, Command::Noop)] };
        assert!(out.iter().any(|e| matches!(e, Effect::SendDatagram { to: NodeId(3), msg } if *msg == promise)));
        let stale = Ballot { round: 1, node: 1 };
        let out = effects(
            &mut r,
            12,
            Input::Datagram { from: NodeId(1), msg: Msg::Accept { b: stale, slot: 2, cmd: Command::Noop } },
        );
        let nack = Msg::Nack { b: stale, promised: b };
        assert!(out.iter().any(|e| matches!(e, Effect::SendDatagram { to: NodeId(1), msg } if *msg == nack)));
    }

    #[test]
    fn an_election_timeout_prepares_above_every_ballot_seen() {
        let ids = vec![NodeId(1), NodeId(2), NodeId(3)];
        let mut r = Replica::new(Config::new(NodeId(1), ids, 7));
        let seen = Ballot { round: 5, node: 3 };
        effects(&mut r, 0, Input::Boot { disk: vec![Write::Promised { b: seen }], life: 0 });
        let out = effects(&mut r, 400_000, Input::Timer(Timer::Election));
        let prepares: Vec<_> = out
            .iter()
            .filter_map(|e| match e {
                Effect::SendDatagram { to, msg: Msg::Prepare { b, from_slot: 1 } } => Some((*to, *b)),
                _ => None,
            })
            .collect();
        let b = Ballot { round: 6, node: 1 };
        assert_eq!(prepares, vec![(NodeId(2), b), (NodeId(3), b)]);
        assert_eq!(r.role(), Role::Candidate);
    }
}
