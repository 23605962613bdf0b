//! `CommitProcessor`'s ordering, single-threaded: the requests of one
//! session run in the order they arrived; a read waits behind its
//! session's pending write (or learner `sync`); committed transactions are
//! applied in zxid order, each answering the local request at the head of
//! its session if it is that request's.

use crate::server::core::{PipelineOp, PipelineRequest};
use crate::server::prep::Prepared;
use std::collections::{BTreeMap, VecDeque};
use znode::{LoggedTxn, Request, SessionId, Txn};

/// Whether a request waits for a commit (`needCommit`); `match_syncs` is
/// true on learners, whose `sync` waits for the leader's SYNC.
pub fn needs_commit(r: &PipelineRequest, match_syncs: bool) -> bool {
    match &r.op {
        PipelineOp::Client(req) => req.is_write() || (match_syncs && matches!(req, Request::Sync { .. })),
        PipelineOp::CreateSession { .. } => true,
        PipelineOp::DeleteContainer { .. } | PipelineOp::Committed => false,
    }
}

/// The local requests of every session, waiting their turn.
#[derive(Clone, Debug, Default)]
pub struct CommitProcessor {
    sessions: BTreeMap<SessionId, VecDeque<PipelineRequest>>,
    match_syncs: bool,
}

impl CommitProcessor {
    pub fn new(match_syncs: bool) -> Self {
        CommitProcessor { sessions: BTreeMap::new(), match_syncs }
    }

    /// A local request arrives; returns what may finish now.
    pub fn local(&mut self, req: PipelineRequest) -> Vec<PipelineRequest> {
        let session = req.session;
        self.sessions.entry(session).or_default().push_back(req);
        self.ready(session)
    }

    /// Requests at the head of a session that need no commit.
    fn ready(&mut self, session: SessionId) -> Vec<PipelineRequest> {
        let mut out = Vec::new();
        let match_syncs = self.match_syncs;
        if let Some(q) = self.sessions.get_mut(&session) {
            while q.front().is_some_and(|r| !needs_commit(r, match_syncs)) {
                out.extend(q.pop_front());
            }
            if q.is_empty() {
                self.sessions.remove(&session);
            }
        }
        out
    }

    /// A transaction was committed: the local request it answers (with the
    /// transaction), or a bare request that only applies it; then the reads
    /// it unblocked.
    pub fn committed(&mut self, t: LoggedTxn) -> Vec<PipelineRequest> {
        let (session, cxid) = (t.header.session, t.header.cxid);
        let match_syncs = self.match_syncs;
        let head_matches = self.sessions.get(&session).and_then(|q| q.front()).is_some_and(|r| {
            needs_commit(r, match_syncs) && r.xid == cxid && !matches!(r.op, PipelineOp::Client(Request::Sync { .. }))
        });
        let mut out = Vec::new();
        if head_matches {
            if let Some(mut r) = self.sessions.get_mut(&session).and_then(|q| q.pop_front()) {
                r.prepared = Some(Prepared::Txn { header: t.header, txn: t.txn, error: None });
                out.push(r);
                out.extend(self.ready(session));
            }
        } else {
            let closing = matches!(t.txn, Txn::CloseSession { .. });
            out.push(PipelineRequest {
                conn: None,
                session,
                xid: cxid,
                op: PipelineOp::Committed,
                auth: Vec::new(),
                arrived_ms: 0,
                prepared: Some(Prepared::Txn { header: t.header, txn: t.txn, error: None }),
            });
            if closing {
                // The session is gone: whatever it still had queued here
                // finishes now (its connection is being closed).
                if let Some(q) = self.sessions.remove(&session) {
                    out.extend(q);
                }
            }
        }
        out
    }

    /// The leader answered a learner's `sync`: the session's head sync may
    /// finish, and the reads behind it.
    pub fn synced(&mut self, session: SessionId, cxid: i32) -> Vec<PipelineRequest> {
        let is_head = self
            .sessions
            .get(&session)
            .and_then(|q| q.front())
            .is_some_and(|r| r.xid == cxid && matches!(r.op, PipelineOp::Client(Request::Sync { .. })));
        if !is_head {
            return Vec::new();
        }
        let mut out: Vec<PipelineRequest> =
            self.sessions.get_mut(&session).and_then(|q| q.pop_front()).into_iter().collect();
        out.extend(self.ready(session));
        out
    }

    /// Everything still waiting (a server leaving its role answers none of it).
    pub fn clear(&mut self) {
        self.sessions.clear();
    }

    pub fn pending(&self) -> usize {
        self.sessions.values().map(VecDeque::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use znode::TxnHeader;

    fn req(session: SessionId, xid: i32, r: Request) -> PipelineRequest {
        PipelineRequest {
            conn: None,
            session,
            xid,
            op: PipelineOp::Client(r),
            auth: vec![],
            arrived_ms: 0,
            prepared: None,
        }
    }

    fn get() -> Request {
        Request::GetData { path: "/a".into(), watch: false }
    }

    fn set() -> Request {
        Request::SetData { path: "/a".into(), data: None, version: -1 }
    }

    fn txn(session: SessionId, cxid: i32, zxid: u64) -> LoggedTxn {
        LoggedTxn {
            header: TxnHeader { session, cxid, zxid, time: 0 },
            txn: Txn::SetData { path: "/a".into(), data: None, version: 1 },
        }
    }

    #[test]
    fn a_read_waits_behind_its_sessions_write_but_not_behind_others() {
        let mut cp = CommitProcessor::new(true);
        assert!(cp.local(req(1, 1, set())).is_empty());
        assert!(cp.local(req(1, 2, get())).is_empty(), "behind its own write");
        assert_eq!(cp.local(req(2, 1, get())).len(), 1, "another session's read runs");
        let done = cp.committed(txn(1, 1, 0x100000001));
        assert_eq!(done.iter().map(|r| r.xid).collect::<Vec<_>>(), vec![1, 2]);
        assert!(matches!(done[0].prepared, Some(Prepared::Txn { .. })));
    }

    #[test]
    fn a_commit_from_elsewhere_only_applies() {
        let mut cp = CommitProcessor::new(true);
        let done = cp.committed(txn(9, 4, 0x100000001));
        assert!(matches!(done[0].op, PipelineOp::Committed));
        assert!(done[0].conn.is_none());
    }

    #[test]
    fn a_learners_sync_waits_for_the_leader() {
        let mut cp = CommitProcessor::new(true);
        assert!(cp.local(req(1, 1, Request::Sync { path: "/".into() })).is_empty());
        assert!(cp.local(req(1, 2, get())).is_empty());
        assert_eq!(cp.synced(1, 1).len(), 2);
        let mut leader = CommitProcessor::new(false);
        assert_eq!(
            leader.local(req(1, 1, Request::Sync { path: "/".into() })).len(),
            1,
            "on the leader a sync is in order, no more"
        );
    }
}
