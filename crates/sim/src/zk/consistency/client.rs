//! One client as the checker follows it: its operations in flight (in the
//! order it issued them), its session and connection, and what its session
//! has seen so far — the highest reply zxid, its own completed writes per
//! path, its last sync and its one-shot data watches.

use super::history::{OpKind, OpRef, Shape};
use actor::{Instant, NodeId};
use std::collections::BTreeMap;
use zab::ClientState;
use znode::{SessionId, Zxid};

/// An operation invoked and not answered yet.
#[derive(Clone, Debug)]
pub struct Pending {
    pub tag: u64,
    /// Its place in the client's issue order.
    pub seq: u64,
    pub kind: OpKind,
    pub shape: Shape,
    pub label: &'static str,
    pub path: Option<String>,
    /// What a create or setData stores, fingerprinted.
    pub data: Option<u64>,
    /// Whether it leaves a one-shot data watch.
    pub watch: bool,
    pub invoked: Instant,
    pub server: Option<NodeId>,
    /// Writes completed anywhere when it was invoked.
    pub writes_before: usize,
    /// Epochs established anywhere when it was invoked.
    pub epochs_before: u64,
}

impl Pending {
    /// `setData /w/k1`.
    pub fn what(&self) -> String {
        match &self.path {
            Some(p) => format!("{} {p}", self.label),
            None => self.label.to_string(),
        }
    }
}

/// A sync that succeeded: reads issued after it on the same connection
/// must reflect every write completed before it was issued.
#[derive(Clone, Debug)]
pub struct SyncMark {
    pub op: OpRef,
    pub seq: u64,
    /// The connection it was answered on.
    pub conn: u64,
    pub writes_before: usize,
    pub epochs_before: u64,
}

/// A client.
#[derive(Clone, Debug)]
pub struct Track {
    pub node: NodeId,
    pub name: String,
    /// In flight, by tag.
    pub pending: BTreeMap<u64, Pending>,
    /// In flight, by issue order: seq → tag.
    pub order: BTreeMap<u64, u64>,
    pub next_seq: u64,
    pub session: SessionId,
    pub state: Option<ClientState>,
    /// The server of the current connection (or attempt).
    pub server: Option<NodeId>,
    /// Bumped on every connection change, so two replies with the same
    /// value came on one connection.
    pub conn: u64,
    /// The highest reply zxid of this session, and the reply.
    pub high: Option<(Zxid, OpRef)>,
    /// This session's own completed writes, per path: the highest zxid.
    pub own: BTreeMap<String, (Zxid, OpRef)>,
    pub sync: Option<SyncMark>,
    /// One-shot data watches: path → (mzxid when set, the setting reply).
    pub watches: BTreeMap<String, (Zxid, OpRef)>,
}

impl Track {
    pub fn new(node: NodeId, name: String) -> Self {
        Track {
            node,
            name,
            pending: BTreeMap::new(),
            order: BTreeMap::new(),
            next_seq: 0,
            session: 0,
            state: None,
            server: None,
            conn: 0,
            high: None,
            own: BTreeMap::new(),
            sync: None,
            watches: BTreeMap::new(),
        }
    }

    /// A session starts: what the old one saw binds the new one no more
    /// (a new session may connect to a server behind the old one's view).
    pub fn new_session(&mut self, id: SessionId) {
        self.session = id;
        self.conn += 1;
        self.high = None;
        self.own.clear();
        self.sync = None;
        self.watches.clear();
    }

    pub fn op_ref(&self, p: &Pending, server: Option<NodeId>, completed: Option<Instant>) -> OpRef {
        OpRef {
            client: self.node,
            client_name: self.name.clone(),
            tag: p.tag,
            op: p.what(),
            server,
            invoked: p.invoked,
            completed,
            zxid: None,
            mzxid: None,
        }
    }

    /// The operation in flight issued before `seq`, if any.
    pub fn earlier_pending(&self, seq: u64) -> Option<&Pending> {
        let (_, tag) = self.order.range(..seq).next()?;
        self.pending.get(tag)
    }

    /// The oldest operation in flight.
    pub fn oldest_pending(&self) -> Option<&Pending> {
        let (_, tag) = self.order.iter().next()?;
        self.pending.get(tag)
    }
}
