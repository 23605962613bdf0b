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

    /// Rebuild from what the disk durably holds: every logged transaction
    /// is applied, in order (a restarted server has no notion of
    /// "uncommitted" on disk).
    pub fn load(disk: &[ServerWrite]) -> Self {
        let mut db = ZkDatabase::new();
        let mut ignored = Vec::new();
        for w in disk {
            match w {
                ServerWrite::Txn(t) if t.header.zxid > db.last_processed_zxid() => {
                    db.apply(t, &mut ignored);
                    ignored.clear();
                }
                ServerWrite::Txn(_) => {}
            }
        }
        db
    }
}
