//! A learner (`Follower`/`Observer` with `Learner.syncWithLeader`): connect
//! to the leader, register (FOLLOWERINFO/OBSERVERINFO), agree on the epoch
//! (LEADERINFO → ACKEPOCH), sync (DIFF, TRUNC or SNAP, then NEWLEADER and
//! UPTODATE), then follow the broadcast: log and ACK proposals in order,
//! apply COMMITs (INFORMs for observers), forward client writes.

use super::commit::{needs_commit, CommitProcessor};
use super::packet::{zxid, Forwarded, QuorumPacket};
use super::peer::{emit, send_quorum, timer, AfterSync, Shared};
use crate::server::core::{ms, PipelineOp, PipelineRequest};
use crate::server::sessions::Owner;
use crate::server::db::ZkDatabase;
use crate::server::history::Loaded;
use crate::server::{ServerEvent, ServerTimer, ServerWrite};
use crate::wire::Zk;
use actor::{ConnId, Duration, Effect, Effects, Instant, NodeId};
use std::collections::{BTreeMap, VecDeque};
use znode::{LoggedTxn, Request, SessionId, Zxid};

/// Where the learner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Connecting,
    AwaitLeaderInfo,
    AwaitSyncMode,
    Syncing,
    Broadcast,
}

/// How many times a learner tries to reach its leader (`connectToLeader`).
const CONNECT_TRIES: u32 = 5;
/// Pause between tries (`leaderConnectDelayDuringRetryMs`).
const CONNECT_DELAY: Duration = Duration::from_millis(100);

/// A follower or an observer.
pub struct Learner {
    observer: bool,
    leader: u64,
    conn: Option<ConnId>,
    phase: Phase,
    tries: u32,
    started: Instant,
    epoch: u64,
    // Sync (syncWithLeader's locals).
    snapshot_needed: bool,
    write_to_log: bool,
    newleader_seen: bool,
    not_committed: VecDeque<LoggedTxn>,
    committed: VecDeque<Zxid>,
    to_ack: Vec<Zxid>,
    last_queued: Zxid,
    // Broadcast.
    pending_txns: VecDeque<LoggedTxn>,
    commit: CommitProcessor,
    pending_syncs: VecDeque<(SessionId, i32)>,
    revalidating: BTreeMap<SessionId, ConnId>,
    read_timeout: Duration,
}

fn set_timer(out: &mut Effects<Zk>, t: ServerTimer, at: Instant) {
    out.push(Effect::SetTimer { timer: timer(t), at });
}

impl Learner {
    pub fn start(s: &mut Shared, leader: u64, observer: bool, now: Instant, out: &mut Effects<Zk>) -> Learner {
        s.core.touches = Some(BTreeMap::new());
        s.core.prep.clear();
        let mut l = Learner {
            observer,
            leader,
            conn: None,
            phase: Phase::Connecting,
            tries: 0,
            started: now,
            epoch: 0,
            snapshot_needed: true,
            write_to_log: false,
            newleader_seen: false,
            not_committed: VecDeque::new(),
            committed: VecDeque::new(),
            to_ack: Vec::new(),
            last_queued: 0,
            pending_txns: VecDeque::new(),
            commit: CommitProcessor::new(true),
            pending_syncs: VecDeque::new(),
            revalidating: BTreeMap::new(),
            read_timeout: s.cfg.init_limit_time(),
        };
        set_timer(out, ServerTimer::LearnerRead, now + s.cfg.init_limit_time());
        l.connect(s, out);
        l
    }

    fn connect(&mut self, s: &mut Shared, out: &mut Effects<Zk>) {
        self.tries += 1;
        let conn = s.next_conn();
        self.conn = Some(conn);
        out.push(Effect::Connect { conn, to: NodeId(self.leader as u32) });
    }

    /// Requests waiting in the commit processor.
    pub fn outstanding_requests(&self) -> u64 {
        self.commit.pending() as u64
    }

    pub fn serving(&self) -> bool {
        self.phase == Phase::Broadcast
    }

    pub fn owns(&self, conn: ConnId) -> bool {
        self.conn == Some(conn)
    }

