//! The leader (`Leader.lead()` with a `LearnerHandler` per learner):
//! discovery (a new epoch from a quorum of FOLLOWERINFO, ACKEPOCHs none of
//! which is ahead of us), synchronization (DIFF, TRUNC or SNAP per learner,
//! NEWLEADER acked by a quorum, UPTODATE), then broadcast (PROPOSAL, ACK,
//! COMMIT in zxid order; INFORM to observers), with pings, the quorum check
//! and the sessions of the whole ensemble.

use super::commit::CommitProcessor;
use super::packet::{zxid, Forwarded, QuorumPacket};
use super::peer::{emit, send_quorum, timer, AfterSync, Shared};
use crate::server::core::{PipelineOp, PipelineRequest, ServerCore};
use crate::server::fourlw::LeaderView;
use crate::server::sessions::Owner;
use crate::server::stats::BufferStats;
use crate::server::{ServerEvent, ServerTimer, ServerWrite};
use crate::wire::Zk;
use actor::{ConnId, Duration, Effect, Effects, Instant};
use std::collections::{BTreeMap, BTreeSet};
use znode::{LoggedTxn, Request, Zxid};

/// Where one learner's handler is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Told the epoch (or waiting for it), waiting for ACKEPOCH.
    Discovery,
    /// Its ACKEPOCH came; waiting for discovery to finish.
    EpochAcked,
    /// Synced and sent NEWLEADER; waiting for its ACK.
    AwaitNewLeaderAck,
    /// Acked NEWLEADER; waiting for the leader to start serving.
    AwaitStartup,
    /// UPTODATE sent: broadcasting.
    Broadcast,
}

/// One learner, as the leader sees it (`LearnerHandler`).
#[derive(Clone, Debug)]
struct Handler {
    sid: u64,
    observer: bool,
    stage: Stage,
    /// Its ACKEPOCH: last zxid and currentEpoch (-1: already promised).
    peer_last_zxid: Zxid,
    /// `tickOfNextAckDeadline`.
    deadline_tick: u64,
    /// Whether it receives the broadcast (`forwardingFollowers`/observers).
    forwarding: bool,
    told_epoch: bool,
    /// Proposals sent and not yet acked, with when they were sent.
    unacked: BTreeMap<Zxid, Instant>,
}

/// A proposal waiting for its quorum.
#[derive(Clone, Debug)]
struct Proposal {
    txn: LoggedTxn,
    acks: BTreeSet<u64>,
}

/// A learner's `sync`, waiting for a zxid to commit.
#[derive(Clone, Debug)]
struct PendingSync {
    conn: ConnId,
}

/// The leader's state.
pub struct Leader {
    /// The new epoch, once a quorum agreed on it.
    epoch: Option<u64>,
    candidate: u64,
    connecting: BTreeSet<u64>,
    epoch_acks: BTreeSet<u64>,
    discovery_done: bool,
    newleader_acks: BTreeSet<u64>,
    /// `leaderStateSummary`: (currentEpoch, last zxid) when leading began.
    summary: (u64, Zxid),
    serving: bool,
    handlers: BTreeMap<ConnId, Handler>,
    outstanding: BTreeMap<Zxid, Proposal>,
    last_committed: Zxid,
    last_proposed: Zxid,
    tick: u64,
    half_ticks: u64,
    pending_syncs: BTreeMap<Zxid, Vec<PendingSync>>,
    commit: CommitProcessor,
    expiry_armed: Option<u64>,
    /// When the epoch was established (`leader_uptime`).
    established_at: Option<Instant>,
    /// Serialized proposal sizes (`Proposal sizes last/min/max`).
    proposal_sizes: BufferStats,
}

fn set_timer(out: &mut Effects<Zk>, t: ServerTimer, at: Instant) {
    out.push(Effect::SetTimer { timer: timer(t), at });
}

