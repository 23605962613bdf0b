//! `QuorumPeer`: one member of an ensemble. It is LOOKING (running Fast
//! Leader Election), or LEADING, FOLLOWING or OBSERVING; when a role ends it
//! goes back to LOOKING with its in-memory database kept. The roles live in
//! `leader.rs` and `learner.rs`; this file holds what they share and routes
//! every input to the right place.

use super::disk::DiskState;
use super::election::{Action, Election, ElectionTiming};
use super::election_net::ElectionNet;
use super::leader::Leader;
use super::learner::Learner;
use super::packet::{zxid, ElectionMsg, Notification, QuorumPacket, ServerState, Vote};
use super::read_only::ReadOnlyServer;
use crate::server::core::{Incoming, ServerCore};
use crate::server::db::ZkDatabase;
use crate::server::fourlw::{LearnerType, QuorumMember, QuorumView, ServingMode};
use crate::server::{ServerCall, ServerConfig, ServerEvent, ServerTimer, ServerWrite};
use crate::wire::{ClientMsg, Zk, ZkCall, ZkEvent, ZkMsg, ZkTimer};
use actor::{ConnId, Duration, Effect, Effects, Input, Instant, Node, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};
use znode::{LoggedTxn, Zxid};

/// Who is in the ensemble.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Members {
    pub voters: BTreeSet<u64>,
    pub observers: BTreeSet<u64>,
}

impl Members {
    /// `QuorumMaj.containsQuorum`: more than half of the voters.
    pub fn is_quorum(&self, acks: &BTreeSet<u64>) -> bool {
        acks.iter().filter(|s| self.voters.contains(s)).count() * 2 > self.voters.len()
    }

    pub fn all(&self) -> BTreeSet<u64> {
        self.voters.union(&self.observers).copied().collect()
    }

    pub fn is_server(&self, n: NodeId) -> bool {
        self.all().contains(&u64::from(n.0))
    }
}

/// Something to do once every write so far is durable.
#[derive(Clone, Debug)]
pub enum AfterSync {
    /// The leader's own ACK of a proposal it logged.
    LeaderAck(Zxid),
    /// A learner's ACK of a proposal it logged.
    Ack(Zxid),
    /// Send a quorum packet (ACKEPOCH after acceptedEpoch, the NEWLEADER
    /// ACK after currentEpoch and the synced transactions).
    Send(ConnId, QuorumPacket),
    /// The leader's acceptedEpoch is on disk: tell the learners the epoch.
    EpochAccepted,
    /// The leader's currentEpoch is on disk: start syncing learners.
    EpochCurrent,
}

/// Writes and syncs: what is durable, and what waits for it.
#[derive(Clone, Debug, Default)]
struct DiskIo {
    writes: u64,
    durable: u64,
    in_flight: bool,
    waiters: VecDeque<(u64, u64, AfterSync)>,
}

/// What every role of a peer shares.
pub struct Shared {
    pub sid: u64,
    pub me: NodeId,
    pub cfg: ServerConfig,
    pub members: Members,
    /// The database, sessions, prepare step and client connections.
    pub core: ServerCore,
    pub accepted_epoch: u64,
    pub current_epoch: u64,
    /// What this server's disk holds (its own mirror of it).
    pub disk: DiskState,
    /// The last committed transactions, for DIFF sync (`committedLog`).
    pub committed_log: VecDeque<LoggedTxn>,
    pub election: Election,
    pub enet: ElectionNet,
    /// The vote this server stands by while not looking.
    pub current_vote: Vote,
    pub state: ServerState,
    /// Bumped at every role change; waiters of an old role are dropped.
    pub generation: u64,
    io: DiskIo,
    /// This process's life (boots before it), part of its connections' names.
    life: u32,
    conn_seq: u32,
    /// Connections from other servers whose first message has not come.
    unclassified: BTreeSet<ConnId>,
    /// When the last LOOKING phase began.
    looking_since: Instant,
}

/// The timer for a server timer.
pub fn timer(t: ServerTimer) -> ZkTimer {
    ZkTimer::Server(t)
}