    fn touch_read(&mut self, now: Instant, out: &mut Effects<Zk>) {
        set_timer(out, ServerTimer::LearnerRead, now + self.read_timeout);
    }

    pub fn on_connected(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        if self.conn != Some(conn) {
            out.push(Effect::Close { conn });
            return Ok(());
        }
        let z = zxid::make(s.accepted_epoch, 0);
        let info = if self.observer {
            QuorumPacket::ObserverInfo { zxid: z, sid: s.sid }
        } else {
            QuorumPacket::FollowerInfo { zxid: z, sid: s.sid }
        };
        send_quorum(out, conn, info);
        self.phase = Phase::AwaitLeaderInfo;
        self.touch_read(now, out);
        Ok(())
    }

    pub fn on_closed(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        if self.conn != Some(conn) {
            return Ok(());
        }
        self.conn = None;
        let within = now.saturating_since(self.started) < s.cfg.init_limit_time();
        if self.phase == Phase::Connecting && self.tries < CONNECT_TRIES && within {
            set_timer(out, ServerTimer::LearnerConnect, now + CONNECT_DELAY);
            return Ok(());
        }
        if self.phase == Phase::Connecting {
            return Err(format!("could not connect to leader {} after {} tries", self.leader, self.tries));
        }
        Err(format!("connection to leader {} closed", self.leader))
    }

    pub fn on_timer(
        &mut self,
        s: &mut Shared,
        t: ServerTimer,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        match t {
            ServerTimer::LearnerConnect if self.phase == Phase::Connecting && self.conn.is_none() => {
                self.connect(s, out);
                Ok(())
            }
            ServerTimer::LearnerRead => Err(format!(
                "{} with leader {}: no packet for {} ms",
                if self.phase == Phase::Connecting { "connectToLeader exceeded its time" } else { "Read timed out" },
                self.leader,
                self.read_timeout.as_millis()
            )),
            _ => {
                let _ = now;
                Ok(())
            }
        }
    }

    // ------------------------------------------------------------ packets

    pub fn on_packet(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        p: QuorumPacket,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        if self.conn != Some(conn) {
            out.push(Effect::Close { conn });
            return Ok(());
        }
        self.touch_read(now, out);
        match self.phase {
            Phase::Connecting => Ok(()),
            Phase::AwaitLeaderInfo => self.leader_info(s, conn, p, out),
            Phase::AwaitSyncMode => self.sync_mode(s, p, out),
            Phase::Syncing => self.syncing(s, conn, p, now, out),
            Phase::Broadcast => self.broadcast(s, conn, p, now, out),
        }
    }

    /// LEADERINFO: promise the new epoch (durably) and answer ACKEPOCH.
    fn leader_info(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        p: QuorumPacket,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let QuorumPacket::LeaderInfo { zxid: z } = p else {
            return Err(format!("expected LEADERINFO, got {}", p.name()));
        };
        let new_epoch = zxid::epoch(z);
        let last = s.last_processed();
        self.epoch = new_epoch;
        self.phase = Phase::AwaitSyncMode;
        if new_epoch > s.accepted_epoch {
            let current = s.current_epoch as i64;
            s.write(ServerWrite::AcceptedEpoch(new_epoch), out);
            let ack = AfterSync::Send(conn, QuorumPacket::AckEpoch { zxid: last, current_epoch: current });
            if let Some(AfterSync::Send(c, p)) = s.when_durable(ack, out) {
                send_quorum(out, c, p);
            }
            Ok(())
        } else if new_epoch == s.accepted_epoch {
            send_quorum(out, conn, QuorumPacket::AckEpoch { zxid: last, current_epoch: -1 });
            Ok(())
        } else {
            Err(format!("Leaders epoch, {new_epoch} is less than accepted epoch, {}", s.accepted_epoch))
        }
    }

