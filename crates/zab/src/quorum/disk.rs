//! What a server keeps on disk — its transaction log, snapshots and the
//! `acceptedEpoch`/`currentEpoch` files — and how a restart reads it back
//! (`FileTxnSnapLog.restore`, `QuorumPeer.loadDataBase`).

use super::packet::{zxid, Snapshot};
use crate::server::db::ZkDatabase;
use crate::server::history::Loaded;
use crate::server::ServerWrite;
use znode::{LoggedTxn, Zxid};

/// A server's durable state, read back from its disk records.
#[derive(Clone, Debug, Default)]
pub struct DiskState {
    pub accepted_epoch: Option<u64>,
    pub current_epoch: Option<u64>,
    /// Snapshots still on disk, oldest first.
    pub snapshots: Vec<Snapshot>,
    /// Every transaction in the log, in order.
    pub log: Vec<LoggedTxn>,
}

impl DiskState {
    /// Fold the disk's records. A truncation drops log entries after its
    /// zxid; with `bug_1549` (3.8's real behaviour) it leaves newer
    /// snapshots in place, otherwise they go too.
    pub fn replay(records: &[ServerWrite], bug_1549: bool) -> Self {
        let mut d = DiskState::default();
        for r in records {
            match r {
                ServerWrite::Txn(t) => d.log.push(t.clone()),
                ServerWrite::Snapshot(s) => d.snapshots.push((**s).clone()),
                ServerWrite::AcceptedEpoch(e) => d.accepted_epoch = Some(*e),
                ServerWrite::CurrentEpoch(e) => d.current_epoch = Some(*e),
                ServerWrite::Truncate(z) => {
                    d.log.retain(|t| t.header.zxid <= *z);
                    if !bug_1549 {
                        d.snapshots.retain(|s| s.zxid <= *z);
                    }
                }
            }
        }
        d
    }

    /// The snapshot a restart loads: the most recent one.
    pub fn latest_snapshot(&self) -> Option<&Snapshot> {
        self.snapshots.iter().max_by_key(|s| s.zxid)
    }

    /// The database a restart builds: the latest snapshot plus every logged
    /// transaction after it, and how it got there.
    pub fn load_db(&self) -> (ZkDatabase, Loaded) {
        let mut db = self.latest_snapshot().map(ZkDatabase::from_snapshot).unwrap_or_default();
        let mut loaded = Loaded::at(db.last_processed_zxid(), db.history);
        let mut fired = Vec::new();
        for t in &self.log {
            if t.header.zxid > db.last_processed_zxid() {
                db.apply(t, &mut fired);
                fired.clear();
                loaded.replayed.push((t.header.zxid, db.history));
            }
        }
        (db, loaded)
    }

    /// The last zxid the log or the latest snapshot holds.
    pub fn last_logged_zxid(&self) -> Zxid {
        let log = self.log.last().map_or(0, |t| t.header.zxid);
        log.max(self.latest_snapshot().map_or(0, |s| s.zxid))
    }

    /// `loadDataBase`'s epoch checks: missing files are taken from the last
    /// zxid's epoch; a log ahead of currentEpoch, or an acceptedEpoch behind
    /// it, is fatal.
    pub fn epochs(&self, last_processed: Zxid) -> Result<(u64, u64), String> {
        let from_zxid = zxid::epoch(last_processed);
        let current = self.current_epoch.unwrap_or(from_zxid);
        let accepted = self.accepted_epoch.unwrap_or(current);
        if from_zxid > current {
            return Err(format!("The current epoch, {current}, is older than the last zxid, 0x{last_processed:x}"));
        }
        if accepted < current {
            return Err(format!("The accepted epoch, {accepted} is less than the current epoch, {current}"));
        }
        Ok((accepted, current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use znode::{Txn, TxnHeader};

    fn txn(z: Zxid) -> ServerWrite {
        ServerWrite::Txn(LoggedTxn {
            header: TxnHeader { session: 1, cxid: 0, zxid: z, time: 0 },
            txn: Txn::Create {
                op: znode::CreateOp::Create,
                path: format!("/n{z:x}"),
                data: None,
                acl: znode::Acl::open(),
                ephemeral: false,
                parent_cversion: 1 + (z & 0xff) as i32,
            },
        })
    }

    fn snap(z: Zxid, records: &[ServerWrite]) -> ServerWrite {
        let (db, _) = DiskState::replay(records, false).load_db();
        let mut s = db.snapshot();
        s.zxid = z;
        ServerWrite::Snapshot(Box::new(s))
    }

    #[test]
    fn a_restart_loads_the_latest_snapshot_and_the_log_after_it() {
        let mut recs = vec![txn(0x1_0000_0001), txn(0x1_0000_0002)];
        recs.push(snap(0x1_0000_0002, &recs.clone()));
        recs.push(txn(0x1_0000_0003));
        let d = DiskState::replay(&recs, false);
        let (db, _) = d.load_db();
        assert_eq!(db.last_processed_zxid(), 0x1_0000_0003);
        assert!(db.tree.node("/n100000001").is_some() && db.tree.node("/n100000003").is_some());
    }

    #[test]
    fn trunc_drops_the_log_tail_and_newer_snapshots_unless_1549() {
        let mut recs = vec![txn(0x1_0000_0001), txn(0x1_0000_0002)];
        recs.push(snap(0x1_0000_0002, &recs.clone()));
        recs.push(ServerWrite::Truncate(0x1_0000_0001));
        let (safe, _) = DiskState::replay(&recs, false).load_db();
        assert_eq!(safe.last_processed_zxid(), 0x1_0000_0001);
        assert!(safe.tree.node("/n100000002").is_none());
        let (buggy, _) = DiskState::replay(&recs, true).load_db();
        assert!(buggy.tree.node("/n100000002").is_some(), "ZOOKEEPER-1549: the snapshot brings it back");
    }

    #[test]
    fn epoch_files_are_checked() {
        let d = DiskState { current_epoch: Some(1), accepted_epoch: Some(2), ..Default::default() };
        assert_eq!(d.epochs(0x1_0000_0005), Ok((2, 1)));
        assert!(d.epochs(0x2_0000_0001).is_err(), "log ahead of currentEpoch");
        let bad = DiskState { current_epoch: Some(3), accepted_epoch: Some(2), ..Default::default() };
        assert!(bad.epochs(0).is_err());
        assert_eq!(DiskState::default().epochs(0x4_0000_0001), Ok((4, 4)), "missing files come from the last zxid");
    }
}