pub fn emit(out: &mut Effects<Zk>, e: ServerEvent) {
    out.push(Effect::Emit { event: ZkEvent::Server(e) });
}

pub fn send_quorum(out: &mut Effects<Zk>, conn: ConnId, p: QuorumPacket) {
    out.push(Effect::Send { conn, msg: ZkMsg::Quorum(p) });
}

impl Shared {
    /// A new connection id of this server.
    pub fn next_conn(&mut self) -> ConnId {
        self.conn_seq += 1;
        ConnId { opener: self.me, life: self.life, seq: self.conn_seq }
    }

    /// Write to disk (not yet durable), keeping the mirror in step.
    pub fn write(&mut self, w: ServerWrite, out: &mut Effects<Zk>) {
        match &w {
            ServerWrite::Txn(t) => self.disk.log.push(t.clone()),
            ServerWrite::Snapshot(s) => self.disk.snapshots.push((**s).clone()),
            ServerWrite::AcceptedEpoch(e) => {
                self.disk.accepted_epoch = Some(*e);
                self.accepted_epoch = *e;
            }
            ServerWrite::CurrentEpoch(e) => {
                self.disk.current_epoch = Some(*e);
                self.current_epoch = *e;
            }
            ServerWrite::Truncate(z) => {
                self.disk.log.retain(|t| t.header.zxid <= *z);
                if !self.cfg.bugs.zookeeper_1549 {
                    self.disk.snapshots.retain(|s| s.zxid <= *z);
                }
            }
        }
        self.io.writes += 1;
        out.push(Effect::Write { write: w });
    }

    /// Do `what` once everything written so far is durable: now, if it
    /// already is (returned), else after a sync.
    pub fn when_durable(&mut self, what: AfterSync, out: &mut Effects<Zk>) -> Option<AfterSync> {
        if self.io.writes == self.io.durable {
            return Some(what);
        }
        self.io.waiters.push_back((self.io.writes, self.generation, what));
        self.ensure_sync(out);
        None
    }

    fn ensure_sync(&mut self, out: &mut Effects<Zk>) {
        if !self.io.in_flight && self.io.writes > self.io.durable {
            self.io.in_flight = true;
            out.push(Effect::Sync { token: self.io.writes });
        }
    }

    /// A sync finished: what waited for it, in order (for the current role).
    fn synced(&mut self, token: u64, out: &mut Effects<Zk>) -> Vec<AfterSync> {
        self.io.in_flight = false;
        self.io.durable = self.io.durable.max(token);
        let mut ready = Vec::new();
        while self.io.waiters.front().is_some_and(|(seq, _, _)| *seq <= self.io.durable) {
            if let Some((_, gen, what)) = self.io.waiters.pop_front() {
                if gen == self.generation {
                    ready.push(what);
                }
            }
        }
        if !self.io.waiters.is_empty() {
            self.ensure_sync(out);
        }
        ready
    }

    /// The last zxid the database has applied.
    pub fn last_processed(&self) -> Zxid {
        self.core.db.last_processed_zxid()
    }

    /// Apply a transaction outside the request pipeline (sync, catching up
    /// with the log): nobody waits for it and no watch fires.
    pub fn apply_direct(&mut self, t: LoggedTxn, out: &mut Effects<Zk>) {
        let mut fired = Vec::new();
        self.core.db.apply(&t, &mut fired);
        let history = self.core.db.history;
        emit(out, ServerEvent::Applied { txn: t, history });
    }

    /// Record a committed transaction for DIFF sync.
    pub fn remember_committed(&mut self, t: &LoggedTxn) {
        if self.committed_log.back().is_some_and(|b| b.header.zxid >= t.header.zxid) {
            return;
        }
        self.committed_log.push_back(t.clone());
        while self.committed_log.len() > self.cfg.commit_log_count as usize {
            self.committed_log.pop_front();
        }
    }

    /// Rebuild the committedLog from the log's tail (`loadDataBase`).
    pub fn rebuild_committed_log(&mut self) {
        let n = self.cfg.commit_log_count as usize;
        let upto = self.last_processed();
        let tail: Vec<LoggedTxn> = self.disk.log.iter().filter(|t| t.header.zxid <= upto).cloned().collect();
        let start = tail.len().saturating_sub(n);
        self.committed_log = tail[start..].iter().cloned().collect();
    }