    /// The first sync packet decides the mode.
    fn sync_mode(&mut self, s: &mut Shared, p: QuorumPacket, out: &mut Effects<Zk>) -> Result<(), String> {
        let (mode, z, loaded) = match p {
            QuorumPacket::Diff { zxid } => {
                self.snapshot_needed = false;
                self.write_to_log = true;
                ("DIFF", zxid, Loaded::at(s.last_processed(), s.core.db.history))
            }
            QuorumPacket::Snap(snap) => {
                s.core.db = ZkDatabase::from_snapshot(&snap);
                s.core.db.tree.last_processed_zxid = snap.zxid;
                s.committed_log.clear();
                self.snapshot_needed = true;
                ("SNAP", snap.zxid, Loaded::at(snap.zxid, snap.history))
            }
            QuorumPacket::Trunc { zxid } => {
                s.write(ServerWrite::Truncate(zxid), out);
                let (db, loaded) = s.disk.load_db();
                s.core.db = db;
                s.core.db.tree.last_processed_zxid = zxid;
                s.rebuild_committed_log();
                self.snapshot_needed = true;
                ("TRUNC", zxid, loaded)
            }
            other => return Err(format!("Got unexpected packet from leader: {}, exiting", other.name())),
        };
        emit(out, ServerEvent::SyncMode { mode: mode.to_string(), leader: self.leader, zxid: z, loaded });
        self.last_queued = 0;
        self.phase = Phase::Syncing;
        Ok(())
    }

    fn apply_now(&mut self, s: &mut Shared, t: LoggedTxn, out: &mut Effects<Zk>) {
        s.remember_committed(&t);
        s.apply_direct(t, out);
    }

    /// Between the sync mode and UPTODATE.
    fn syncing(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        p: QuorumPacket,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        match p {
            QuorumPacket::Proposal(t) => {
                self.last_queued = t.header.zxid;
                self.not_committed.push_back(*t);
            }
            QuorumPacket::Commit { zxid: z } => {
                if !self.write_to_log {
                    if self.not_committed.front().is_some_and(|t| t.header.zxid == z) {
                        if let Some(t) = self.not_committed.pop_front() {
                            self.apply_now(s, t, out);
                        }
                    }
                } else if self.newleader_seen && self.not_committed.is_empty() && s.cfg.bugs.zookeeper_4394 {
                    return Err(
                        "NullPointerException in syncWithLeader: COMMIT after NEWLEADER (ZOOKEEPER-4394)".into()
                    );
                } else {
                    self.committed.push_back(z);
                }
            }
            QuorumPacket::Inform(t) => {
                self.last_queued = t.header.zxid;
                if !self.write_to_log {
                    self.apply_now(s, *t, out);
                } else {
                    self.committed.push_back(t.header.zxid);
                    self.not_committed.push_back(*t);
                }
            }
            QuorumPacket::NewLeader { zxid: z } => self.new_leader(s, conn, z, now, out),
            QuorumPacket::UpToDate => self.up_to_date(s, conn, now, out)?,
            QuorumPacket::Ping { .. } => {
                // The leader pings only learners that finished syncing.
            }
            other => return Err(format!("unexpected {} while syncing", other.name())),
        }
        Ok(())
    }

    /// NEWLEADER: snapshot if the mode needs it; a follower logs what it was
    /// sent and (3.8.5+) waits for it to be on disk before writing
    /// currentEpoch and acking.
    fn new_leader(&mut self, s: &mut Shared, conn: ConnId, z: Zxid, now: Instant, out: &mut Effects<Zk>) {
        self.newleader_seen = true;
        if self.snapshot_needed {
            let snap = s.core.db.snapshot();
            s.write(ServerWrite::Snapshot(Box::new(snap)), out);
        }
        self.write_to_log = true;
        self.read_timeout = s.cfg.sync_limit_time();
        self.touch_read(now, out);
        if !self.observer {
            for t in std::mem::take(&mut self.not_committed) {
                self.to_ack.push(t.header.zxid);
                s.write(ServerWrite::Txn(t.clone()), out);
                self.pending_txns.push_back(t);
            }
        }
        let epoch = zxid::epoch(z);
        let ack = QuorumPacket::Ack { zxid: z };
        if s.cfg.bugs.zookeeper_4646 && !self.observer {
            // 3.8.0-3.8.4: currentEpoch and the ACK before the log is synced.
            s.write(ServerWrite::CurrentEpoch(epoch), out);
            send_quorum(out, conn, ack);
            return;
        }
        s.write(ServerWrite::CurrentEpoch(epoch), out);
        if let Some(AfterSync::Send(c, p)) = s.when_durable(AfterSync::Send(conn, ack), out) {
            send_quorum(out, c, p);
        }
    }

