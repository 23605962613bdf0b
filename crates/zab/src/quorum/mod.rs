//! A ZooKeeper ensemble member (`QuorumPeer`): Fast Leader Election, then
//! Zab's discovery, synchronization and broadcast as leader, follower or
//! observer.

pub mod commit;
pub mod disk;
pub mod election;
pub mod election_net;
pub mod leader;
pub mod learner;
pub mod packet;
pub mod peer;
pub mod read_only;

pub use peer::{Members, QuorumPeer};

use serde::{Deserialize, Serialize};

/// ZooKeeper's known bugs (PROTOCOL.md §12), each re-enabling exactly the
/// pre-fix behaviour. All off is the safe protocol; a switch on lets a user
/// watch the bug bite.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bugs {
    /// ZOOKEEPER-1154: a peer zxid inside the leader's committedLog but not
    /// in it gets a DIFF from after it without a TRUNC, so the peer keeps a
    /// transaction nobody committed.
    pub zookeeper_1154: bool,
    /// ZOOKEEPER-1549: TRUNC truncates the log only; a newer snapshot still
    /// holding the truncated transactions is reloaded.
    pub zookeeper_1549: bool,
    /// ZOOKEEPER-4643/4646 (3.8.0-3.8.4): at NEWLEADER a follower writes
    /// currentEpoch and acks before the synced transactions are on disk.
    pub zookeeper_4646: bool,
    /// ZOOKEEPER-4394 (all of 3.8.x): a COMMIT for an earlier proposal
    /// arriving after NEWLEADER makes the learner abort its sync.
    pub zookeeper_4394: bool,
    /// ZOOKEEPER-2845: a server that drops out keeps voting with its
    /// in-memory zxid, lower than what its log holds.
    pub zookeeper_2845: bool,
    /// BROKEN-LOCAL-WRITES — a teaching variant, *not* a ZooKeeper bug: a
    /// follower serves client writes itself (prepares and applies them with
    /// the next zxid after what it has, answers success) and never forwards
    /// them to the leader. It exists to show that the consistency checker
    /// can fail.
    pub broken_local_writes: bool,
}

impl Bugs {
    /// Every switch by its name, for the command line and the page.
    pub const NAMES: &'static [&'static str] = &[
        "ZOOKEEPER-1154",
        "ZOOKEEPER-1549",
        "ZOOKEEPER-4646",
        "ZOOKEEPER-4394",
        "ZOOKEEPER-2845",
        "BROKEN-LOCAL-WRITES",
    ];

    /// Turn a switch on by name (`ZOOKEEPER-1154` or `1154`;
    /// `BROKEN-LOCAL-WRITES` for the teaching variant).
    pub fn enable(&mut self, name: &str) -> Result<(), String> {
        let n = name.trim().to_ascii_uppercase().replace('_', "-");
        let n = n.strip_prefix("ZOOKEEPER-").unwrap_or(&n);
        match n {
            "BROKEN-LOCAL-WRITES" => self.broken_local_writes = true,
            "1154" => self.zookeeper_1154 = true,
            "1549" => self.zookeeper_1549 = true,
            "4646" | "4643" => self.zookeeper_4646 = true,
            "4394" => self.zookeeper_4394 = true,
            "2845" => self.zookeeper_2845 = true,
            _ => return Err(format!("no bug switch named {name}; known: {}", Self::NAMES.join(", "))),
        }
        Ok(())
    }

    pub fn any(&self) -> bool {
        self.zookeeper_1154
            || self.zookeeper_1549
            || self.zookeeper_4646
            || self.zookeeper_4394
            || self.zookeeper_2845
            || self.broken_local_writes
    }
}

#[cfg(test)]
mod tests {
    use super::Bugs;

    #[test]
    fn every_switch_is_enabled_by_its_name() {
        for name in Bugs::NAMES {
            let mut b = Bugs::default();
            b.enable(name).unwrap_or_else(|e| panic!("{e}"));
            assert!(b.any(), "{name}");
        }
        let mut b = Bugs::default();
        assert!(b.enable("broken_local_writes").is_ok());
        assert!(b.broken_local_writes);
        assert!(b.enable("ZOOKEEPER-9999").is_err());
    }
}