    /// Close every client connection (a role ends, or never began).
    pub fn close_clients(&mut self, out: &mut Effects<Zk>) {
        let conns: Vec<ConnId> = self.core.cnxns.iter().map(|c| c.conn).collect();
        for c in conns {
            self.core.close(c, out);
        }
    }

    /// `updateElectionVote`: once serving, advertise the new epoch.
    pub fn update_election_vote(&mut self, epoch: u64) {
        self.current_vote.peer_epoch = epoch;
    }

    pub fn announce(&self, out: &mut Effects<Zk>, leader: Option<u64>) {
        emit(
            out,
            ServerEvent::PeerState {
                state: self.state,
                accepted_epoch: self.accepted_epoch,
                current_epoch: self.current_epoch,
                leader,
            },
        );
    }
}

/// What a peer is doing.
enum Role {
    /// Not started, or stopped by a fatal error.
    Down,
    Looking,
    Leading(Box<Leader>),
    Following(Box<Learner>),
    Observing(Box<Learner>),
}

/// A member of a ZooKeeper ensemble.
pub struct QuorumPeer {
    s: Shared,
    role: Role,
    /// A read-only server, while LOOKING with `readonlymode.enabled`.
    read_only: Option<ReadOnlyServer>,
}

impl QuorumPeer {
    pub fn new(me: NodeId, cfg: ServerConfig, members: Members) -> Self {
        let sid = u64::from(me.0);
        let peers: BTreeSet<u64> = members.all().into_iter().filter(|s| *s != sid).collect();
        let election = Election::new(sid, members.voters.clone(), ElectionTiming::default());
        let enet = ElectionNet::new(sid, peers, Duration::from_millis(cfg.cnx_timeout));
        let core = ServerCore::new(cfg.clone(), me, ZkDatabase::new(), Instant::ZERO);
        QuorumPeer {
            s: Shared {
                sid,
                me,
                cfg,
                members,
                core,
                accepted_epoch: 0,
                current_epoch: 0,
                disk: DiskState::default(),
                committed_log: VecDeque::new(),
                election,
                enet,
                current_vote: Vote { leader: sid, zxid: 0, election_epoch: 0, peer_epoch: 0 },
                state: ServerState::Looking,
                generation: 0,
                io: DiskIo::default(),
                life: 0,
                conn_seq: 0,
                unclassified: BTreeSet::new(),
                looking_since: Instant::ZERO,
            },
            role: Role::Down,
            read_only: None,
        }
    }

    /// The shared state (for views and tests).
    pub fn shared(&self) -> &Shared {
        &self.s
    }

    pub fn state(&self) -> Option<ServerState> {
        match self.role {
            Role::Down => None,
            _ => Some(self.s.state),
        }
    }

    fn boot(&mut self, now: Instant, disk: Vec<ServerWrite>, life: u32, out: &mut Effects<Zk>) {
        let me = self.s.me;
        let cfg = self.s.cfg.clone();
        let members = self.s.members.clone();
        *self = QuorumPeer::new(me, cfg, members);
        self.s.life = life;
        let state = DiskState::replay(&disk, self.s.cfg.bugs.zookeeper_1549);
        let (db, loaded) = state.load_db();
        let last = db.last_processed_zxid();
        match state.epochs(last) {
            Ok((accepted, current)) => {
                self.s.accepted_epoch = accepted;
                self.s.current_epoch = current;
            }
            Err(reason) => {
                emit(out, ServerEvent::Fatal { reason });
                return;
            }
        }
        let sessions = db.sessions.iter().map(|(k, v)| (*k, *v)).collect();
        self.s.disk = state;
        self.s.core = ServerCore::new(self.s.cfg.clone(), me, db, now);
        self.s.io = DiskIo { writes: disk.len() as u64, durable: disk.len() as u64, ..DiskIo::default() };
        self.s.rebuild_committed_log();
        emit(out, ServerEvent::Booted { last_zxid: last, replayed: disk.len(), sessions, loaded });
        self.look(now, out);
    }