impl Leader {
    /// `lead()`: snapshot, then propose an epoch one past every accepted
    /// epoch seen, starting with our own.
    pub fn start(s: &mut Shared, now: Instant, out: &mut Effects<Zk>) -> Leader {
        s.core.touches = None;
        let snap = s.core.db.snapshot();
        s.write(ServerWrite::Snapshot(Box::new(snap)), out);
        let mut l = Leader {
            epoch: None,
            candidate: s.accepted_epoch + 1,
            connecting: [s.sid].into(),
            epoch_acks: BTreeSet::new(),
            discovery_done: false,
            newleader_acks: BTreeSet::new(),
            summary: (s.current_epoch, s.last_processed()),
            serving: false,
            handlers: BTreeMap::new(),
            outstanding: BTreeMap::new(),
            last_committed: 0,
            last_proposed: 0,
            tick: 0,
            half_ticks: 0,
            pending_syncs: BTreeMap::new(),
            commit: CommitProcessor::new(false),
            expiry_armed: None,
            established_at: None,
            proposal_sizes: BufferStats::default(),
        };
        set_timer(out, ServerTimer::LeaderDeadline, now + s.cfg.init_limit_time());
        l.maybe_decide_epoch(s, out);
        l
    }

    pub fn serving(&self) -> bool {
        self.serving
    }

    pub fn owns(&self, conn: ConnId) -> bool {
        self.handlers.contains_key(&conn)
    }

    /// The leader's lines of `mntr` and `srvr`.
    pub fn four_letter_view(&self, now: Instant) -> LeaderView {
        let synced = self.handlers.values().filter(|h| h.stage == Stage::Broadcast && !h.observer).count();
        LeaderView {
            learners: self.handlers.len(),
            synced_followers: synced,
            synced_non_voting_followers: 0,
            pending_syncs: self.pending_syncs.values().map(Vec::len).sum(),
            uptime_ms: self.established_at.map_or(0, |t| now.saturating_since(t).as_millis()),
            proposal_stats: self.proposal_sizes,
        }
    }

    /// Requests waiting in the commit processor.
    pub fn outstanding_requests(&self) -> u64 {
        self.commit.pending() as u64
    }

    /// The learners and their stages, for views.
    pub fn learners(&self) -> Vec<(u64, bool)> {
        self.handlers.values().map(|h| (h.sid, h.stage == Stage::Broadcast)).collect()
    }

    // ----------------------------------------------------------- discovery

    fn maybe_decide_epoch(&mut self, s: &mut Shared, out: &mut Effects<Zk>) {
        if self.epoch.is_some() || !s.members.is_quorum(&self.connecting) {
            return;
        }
        let epoch = self.candidate;
        self.epoch = Some(epoch);
        s.core.zxid = zxid::make(epoch, 0);
        s.write(ServerWrite::AcceptedEpoch(epoch), out);
        if let Some(a) = s.when_durable(AfterSync::EpochAccepted, out) {
            let _ = self.on_durable(s, a, Instant::ZERO, out);
        }
    }

    /// Tell every learner that has introduced itself the new epoch.
    fn tell_epoch(&mut self, s: &Shared, out: &mut Effects<Zk>) {
        let Some(epoch) = self.epoch else { return };
        if s.accepted_epoch < epoch {
            return;
        }
        for (conn, h) in self.handlers.iter_mut() {
            if !h.told_epoch {
                h.told_epoch = true;
                send_quorum(out, *conn, QuorumPacket::LeaderInfo { zxid: zxid::make(epoch, 0) });
            }
        }
    }

    fn learner_info(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        sid: u64,
        accepted_zxid: Zxid,
        observer: bool,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let is_voter = s.members.voters.contains(&sid);
        if observer == is_voter || sid == s.sid {
            // A server that is not what the configuration says it is.
            out.push(Effect::Close { conn });
            return Ok(());
        }
        let accepted = zxid::epoch(accepted_zxid);
        self.handlers.insert(
            conn,
            Handler {
                sid,
                observer,
                stage: Stage::Discovery,
                peer_last_zxid: 0,
                deadline_tick: self.tick + u64::from(s.cfg.init_limit + s.cfg.sync_limit),
                forwarding: false,
                told_epoch: false,
                unacked: BTreeMap::new(),
            },
        );
        if self.epoch.is_none() {
            self.candidate = self.candidate.max(accepted + 1);
            if !observer {
                self.connecting.insert(sid);
            }
            self.maybe_decide_epoch(s, out);
        }
        self.tell_epoch(s, out);
        Ok(())
    }