    /// UPTODATE: serve, then ack what was logged at NEWLEADER and commit
    /// what was committed meanwhile.
    fn up_to_date(&mut self, s: &mut Shared, conn: ConnId, now: Instant, out: &mut Effects<Zk>) -> Result<(), String> {
        self.phase = Phase::Broadcast;
        send_quorum(out, conn, QuorumPacket::Ack { zxid: zxid::make(self.epoch, 0) });
        s.update_election_vote(self.epoch);
        emit(out, ServerEvent::Serving { epoch: self.epoch, leader: self.leader });
        s.announce(out, Some(self.leader));
        if self.observer {
            let pending = std::mem::take(&mut self.not_committed);
            for t in pending {
                if self.committed.front() == Some(&t.header.zxid) {
                    self.committed.pop_front();
                    self.apply_committed(s, t, now, out);
                }
            }
            return Ok(());
        }
        for z in std::mem::take(&mut self.to_ack) {
            if let Some(AfterSync::Ack(z)) = s.when_durable(AfterSync::Ack(z), out) {
                send_quorum(out, conn, QuorumPacket::Ack { zxid: z });
            }
        }
        for t in std::mem::take(&mut self.not_committed) {
            self.log_proposal(s, conn, t, out);
        }
        for z in std::mem::take(&mut self.committed) {
            self.commit(s, z, now, out)?;
        }
        Ok(())
    }

    // ---------------------------------------------------------- broadcast

    fn log_proposal(&mut self, s: &mut Shared, conn: ConnId, t: LoggedTxn, out: &mut Effects<Zk>) {
        let z = t.header.zxid;
        self.pending_txns.push_back(t.clone());
        s.write(ServerWrite::Txn(t), out);
        if let Some(AfterSync::Ack(z)) = s.when_durable(AfterSync::Ack(z), out) {
            send_quorum(out, conn, QuorumPacket::Ack { zxid: z });
        }
    }

    /// A COMMIT must match the oldest logged proposal (else a real
    /// follower exits); with none pending it is ignored.
    fn commit(&mut self, s: &mut Shared, z: Zxid, now: Instant, out: &mut Effects<Zk>) -> Result<(), String> {
        let Some(head) = self.pending_txns.front() else {
            emit(out, ServerEvent::CommitIgnored { zxid: z });
            return Ok(());
        };
        if head.header.zxid != z {
            return Err(format!("Committing zxid 0x{z:x} but next pending txn 0x{:x}", head.header.zxid));
        }
        if let Some(t) = self.pending_txns.pop_front() {
            self.apply_committed(s, t, now, out);
        }
        Ok(())
    }

    fn apply_committed(&mut self, s: &mut Shared, t: LoggedTxn, now: Instant, out: &mut Effects<Zk>) {
        s.remember_committed(&t);
        for r in self.commit.committed(t) {
            s.core.finish(r, now, out);
        }
    }

    fn broadcast(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        p: QuorumPacket,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        match p {
            QuorumPacket::Ping { .. } => {
                let touches: Vec<(SessionId, i32)> =
                    s.core.touches.as_mut().map(std::mem::take).unwrap_or_default().into_iter().collect();
                send_quorum(out, conn, QuorumPacket::Ping { zxid: s.last_processed(), touches });
            }
            QuorumPacket::Proposal(t) if !self.observer => {
                self.last_queued = t.header.zxid;
                self.log_proposal(s, conn, *t, out);
            }
            QuorumPacket::Commit { zxid: z } if !self.observer => self.commit(s, z, now, out)?,
            QuorumPacket::Inform(t) if self.observer => {
                self.last_queued = t.header.zxid;
                s.write(ServerWrite::Txn((*t).clone()), out);
                self.apply_committed(s, *t, now, out);
            }
            QuorumPacket::Sync => {
                if let Some((session, cxid)) = self.pending_syncs.pop_front() {
                    for r in self.commit.synced(session, cxid) {
                        s.core.finish(r, now, out);
                    }
                }
            }
            QuorumPacket::Revalidate { session, valid, .. } => {
                if let Some(c) = self.revalidating.remove(&session) {
                    s.core.finish_session_init(c, valid, out);
                }
            }
            QuorumPacket::UpToDate | QuorumPacket::NewLeader { .. } => {}
            other => return Err(format!("unexpected {} from the leader", other.name())),
        }
        Ok(())
    }

