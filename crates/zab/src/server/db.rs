//! `ZKDatabase`: the data tree plus the replicated session table, rebuilt
//! from the disk on boot.

use super::ServerWrite;
use std::collections::BTreeMap;
use znode::{ApplyResult, DataTree, Fired, LoggedTxn, SessionId, Txn, Zxid};

/// The in-memory database of one server.
#[derive(Clone, Debug, Default)]
pub struct ZkDatabase {
    pub tree: DataTree,
    /// Sessions and their negotiated timeouts, as replicated by
    /// createSession / closeSession transactions.
    pub sessions: BTreeMap<SessionId, i32>,
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
        self.tree.apply(&t.header, &t.txn, fired)
    }

    /// Rebuild from what the disk durably holds: the latest snapshot, then
    /// every logged transaction after it, in order (a restarted server has
    /// no notion of "uncommitted" on disk).
    pub fn load(disk: &[ServerWrite]) -> Self {
        crate::quorum::disk::DiskState::replay(disk, false).load_db()
    }

    /// A database from a snapshot.
    pub fn from_snapshot(s: &crate::quorum::packet::Snapshot) -> Self {
        ZkDatabase { tree: DataTree::from_image(&s.tree), sessions: s.sessions.iter().copied().collect() }
    }

    /// A snapshot of this database.
    pub fn snapshot(&self) -> crate::quorum::packet::Snapshot {
        crate::quorum::packet::Snapshot {
            zxid: self.last_processed_zxid(),
            tree: self.tree.image(),
            sessions: self.sessions.iter().map(|(k, v)| (*k, *v)).collect(),
        }
    }
}