    /// ACKEPOCH: a learner ahead of us is dropped; the others count toward
    /// finishing discovery.
    fn ack_epoch(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        last: Zxid,
        current_epoch: i64,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let Some(h) = self.handlers.get_mut(&conn) else { return Ok(()) };
        h.peer_last_zxid = last;
        h.stage = Stage::EpochAcked;
        if current_epoch >= 0 {
            let theirs = (current_epoch as u64, last);
            if theirs > self.summary {
                // "Follower is ahead of the leader".
                let sid = h.sid;
                emit(out, ServerEvent::LearnerRefused { sid, reason: "follower is ahead of the leader".into() });
                self.drop_learner(conn, out);
                return Ok(());
            }
            if !h.observer {
                self.epoch_acks.insert(h.sid);
            }
        }
        let mut with_me = self.epoch_acks.clone();
        with_me.insert(s.sid);
        if !self.discovery_done && s.members.is_quorum(&with_me) {
            self.discovery_done = true;
            let epoch = self.epoch.unwrap_or(self.candidate);
            s.write(ServerWrite::CurrentEpoch(epoch), out);
            if let Some(a) = s.when_durable(AfterSync::EpochCurrent, out) {
                self.on_durable(s, a, now, out)?;
            }
            set_timer(out, ServerTimer::LeaderDeadline, now + s.cfg.init_limit_time());
            let waiting: Vec<ConnId> =
                self.handlers.iter().filter(|(_, h)| h.stage == Stage::EpochAcked).map(|(c, _)| *c).collect();
            for c in waiting {
                self.sync_learner(s, c, now, out);
            }
        } else if self.discovery_done {
            self.sync_learner(s, conn, now, out);
        }
        Ok(())
    }

    // ------------------------------------------------------------- sync

    /// `syncFollower` + `startForwarding`: bring a learner to our state and
    /// start sending it the broadcast, then NEWLEADER.
    fn sync_learner(&mut self, s: &mut Shared, conn: ConnId, now: Instant, out: &mut Effects<Zk>) {
        let Some(h) = self.handlers.get(&conn) else { return };
        let (peer, observer, sid) = (h.peer_last_zxid, h.observer, h.sid);
        let (packets, queued) = match plan_sync(s, peer) {
            Some(plan) => plan,
            None => (vec![QuorumPacket::Snap(Box::new(s.core.db.snapshot()))], s.last_processed()),
        };
        let mode = match packets.first() {
            Some(QuorumPacket::Diff { .. }) => "DIFF",
            Some(QuorumPacket::Trunc { .. }) => "TRUNC",
            _ => "SNAP",
        };
        emit(out, ServerEvent::SyncChosen { learner: sid, mode: mode.to_string(), peer_zxid: peer });
        for p in packets {
            send_quorum(out, conn, p);
        }
        // startForwarding: what was proposed after that point.
        if self.last_proposed > queued && !observer {
            for (z, p) in self.outstanding.range(queued + 1..) {
                send_quorum(out, conn, QuorumPacket::Proposal(Box::new(p.txn.clone())));
                if let Some(h) = self.handlers.get_mut(&conn) {
                    h.unacked.insert(*z, now);
                }
            }
        }
        let epoch = self.epoch.unwrap_or(self.candidate);
        if let Some(h) = self.handlers.get_mut(&conn) {
            h.forwarding = true;
            h.stage = Stage::AwaitNewLeaderAck;
        }
        send_quorum(out, conn, QuorumPacket::NewLeader { zxid: zxid::make(epoch, 0) });
    }

    fn newleader_ack(&mut self, s: &mut Shared, conn: ConnId, z: Zxid, now: Instant, out: &mut Effects<Zk>) {
        let epoch = self.epoch.unwrap_or(self.candidate);
        let Some(h) = self.handlers.get_mut(&conn) else { return };
        h.stage = Stage::AwaitStartup;
        if z == zxid::make(epoch, 0) && !h.observer {
            self.newleader_acks.insert(h.sid);
        }
        // An ACK for anything else (ZOOKEEPER-4685) is not counted.
        if self.serving {
            self.up_to_date(conn, out);
        } else {
            self.maybe_establish(s, now, out);
        }
    }

    fn up_to_date(&mut self, conn: ConnId, out: &mut Effects<Zk>) {
        if let Some(h) = self.handlers.get_mut(&conn) {
            h.stage = Stage::Broadcast;
            send_quorum(out, conn, QuorumPacket::UpToDate);
        }
    }

