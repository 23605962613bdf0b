//! Every server's tree, as the trace lets us rebuild it: applied
//! transactions, a SNAP's snapshot as it arrived, and — for a boot or a
//! TRUNC — the server's disk as its writes, syncs and faults left it, read
//! back the way the server reads it.

use actor::NodeId;
use sim::disk::Disk;
use std::collections::BTreeMap;
use zab::quorum::disk::DiskState;
use zab::quorum::packet::Snapshot;
use zab::server::ServerWrite;
use znode::DataTree;

/// One server's replica.
#[derive(Clone, Debug, Default)]
pub struct Replica {
    pub tree: DataTree,
    disk: Disk<ServerWrite>,
    /// A snapshot delivered by SNAP, until the learner says it loaded it.
    snap: Option<Box<Snapshot>>,
}

/// The replicas of every server.
#[derive(Clone, Debug, Default)]
pub struct Replicas {
    pub by_server: BTreeMap<NodeId, Replica>,
    /// ZOOKEEPER-1549 is on: a TRUNC leaves newer snapshots in place.
    bug_1549: bool,
}

impl Replicas {
    pub fn new(servers: &[NodeId], bug_1549: bool) -> Self {
        Replicas { by_server: servers.iter().map(|s| (*s, Replica::default())).collect(), bug_1549 }
    }

    pub fn tree(&self, server: NodeId) -> Option<&DataTree> {
        self.by_server.get(&server).map(|r| &r.tree)
    }

    pub fn write(&mut self, server: NodeId, w: &ServerWrite) {
        if let Some(r) = self.by_server.get_mut(&server) {
            r.disk.write(w.clone());
        }
    }

    pub fn sync(&mut self, server: NodeId, token: u64) {
        if let Some(r) = self.by_server.get_mut(&server) {
            r.disk.begin_sync(token);
        }
    }

    pub fn synced(&mut self, server: NodeId, token: u64) {
        if let Some(r) = self.by_server.get_mut(&server) {
            r.disk.finish_sync(token);
        }
    }

    /// The process or machine died (`lose`: unsynced writes are gone).
    pub fn crashed(&mut self, server: NodeId, lose: bool) {
        if let Some(r) = self.by_server.get_mut(&server) {
            r.disk.crash(lose);
        }
    }

    /// The server booted: its tree is what its disk holds.
    pub fn booted(&mut self, server: NodeId) {
        let bug = self.bug_1549;
        if let Some(r) = self.by_server.get_mut(&server) {
            r.tree = DiskState::replay(&r.disk.image(), bug).load_db().0.tree;
            r.snap = None;
        }
    }

    pub fn apply(&mut self, server: NodeId, t: &znode::LoggedTxn) {
        if let Some(r) = self.by_server.get_mut(&server) {
            let mut fired = Vec::new();
            r.tree.apply(&t.header, &t.txn, &mut fired);
        }
    }

    /// A SNAP packet reached the server.
    pub fn snapshot_arrived(&mut self, server: NodeId, s: &Snapshot) {
        if let Some(r) = self.by_server.get_mut(&server) {
            r.snap = Some(Box::new(s.clone()));
        }
    }

    /// The learner began syncing in `mode` at `zxid`.
    pub fn sync_mode(&mut self, server: NodeId, mode: &str, zxid: u64) {
        let bug = self.bug_1549;
        let Some(r) = self.by_server.get_mut(&server) else { return };
        match mode {
            "SNAP" => {
                if let Some(s) = r.snap.take() {
                    r.tree = DataTree::from_image(&s.tree);
                    r.tree.last_processed_zxid = s.zxid;
                }
            }
            "TRUNC" => {
                // Everything written, synced or not: the server reloads
                // from its files as they are now.
                let mut all = r.disk.synced.clone();
                all.extend(r.disk.pending.iter().cloned());
                r.tree = DiskState::replay(&all, bug).load_db().0.tree;
                r.tree.last_processed_zxid = zxid;
            }
            _ => {}
        }
    }
}