    // ------------------------------------------------------------ roles

    /// Go LOOKING: run an election with what this server has.
    fn look(&mut self, now: Instant, out: &mut Effects<Zk>) {
        self.role = Role::Looking;
        self.s.generation += 1;
        self.s.state = ServerState::Looking;
        self.s.looking_since = now;
        self.s.core.touches = None;
        self.s.close_clients(out);
        self.s.announce(out, None);
        let zxid = self.vote_zxid(out);
        let actions = self.s.election.start(now, zxid, self.s.current_epoch);
        self.election_actions(now, actions, out);
        if self.s.cfg.readonly_mode_enabled {
            let wait = Duration::from_millis(u64::from(self.s.cfg.tick_time).max(2000));
            out.push(Effect::SetTimer { timer: timer(ServerTimer::ReadOnly), at: now + wait });
        }
    }

    /// The zxid this server votes with: its in-memory one, after (unless
    /// ZOOKEEPER-2845 is on) catching up with what its log holds.
    fn vote_zxid(&mut self, out: &mut Effects<Zk>) -> Zxid {
        if !self.s.cfg.bugs.zookeeper_2845 {
            let last = self.s.last_processed();
            let extra: Vec<LoggedTxn> = self.s.disk.log.iter().filter(|t| t.header.zxid > last).cloned().collect();
            // `fastForwardDatabase`: what is replayed joins the committedLog
            // too, so DIFFs to learners carry it.
            for t in extra {
                self.s.remember_committed(&t);
                self.s.apply_direct(t, out);
            }
        }
        self.s.last_processed()
    }

    /// A role ended: say why and look for a leader again.
    fn role_ended(&mut self, now: Instant, reason: String, out: &mut Effects<Zk>) {
        match std::mem::replace(&mut self.role, Role::Looking) {
            Role::Leading(mut l) => l.shutdown(&mut self.s, out),
            Role::Following(mut l) | Role::Observing(mut l) => l.shutdown(&mut self.s, out),
            Role::Looking | Role::Down => {}
        }
        emit(out, ServerEvent::ShutDown { reason });
        if self.s.members.observers.contains(&self.s.sid) {
            // Observers pause a little before rejoining (0..200 ms).
            let delay = Duration::from_micros((self.s.sid.wrapping_mul(0x9E37_79B9) ^ now.0) % 200_000);
            self.role = Role::Looking;
            self.s.state = ServerState::Looking;
            self.s.generation += 1;
            self.s.close_clients(out);
            self.s.announce(out, None);
            out.push(Effect::SetTimer { timer: timer(ServerTimer::ObserverRejoin), at: now + delay });
            return;
        }
        self.look(now, out);
    }

    fn election_actions(&mut self, now: Instant, actions: Vec<Action>, out: &mut Effects<Zk>) {
        let mut queue: VecDeque<Action> = actions.into();
        while let Some(a) = queue.pop_front() {
            match a {
                Action::Broadcast(n) => {
                    emit(out, ServerEvent::Voted { vote: n.vote });
                    for to in self.s.members.voters.clone() {
                        if to == self.s.sid {
                            self.s.election.receive_own(n);
                        } else {
                            self.send_notification(now, to, n, out);
                        }
                    }
                    queue.extend(self.s.election.pump(now));
                }
                Action::Send { to, n } => {
                    if to == self.s.sid {
                        self.s.election.receive_own(n);
                    } else {
                        self.send_notification(now, to, n, out);
                    }
                }
                Action::ConnectAll => {
                    let s = &mut self.s;
                    let mut seq = s.conn_seq;
                    let (me, life) = (s.me, s.life);
                    let mut next = || {
                        seq += 1;
                        ConnId { opener: me, life, seq }
                    };
                    s.enet.connect_all(now, &mut next, out);
                    s.conn_seq = seq;
                }
                Action::ArmPoll(at) => out.push(Effect::SetTimer { timer: timer(ServerTimer::ElectionPoll), at }),
                Action::ArmFinalize(at) => {
                    out.push(Effect::SetTimer { timer: timer(ServerTimer::ElectionFinalize), at })
                }
                Action::Decide { state, vote } => {
                    out.push(Effect::CancelTimer { timer: timer(ServerTimer::ElectionPoll) });
                    out.push(Effect::CancelTimer { timer: timer(ServerTimer::ElectionFinalize) });
                    out.push(Effect::CancelTimer { timer: timer(ServerTimer::ReadOnly) });
                    self.decided(now, state, vote, out);
                    return;
                }
            }
        }
    }