    /// A quorum acked NEWLEADER (us included, once our currentEpoch is on
    /// disk): the epoch is established and we serve.
    fn maybe_establish(&mut self, s: &mut Shared, now: Instant, out: &mut Effects<Zk>) {
        let epoch = self.epoch.unwrap_or(self.candidate);
        if self.serving || s.current_epoch != epoch || !s.members.is_quorum(&self.newleader_acks) {
            return;
        }
        self.serving = true;
        self.established_at = Some(now);
        let z = zxid::make(epoch, 0);
        self.last_committed = z;
        self.last_proposed = z;
        s.core.zxid = z;
        s.core.db.tree.last_processed_zxid = z;
        s.core.prep.clear();
        // Sessions from the replicated table, each with a fresh deadline and
        // no owner yet.
        let sessions: Vec<(u64, i32)> = s.core.db.sessions.iter().map(|(k, v)| (*k, *v)).collect();
        s.core.sessions = crate::server::sessions::SessionTracker::new(
            u64::from(s.cfg.tick_time),
            s.sid,
            s.cfg.wall_ms(now).max(0) as u64,
        );
        for (id, timeout) in sessions {
            s.core.sessions.track_session(id, timeout, now.as_millis());
        }
        s.update_election_vote(epoch);
        emit(out, ServerEvent::Established { epoch });
        s.announce(out, Some(s.sid));
        out.push(Effect::CancelTimer { timer: timer(ServerTimer::LeaderDeadline) });
        set_timer(out, ServerTimer::LeaderTick, now + Duration::from_millis(u64::from(s.cfg.tick_time) / 2));
        if s.cfg.container_cleanup {
            set_timer(out, ServerTimer::ContainerCheck, now + Duration::from_millis(s.cfg.container_check_interval_ms));
        }
        let waiting: Vec<ConnId> =
            self.handlers.iter().filter(|(_, h)| h.stage == Stage::AwaitStartup).map(|(c, _)| *c).collect();
        for c in waiting {
            self.up_to_date(c, out);
        }
        self.arm_expiry(s, out);
    }

    // -------------------------------------------------------- broadcast

    /// A local client's request: prepared here, proposed if it is a write,
    /// answered through the commit processor.
    pub fn submit(
        &mut self,
        s: &mut Shared,
        mut req: PipelineRequest,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        s.core.prepare(&mut req, Owner::Local, now);
        let logged = req.logged();
        for r in self.commit.local(req) {
            s.core.finish(r, now, out);
        }
        if let Some(t) = logged {
            self.propose(s, t, now, out)?;
        }
        self.arm_expiry(s, out);
        Ok(())
    }

    /// A learner's forwarded request.
    fn forwarded(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        f: Forwarded,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let Some(sid) = self.handlers.get(&conn).map(|h| h.sid) else { return Ok(()) };
        if matches!(f.op, PipelineOp::Client(Request::Sync { .. })) {
            // processSync: answered once what was proposed so far commits.
            if self.outstanding.is_empty() {
                send_quorum(out, conn, QuorumPacket::Sync);
            } else {
                self.pending_syncs.entry(self.last_proposed).or_default().push(PendingSync { conn });
            }
            return Ok(());
        }
        let mut req = PipelineRequest {
            conn: None,
            session: f.session,
            xid: f.cxid,
            op: f.op,
            auth: f.auth,
            arrived_ms: now.as_millis(),
            prepared: None,
        };
        s.core.prepare(&mut req, Owner::Learner(sid as u32), now);
        if let Some(t) = req.logged() {
            self.propose(s, t, now, out)?;
        }
        self.arm_expiry(s, out);
        Ok(())
    }

    /// `Leader.propose`: to every forwarding follower, and to our own log.
    fn propose(&mut self, s: &mut Shared, t: LoggedTxn, now: Instant, out: &mut Effects<Zk>) -> Result<(), String> {
        let z = t.header.zxid;
        if zxid::counter(z) == 0xffff_ffff {
            return Err(
                "zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start".into()
            );
        }
        self.proposal_sizes.set_last(i32::try_from(txn_size(&t)).unwrap_or(i32::MAX));
        self.outstanding.insert(z, Proposal { txn: t.clone(), acks: BTreeSet::new() });
        self.last_proposed = z;
        emit(out, ServerEvent::Proposed { zxid: z });
        for (conn, h) in self.handlers.iter_mut() {
            if h.forwarding && !h.observer {
                send_quorum(out, *conn, QuorumPacket::Proposal(Box::new(t.clone())));
                h.unacked.insert(z, now);
            }
        }
        s.write(ServerWrite::Txn(t), out);
        if let Some(a) = s.when_durable(AfterSync::LeaderAck(z), out) {
            self.on_durable(s, a, now, out)?;
        }
        Ok(())
    }

