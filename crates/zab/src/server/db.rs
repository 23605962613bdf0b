//! `ZKDatabase`: the data tree plus the replicated session table, rebuilt
//! from the disk on boot.

use super::history::{self, HistoryDigest};
use std::collections::BTreeMap;
use znode::{ApplyResult, DataTree, Fired, LoggedTxn, SessionId, Txn, Zxid};

/// The in-memory database of one server.
#[derive(Clone, Debug, Default)]
pub struct ZkDatabase {
    pub tree: DataTree,
    /// Sessions and their negotiated timeouts, as replicated by
    /// createSession / closeSession transactions.
    pub sessions: BTreeMap<SessionId, i32>,
    /// The digest of every transaction applied so far ([`history`]).
    pub history: HistoryDigest,
}

impl ZkDatabase {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn last_processed_zxid(&self) -> Zxid {
        self.tree.last_processed_zxid
    }

    /// Apply one transaction (`ZooKeeperServer.processTxn`): the tree, and
    /// the session table for session transactions.
    pub fn apply(&mut self, t: &LoggedTxn, fired: &mut Vec<Fired>) -> ApplyResult {
        match &t.txn {
            Txn::CreateSession { timeout } => {
                self.sessions.insert(t.header.session, *timeout);
            }
            Txn::CloseSession { .. } => {
                self.sessions.remove(&t.header.session);
            }
            _ => {}
        }
        self.history = history::step(self.history, t);
        self.tree.apply(&t.header, &t.txn, fired)
    }

    /// A database from a snapshot.
    pub fn from_snapshot(s: &crate::quorum::packet::Snapshot) -> Self {
        ZkDatabase {
            tree: DataTree::from_image(&s.tree),
            sessions: s.sessions.iter().copied().collect(),
            history: s.history,
        }
    }

    /// A snapshot of this database.
    pub fn snapshot(&self) -> crate::quorum::packet::Snapshot {
        crate::quorum::packet::Snapshot {
            zxid: self.last_processed_zxid(),
            tree: self.tree.image(),
            sessions: self.sessions.iter().map(|(k, v)| (*k, *v)).collect(),
            history: self.history,
        }
    }
}