    fn send_notification(&mut self, now: Instant, to: u64, n: Notification, out: &mut Effects<Zk>) {
        let s = &mut self.s;
        let mut seq = s.conn_seq;
        let (me, life) = (s.me, s.life);
        let mut next = || {
            seq += 1;
            ConnId { opener: me, life, seq }
        };
        s.enet.send(to, n, now, &mut next, out);
        s.conn_seq = seq;
    }

    /// The election chose: take up the role.
    fn decided(&mut self, now: Instant, state: ServerState, vote: Vote, out: &mut Effects<Zk>) {
        if let Some(ro) = self.read_only.take() {
            ro.stop(&mut self.s, out);
        }
        self.s.current_vote = vote;
        self.s.state = state;
        self.s.generation += 1;
        emit(out, ServerEvent::Elected { state, vote });
        self.s.announce(out, Some(vote.leader));
        self.role = match state {
            ServerState::Leading => Role::Leading(Box::new(Leader::start(&mut self.s, now, out))),
            ServerState::Following => {
                Role::Following(Box::new(Learner::start(&mut self.s, vote.leader, false, now, out)))
            }
            ServerState::Observing => {
                Role::Observing(Box::new(Learner::start(&mut self.s, vote.leader, true, now, out)))
            }
            ServerState::Looking => Role::Looking,
        };
    }

    // ------------------------------------------------------------ inputs

    fn notification(&mut self, now: Instant, conn: ConnId, n: Notification, out: &mut Effects<Zk>) {
        let Some(sid) = self.s.enet.peer_of(conn) else { return };
        let n = Notification { sid, ..n };
        let state = self.s.state;
        let current = self.s.current_vote;
        let mut actions = self.s.election.receive(n, state, current);
        actions.extend(self.s.election.pump(now));
        self.election_actions(now, actions, out);
    }

    fn hello(&mut self, now: Instant, conn: ConnId, sid: u64, out: &mut Effects<Zk>) {
        self.s.unclassified.remove(&conn);
        self.s.enet.accepted(conn);
        let s = &mut self.s;
        let mut seq = s.conn_seq;
        let (me, life) = (s.me, s.life);
        let mut next = || {
            seq += 1;
            ConnId { opener: me, life, seq }
        };
        s.enet.hello(conn, sid, now, &mut next, out);
        s.conn_seq = seq;
    }

    fn quorum_packet(&mut self, now: Instant, conn: ConnId, p: QuorumPacket, out: &mut Effects<Zk>) {
        self.s.unclassified.remove(&conn);
        let result = match &mut self.role {
            Role::Leading(l) => l.on_packet(&mut self.s, conn, p, now, out),
            Role::Following(l) | Role::Observing(l) => l.on_packet(&mut self.s, conn, p, now, out),
            Role::Looking | Role::Down => {
                // Not leading: a learner's connection is refused.
                out.push(Effect::Close { conn });
                Ok(())
            }
        };
        self.after(now, result, out);
    }

    fn after(&mut self, now: Instant, result: Result<(), String>, out: &mut Effects<Zk>) {
        if let Err(reason) = result {
            self.role_ended(now, reason, out);
        }
    }

    fn serving(&self) -> bool {
        match &self.role {
            Role::Leading(l) => l.serving() && self.s.cfg.leader_serves,
            Role::Following(l) | Role::Observing(l) => l.serving(),
            Role::Looking | Role::Down => false,
        }
    }