    /// `processAck`.
    fn process_ack(&mut self, s: &mut Shared, sid: u64, z: Zxid, now: Instant, out: &mut Effects<Zk>) {
        if zxid::counter(z) == 0 || self.outstanding.is_empty() || z <= self.last_committed {
            return;
        }
        let Some(p) = self.outstanding.get_mut(&z) else { return };
        if s.members.voters.contains(&sid) {
            p.acks.insert(sid);
        }
        let mut next = z;
        while self.try_to_commit(s, next, now, out) {
            next += 1;
        }
    }

    /// `tryToCommit`: in zxid order, with a quorum of ACKs.
    fn try_to_commit(&mut self, s: &mut Shared, z: Zxid, now: Instant, out: &mut Effects<Zk>) -> bool {
        if z > 0 && self.outstanding.contains_key(&(z - 1)) {
            return false;
        }
        let Some(p) = self.outstanding.get(&z) else { return false };
        if !s.members.is_quorum(&p.acks) {
            return false;
        }
        let Some(p) = self.outstanding.remove(&z) else { return false };
        self.last_committed = z;
        emit(out, ServerEvent::Committed { zxid: z });
        for (conn, h) in self.handlers.iter_mut() {
            if !h.forwarding {
                continue;
            }
            if h.observer {
                send_quorum(out, *conn, QuorumPacket::Inform(Box::new(p.txn.clone())));
            } else {
                send_quorum(out, *conn, QuorumPacket::Commit { zxid: z });
            }
        }
        s.remember_committed(&p.txn);
        for r in self.commit.committed(p.txn) {
            s.core.finish(r, now, out);
        }
        let done: Vec<Zxid> = self.pending_syncs.range(..=z).map(|(k, _)| *k).collect();
        for k in done {
            for ps in self.pending_syncs.remove(&k).unwrap_or_default() {
                send_quorum(out, ps.conn, QuorumPacket::Sync);
            }
        }
        true
    }

    // ------------------------------------------------------------- inputs