    // ------------------------------------------------------------ clients

    /// A local client's request: writes (and syncs, session changes) go to
    /// the leader; everything waits its turn in the commit processor.
    pub fn submit(
        &mut self,
        s: &mut Shared,
        req: PipelineRequest,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let Some(conn) = self.conn else { return Ok(()) };
        if s.cfg.bugs.broken_local_writes && !self.observer && is_client_write(&req) {
            serve_write_locally(s, req, now, out);
            return Ok(());
        }
        if needs_commit(&req, true) {
            if matches!(req.op, PipelineOp::Client(Request::Sync { .. })) {
                self.pending_syncs.push_back((req.session, req.xid));
            }
            let f = Forwarded { session: req.session, cxid: req.xid, op: req.op.clone(), auth: req.auth.clone() };
            send_quorum(out, conn, QuorumPacket::Request(Box::new(f)));
        }
        for r in self.commit.local(req) {
            s.core.finish(r, now, out);
        }
        Ok(())
    }

    /// A session reconnecting here: ask the leader.
    pub fn revalidate(
        &mut self,
        _s: &mut Shared,
        conn: ConnId,
        session: SessionId,
        timeout: i32,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let Some(leader) = self.conn else { return Ok(()) };
        self.revalidating.insert(session, conn);
        send_quorum(out, leader, QuorumPacket::Revalidate { session, timeout, valid: false });
        Ok(())
    }

    pub fn on_durable(
        &mut self,
        _s: &mut Shared,
        what: AfterSync,
        _now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        match what {
            AfterSync::Ack(z) if !self.observer => {
                if let Some(conn) = self.conn {
                    send_quorum(out, conn, QuorumPacket::Ack { zxid: z });
                }
            }
            AfterSync::Send(conn, p) if self.conn == Some(conn) => send_quorum(out, conn, p),
            _ => {}
        }
        Ok(())
    }

    pub fn shutdown(&mut self, _s: &mut Shared, out: &mut Effects<Zk>) {
        if let Some(conn) = self.conn.take() {
            out.push(Effect::Close { conn });
        }
        self.commit.clear();
        for t in [ServerTimer::LearnerRead, ServerTimer::LearnerConnect] {
            out.push(Effect::CancelTimer { timer: timer(t) });
        }
    }
}

/// A client's data write (not a session's close, which stays the leader's).
fn is_client_write(req: &PipelineRequest) -> bool {
    matches!(&req.op, PipelineOp::Client(r) if r.is_write() && !matches!(r, Request::CloseSession))
}

/// BROKEN-LOCAL-WRITES, a teaching variant and not a ZooKeeper bug: the
/// follower prepares the write itself with the next zxid after what it has
/// applied, applies it and answers success; the leader never hears of it,
/// so no other server ever holds it and the leader hands the same zxid to
/// another write. Nothing is logged: the write lives only in this tree.
fn serve_write_locally(s: &mut Shared, mut req: PipelineRequest, now: Instant, out: &mut Effects<Zk>) {
    s.core.zxid = s.last_processed();
    // A learner does not track global sessions; adopt this one so prepare
    // takes it as ours.
    let timeout = s.cfg.max_session_timeout();
    s.core.sessions.track_session(req.session, timeout, ms(now));
    s.core.sessions.set_owner(req.session, Owner::Local);
    s.core.prepare(&mut req, Owner::Local, now);
    s.core.finish(req, now, out);
}