    fn client(&mut self, now: Instant, conn: ConnId, m: ClientMsg, out: &mut Effects<Zk>) {
        if let ClientMsg::FourLetter(word) = &m {
            if self.s.core.cnxns.get(conn).is_some_and(|c| c.session.is_none()) {
                self.four_letter(now, conn, word, out);
            }
            return;
        }
        if let Some(ro) = self.read_only.as_mut() {
            ro.client(&mut self.s, conn, m, now, out);
            return;
        }
        if !self.serving() {
            // "ZooKeeperServer not running": the client tries elsewhere.
            self.s.core.close(conn, out);
            return;
        }
        let Some(incoming) = self.s.core.received(conn, m, now, out) else { return };
        let result = match (&mut self.role, incoming) {
            (Role::Leading(l), Incoming::Request(req)) => l.submit(&mut self.s, req, now, out),
            (Role::Following(l) | Role::Observing(l), Incoming::Request(req)) => l.submit(&mut self.s, req, now, out),
            (Role::Following(l) | Role::Observing(l), Incoming::Revalidate { conn, session, timeout }) => {
                l.revalidate(&mut self.s, conn, session, timeout, out)
            }
            _ => Ok(()),
        };
        self.after(now, result, out);
    }

    /// A four-letter word, answered whatever the peer is doing.
    fn four_letter(&mut self, now: Instant, conn: ConnId, word: &str, out: &mut Effects<Zk>) {
        let mode = match &self.role {
            _ if self.read_only.is_some() => ServingMode::ReadOnly,
            _ if !self.serving() => ServingMode::NotServing,
            Role::Leading(_) => ServingMode::Leader,
            Role::Following(_) => ServingMode::Follower,
            Role::Observing(_) => ServingMode::Observer,
            Role::Looking | Role::Down => ServingMode::NotServing,
        };
        let mut view = self.s.core.four_letter_view(now, mode, conn);
        let me = self.s.sid;
        view.quorum = Some(QuorumView {
            election_alg: 3,
            election_ports: vec![election_port(me)],
            quorum_ports: vec![quorum_port(me)],
            peer_type: if self.s.members.observers.contains(&me) {
                LearnerType::Observer
            } else {
                LearnerType::Participant
            },
            members: self
                .s
                .members
                .all()
                .into_iter()
                .map(|id| QuorumMember {
                    id,
                    host: "127.0.0.1".into(),
                    quorum_port: quorum_port(id),
                    election_port: election_port(id),
                    learner_type: if self.s.members.observers.contains(&id) {
                        LearnerType::Observer
                    } else {
                        LearnerType::Participant
                    },
                    client: None,
                })
                .collect(),
            config_version: 0,
            peer_state: None,
            quorum_size: self.s.members.voters.len(),
        });
        match &self.role {
            Role::Leading(l) => {
                view.leader = l.four_letter_view(now);
                view.outstanding_requests = l.outstanding_requests();
            }
            Role::Following(l) | Role::Observing(l) => view.outstanding_requests = l.outstanding_requests(),
            Role::Looking | Role::Down => {}
        }
        view.conf.client_port = 2180 + i32::try_from(me).unwrap_or(0);
        self.s.core.answer_four_letter(conn, word, view, out);
    }

    fn on_timer(&mut self, now: Instant, t: ServerTimer, out: &mut Effects<Zk>) {
        match t {
            ServerTimer::ElectionPoll => {
                let any = self.s.enet.any_connected();
                let actions = self.s.election.poll_timeout(now, any);
                self.election_actions(now, actions, out);
            }
            ServerTimer::ElectionFinalize => {
                let actions = self.s.election.finalize_timeout();
                self.election_actions(now, actions, out);
            }
            ServerTimer::ObserverRejoin => {
                if matches!(self.role, Role::Looking) && !self.s.election.is_looking() {
                    self.look(now, out);
                }
            }
            ServerTimer::ReadOnly => {
                let looking = matches!(self.role, Role::Looking) && self.s.state == ServerState::Looking;
                if looking && self.s.cfg.readonly_mode_enabled && self.read_only.is_none() {
                    self.read_only = Some(ReadOnlyServer::start(&mut self.s, now, out));
                }
            }
            ServerTimer::SessionExpiry if self.read_only.is_some() => {
                if let Some(ro) = self.read_only.as_mut() {
                    ro.expire(&mut self.s, now, out);
                }
            }
            other => {
                let result = match &mut self.role {
                    Role::Leading(l) => l.on_timer(&mut self.s, other, now, out),
                    Role::Following(l) | Role::Observing(l) => l.on_timer(&mut self.s, other, now, out),
                    Role::Looking | Role::Down => Ok(()),
                };
                self.after(now, result, out);
            }
        }
    }