    pub fn on_packet(
        &mut self,
        s: &mut Shared,
        conn: ConnId,
        p: QuorumPacket,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        let tick = self.tick;
        let sync_limit = u64::from(s.cfg.sync_limit);
        if let Some(h) = self.handlers.get_mut(&conn) {
            h.deadline_tick = tick + sync_limit;
        }
        match p {
            QuorumPacket::FollowerInfo { zxid, sid } if !self.handlers.contains_key(&conn) => {
                self.learner_info(s, conn, sid, zxid, false, out)
            }
            QuorumPacket::ObserverInfo { zxid, sid } if !self.handlers.contains_key(&conn) => {
                self.learner_info(s, conn, sid, zxid, true, out)
            }
            _ if !self.handlers.contains_key(&conn) => {
                out.push(Effect::Close { conn });
                Ok(())
            }
            QuorumPacket::AckEpoch { zxid, current_epoch } => self.ack_epoch(s, conn, zxid, current_epoch, now, out),
            QuorumPacket::Ack { zxid } => {
                let (stage, sid) = self.handlers.get(&conn).map(|h| (h.stage, h.sid)).unwrap_or((Stage::Broadcast, 0));
                if let Some(h) = self.handlers.get_mut(&conn) {
                    h.unacked.remove(&zxid);
                }
                if stage == Stage::AwaitNewLeaderAck {
                    self.newleader_ack(s, conn, zxid, now, out);
                } else {
                    self.process_ack(s, sid, zxid, now, out);
                }
                Ok(())
            }
            QuorumPacket::Ping { touches, .. } => {
                for (session, _timeout) in touches {
                    s.core.sessions.touch(session, now.as_millis());
                }
                self.arm_expiry(s, out);
                Ok(())
            }
            QuorumPacket::Request(f) => {
                if !self.serving {
                    return Ok(());
                }
                self.forwarded(s, conn, *f, now, out)
            }
            QuorumPacket::Revalidate { session, .. } => {
                let sid = self.handlers.get(&conn).map_or(0, |h| h.sid);
                let valid = s.core.sessions.touch(session, now.as_millis());
                if valid {
                    s.core.sessions.set_owner(session, Owner::Learner(sid as u32));
                }
                send_quorum(out, conn, QuorumPacket::Revalidate { session, timeout: 0, valid });
                self.arm_expiry(s, out);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn drop_learner(&mut self, conn: ConnId, out: &mut Effects<Zk>) {
        self.handlers.remove(&conn);
        out.push(Effect::Close { conn });
    }

    pub fn on_closed(
        &mut self,
        _s: &mut Shared,
        conn: ConnId,
        _now: Instant,
        _out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        self.handlers.remove(&conn);
        Ok(())
    }

    pub fn on_durable(
        &mut self,
        s: &mut Shared,
        what: AfterSync,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        match what {
            AfterSync::LeaderAck(z) => self.process_ack(s, s.sid, z, now, out),
            AfterSync::EpochAccepted => self.tell_epoch(s, out),
            AfterSync::EpochCurrent => {
                self.newleader_acks.insert(s.sid);
                self.maybe_establish(s, now, out);
            }
            AfterSync::Ack(_) | AfterSync::Send(..) => {}
        }
        Ok(())
    }

    pub fn on_timer(
        &mut self,
        s: &mut Shared,
        t: ServerTimer,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        match t {
            ServerTimer::LeaderDeadline if !self.serving => {
                let what = if self.epoch.is_none() {
                    "Timeout while waiting for epoch from quorum"
                } else if !self.discovery_done {
                    "Timeout while waiting for epoch to be acked by quorum"
                } else {
                    "Timeout while waiting for NEWLEADER to be acked by quorum"
                };
                Err(what.to_string())
            }
            ServerTimer::LeaderTick if self.serving => self.tick_loop(s, now, out),
            ServerTimer::SessionExpiry if self.serving => {
                self.expiry_armed = None;
                for req in s.core.expired_sessions(now, out) {
                    self.submit_internal(s, req, now, out)?;
                }
                self.arm_expiry(s, out);
                Ok(())
            }
            ServerTimer::ContainerCheck if self.serving => {
                set_timer(
                    out,
                    ServerTimer::ContainerCheck,
                    now + Duration::from_millis(s.cfg.container_check_interval_ms),
                );
                self.check_containers(s, now, out)
            }
            _ => Ok(()),
        }
    }

    /// The container manager's sweep (leader only).
    pub fn check_containers(&mut self, s: &mut Shared, now: Instant, out: &mut Effects<Zk>) -> Result<(), String> {
        if !self.serving {
            return Ok(());
        }
        let reqs: Vec<PipelineRequest> =
            s.core.container_candidates(now).into_iter().map(|p| s.core.delete_container_request(p, now)).collect();
        for r in reqs {
            self.submit_internal(s, r, now, out)?;
        }
        Ok(())
    }

    /// A request the leader makes itself (expiry, container clean-up).
    fn submit_internal(
        &mut self,
        s: &mut Shared,
        mut req: PipelineRequest,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Result<(), String> {
        s.core.prepare(&mut req, Owner::Local, now);
        match req.logged() {
            Some(t) => self.propose(s, t, now, out),
            None => Ok(()),
        }
    }

    /// Every tickTime/2: ping the learners (closing any too slow to ACK);
    /// every full tick, step down without a synced quorum.
    fn tick_loop(&mut self, s: &mut Shared, now: Instant, out: &mut Effects<Zk>) -> Result<(), String> {
        set_timer(out, ServerTimer::LeaderTick, now + Duration::from_millis(u64::from(s.cfg.tick_time) / 2));
        self.half_ticks += 1;
        let sync_limit = s.cfg.sync_limit_time();
        let mut slow = Vec::new();
        for (conn, h) in self.handlers.iter() {
            if h.stage != Stage::Broadcast {
                continue;
            }
            if h.unacked.values().next().is_some_and(|t| now.saturating_since(*t) > sync_limit) {
                slow.push(*conn);
            } else {
                send_quorum(out, *conn, QuorumPacket::Ping { zxid: self.last_proposed, touches: vec![] });
            }
        }
        for c in slow {
            let sid = self.handlers.get(&c).map_or(0, |h| h.sid);
            emit(out, ServerEvent::LearnerRefused { sid, reason: "transaction timeout".into() });
            self.drop_learner(c, out);
        }
        if self.half_ticks.is_multiple_of(2) {
            self.tick += 1;
            let mut synced: BTreeSet<u64> = [s.sid].into();
            for h in self.handlers.values() {
                if !h.observer && self.tick <= h.deadline_tick {
                    synced.insert(h.sid);
                }
            }
            if !s.members.is_quorum(&synced) {
                let sids: Vec<String> = synced.iter().map(u64::to_string).collect();
                return Err(format!("Not sufficient followers synced, only synced with sids: [ {} ]", sids.join(",")));
            }
        }
        Ok(())
    }

    fn arm_expiry(&mut self, s: &mut Shared, out: &mut Effects<Zk>) {
        arm_expiry(&mut self.expiry_armed, &s.core, out);
    }

    /// Leaving the role: learners are disconnected, nothing waits any more.
    pub fn shutdown(&mut self, _s: &mut Shared, out: &mut Effects<Zk>) {
        for conn in self.handlers.keys() {
            out.push(Effect::Close { conn: *conn });
        }
        self.handlers.clear();
        self.commit.clear();
        self.outstanding.clear();
        for t in [
            ServerTimer::LeaderTick,
            ServerTimer::LeaderDeadline,
            ServerTimer::SessionExpiry,
            ServerTimer::ContainerCheck,
        ] {
            out.push(Effect::CancelTimer { timer: timer(t) });
        }
    }
}

/// Keep the session-expiry timer on the tracker's next bucket.
pub fn arm_expiry(armed: &mut Option<u64>, core: &ServerCore, out: &mut Effects<Zk>) {
    let next = core.sessions.next_expiry_ms();
    if next == *armed {
        return;
    }
    *armed = next;
    match next {
        Some(t) => set_timer(out, ServerTimer::SessionExpiry, Instant(t.saturating_mul(1000))),
        None => out.push(Effect::CancelTimer { timer: timer(ServerTimer::SessionExpiry) }),
    }
}

/// `syncFollower`'s choice for a learner whose last zxid is `peer`: the
/// packets to send before NEWLEADER (DIFF or TRUNC and PROPOSAL/COMMIT
/// pairs) and the last zxid they bring it to, or `None` for SNAP.
fn plan_sync(s: &Shared, peer: Zxid) -> Option<(Vec<QuorumPacket>, Zxid)> {
    let last = s.last_processed();
    let (min_c, max_c) = match (s.committed_log.front(), s.committed_log.back()) {
        (Some(a), Some(b)) => (a.header.zxid, b.header.zxid),
        _ => (last, last),
    };
    let new_epoch_peer = zxid::counter(peer) == 0;
    if peer == last {
        return Some((vec![QuorumPacket::Diff { zxid: peer }], peer));
    }
    if peer > max_c && !new_epoch_peer {
        return Some((vec![QuorumPacket::Trunc { zxid: max_c }], max_c));
    }
    let bug_1154 = s.cfg.bugs.zookeeper_1154;
    if min_c <= peer && peer <= max_c {
        let committed: Vec<&LoggedTxn> = s.committed_log.iter().collect();
        return queue_committed(&committed, peer, None, max_c, bug_1154);
    }
    if peer < min_c && s.cfg.snapshot_size_factor_permille >= 0 {
        // From the on-disk log, if it reaches back and is small enough
        // next to a snapshot.
        let from_log: Vec<&LoggedTxn> = s.disk.log.iter().filter(|t| t.header.zxid >= peer).collect();
        let reaches_back = s.disk.log.iter().any(|t| t.header.zxid <= peer) || peer == 0;
        let size: u64 = from_log.iter().map(|t| txn_size(t)).sum();
        let limit = s.core.db.tree.approximate_data_size() * s.cfg.snapshot_size_factor_permille.max(0) as u64 / 1000;
        if reaches_back && size <= limit.max(1) {
            if let Some((mut packets, mut queued)) = queue_committed(&from_log, peer, Some(min_c), max_c, bug_1154) {
                if queued >= min_c {
                    let from = queued;
                    for t in s.committed_log.iter().filter(|t| t.header.zxid > from) {
                        packets.push(QuorumPacket::Proposal(Box::new(t.clone())));
                        packets.push(QuorumPacket::Commit { zxid: t.header.zxid });
                        queued = t.header.zxid;
                    }
                    return Some((packets, queued));
                }
            }
        }
    }
    None
}

/// A rough serialized size of a transaction.
fn txn_size(t: &LoggedTxn) -> u64 {
    let path = t.txn.path().map_or(0, str::len);
    let data = match &t.txn {
        znode::Txn::Create { data, .. } | znode::Txn::SetData { data, .. } => data.as_ref().map_or(0, Vec::len),
        _ => 0,
    };
    (40 + path + data) as u64
}

/// `queueCommittedProposals`: DIFF (or TRUNC to the proposal before the
/// first one the peer lacks), then every later proposal with its COMMIT.
/// `None` when the peer holds transactions of another epoch the leader
/// never had: only a SNAP can fix that.
fn queue_committed(
    proposals: &[&LoggedTxn],
    peer: Zxid,
    max: Option<Zxid>,
    last_committed: Zxid,
    bug_1154: bool,
) -> Option<(Vec<QuorumPacket>, Zxid)> {
    let new_epoch_peer = zxid::counter(peer) == 0;
    let mut need_op = true;
    let mut queued = peer;
    let mut prev: Option<Zxid> = None;
    let mut out = Vec::new();
    for t in proposals {
        let z = t.header.zxid;
        if max.is_some_and(|m| z > m) {
            break;
        }
        if z < peer {
            prev = Some(z);
            continue;
        }
        if need_op {
            if z == peer {
                out.push(QuorumPacket::Diff { zxid: last_committed });
                need_op = false;
                continue;
            }
            if new_epoch_peer || bug_1154 {
                // (With ZOOKEEPER-1154 on: a DIFF from here, no TRUNC.)
                out.push(QuorumPacket::Diff { zxid: last_committed });
                need_op = false;
            } else if z > peer {
                if zxid::epoch(z) != zxid::epoch(peer) {
                    return None;
                }
                out.push(QuorumPacket::Trunc { zxid: prev.unwrap_or(0) });
                need_op = false;
            }
        }
        if z <= queued {
            continue;
        }
        out.push(QuorumPacket::Proposal(Box::new((*t).clone())));
        out.push(QuorumPacket::Commit { zxid: z });
        queued = z;
    }
    if need_op && new_epoch_peer {
        out.push(QuorumPacket::Diff { zxid: last_committed });
        need_op = false;
    }
    if need_op {
        return None;
    }
    Some((out, queued))
}

#[cfg(test)]
mod tests {
    use super::*;
    use znode::{Txn, TxnHeader};

    fn t(z: Zxid) -> LoggedTxn {
        LoggedTxn { header: TxnHeader { session: 1, cxid: 0, zxid: z, time: 0 }, txn: Txn::Error(znode::Code::NoNode) }
    }

    fn kinds(p: &[QuorumPacket]) -> Vec<String> {
        p.iter()
            .map(|p| match p {
                QuorumPacket::Diff { zxid } => format!("DIFF {zxid:x}"),
                QuorumPacket::Trunc { zxid } => format!("TRUNC {zxid:x}"),
                QuorumPacket::Proposal(t) => format!("P {:x}", t.header.zxid),
                QuorumPacket::Commit { zxid } => format!("C {zxid:x}"),
                other => other.name().to_string(),
            })
            .collect()
    }

    #[test]
    fn a_peer_inside_the_log_gets_a_diff_of_what_it_lacks() {
        let log: Vec<LoggedTxn> = (1..=5).map(|c| t(zxid::make(3, c))).collect();
        let refs: Vec<&LoggedTxn> = log.iter().collect();
        let (p, q) = queue_committed(&refs, zxid::make(3, 3), None, zxid::make(3, 5), false).expect("diff");
        assert_eq!(kinds(&p), vec!["DIFF 300000005", "P 300000004", "C 300000004", "P 300000005", "C 300000005"]);
        assert_eq!(q, zxid::make(3, 5));
    }

    #[test]
    fn a_peer_with_a_txn_nobody_committed_is_truncated_unless_1154() {
        // The leader has 3:1, 3:2, 3:4 (3:3 never committed); the peer has 3:3.
        let log: Vec<LoggedTxn> = [1, 2, 4].iter().map(|c| t(zxid::make(3, *c))).collect();
        let refs: Vec<&LoggedTxn> = log.iter().collect();
        let (p, _) = queue_committed(&refs, zxid::make(3, 3), None, zxid::make(3, 4), false).expect("trunc");
        assert_eq!(kinds(&p), vec!["TRUNC 300000002", "P 300000004", "C 300000004"]);
        let (p, _) = queue_committed(&refs, zxid::make(3, 3), None, zxid::make(3, 4), true).expect("buggy diff");
        assert_eq!(kinds(&p)[0], "DIFF 300000004", "ZOOKEEPER-1154: no TRUNC");
    }

    #[test]
    fn across_epochs_only_a_snap_will_do() {
        let log: Vec<LoggedTxn> = [zxid::make(3, 1), zxid::make(4, 1)].iter().map(|z| t(*z)).collect();
        let refs: Vec<&LoggedTxn> = log.iter().collect();
        assert!(queue_committed(&refs, zxid::make(3, 2), None, zxid::make(4, 1), false).is_none());
    }
}