    fn on_synced(&mut self, now: Instant, token: u64, out: &mut Effects<Zk>) {
        for what in self.s.synced(token, out) {
            let result = match &mut self.role {
                Role::Leading(l) => l.on_durable(&mut self.s, what, now, out),
                Role::Following(l) | Role::Observing(l) => l.on_durable(&mut self.s, what, now, out),
                Role::Looking | Role::Down => Ok(()),
            };
            self.after(now, result, out);
        }
    }

    fn on_closed(&mut self, now: Instant, conn: ConnId, out: &mut Effects<Zk>) {
        self.s.unclassified.remove(&conn);
        if self.s.enet.closed(conn) {
            return;
        }
        let result = match &mut self.role {
            Role::Leading(l) if l.owns(conn) => l.on_closed(&mut self.s, conn, now, out),
            Role::Following(l) | Role::Observing(l) if l.owns(conn) => l.on_closed(&mut self.s, conn, now, out),
            _ => {
                self.s.core.closed(conn);
                Ok(())
            }
        };
        self.after(now, result, out);
    }

    fn on_connected(&mut self, now: Instant, conn: ConnId, out: &mut Effects<Zk>) {
        if self.s.enet.connected_out(conn, out) {
            return;
        }
        let result = match &mut self.role {
            Role::Following(l) | Role::Observing(l) => l.on_connected(&mut self.s, conn, now, out),
            _ => {
                out.push(Effect::Close { conn });
                Ok(())
            }
        };
        self.after(now, result, out);
    }
}

impl Node for QuorumPeer {
    type P = Zk;

    fn step(&mut self, now: Instant, input: Input<Zk>, out: &mut Effects<Zk>) {
        if let Input::Boot { disk, life } = input {
            self.boot(now, disk, life, out);
            return;
        }
        if matches!(self.role, Role::Down) {
            return;
        }
        match input {
            Input::Boot { .. } => {}
            Input::Accepted { conn, from } => {
                if self.s.members.is_server(from) {
                    self.s.unclassified.insert(conn);
                } else {
                    self.s.core.accepted(conn, now);
                }
            }
            Input::Connected { conn } => self.on_connected(now, conn, out),
            Input::Closed { conn, .. } => self.on_closed(now, conn, out),
            Input::Received { conn, msg } => match msg {
                ZkMsg::Election(ElectionMsg::Hello { sid }) => self.hello(now, conn, sid, out),
                ZkMsg::Election(ElectionMsg::Notification(n)) => self.notification(now, conn, n, out),
                ZkMsg::Quorum(p) => self.quorum_packet(now, conn, p, out),
                ZkMsg::Client(m) => self.client(now, conn, m, out),
                ZkMsg::Server(_) => {}
            },
            Input::Datagram { .. } => {}
            Input::Timer(ZkTimer::Server(t)) => self.on_timer(now, t, out),
            Input::Timer(_) => {}
            Input::Synced { token } => self.on_synced(now, token, out),
            Input::Call(ZkCall::Server(ServerCall::CheckContainers)) => {
                if let Role::Leading(l) = &mut self.role {
                    let result = l.check_containers(&mut self.s, now, out);
                    self.after(now, result, out);
                }
            }
            Input::Call(_) => {}
        }
    }
}

/// The epoch of a zxid, re-exported for the roles.
pub fn epoch_of(z: Zxid) -> u64 {
    zxid::epoch(z)
}

/// The loopback ensemble's ports, as the conformance recordings ran it:
/// server N has client port 2180+N, quorum port 2887+N, election port
/// 3887+N.
fn quorum_port(sid: u64) -> u16 {
    u16::try_from(2887 + sid).unwrap_or(u16::MAX)
}

fn election_port(sid: u64) -> u16 {
    u16::try_from(3887 + sid).unwrap_or(u16::MAX)
}
