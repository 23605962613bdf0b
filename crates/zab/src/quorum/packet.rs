//! What servers send each other: Fast Leader Election notifications on the
//! election connections, and `QuorumPacket`s between a leader and its
//! learners.

use crate::server::core::PipelineOp;
use serde::{Deserialize, Serialize};
use znode::{Id, LoggedTxn, SessionId, TreeImage, Zxid};

/// `QuorumPeer.ServerState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ServerState {
    Looking,
    Following,
    Leading,
    Observing,
}

impl ServerState {
    /// The name ZooKeeper logs and views use: `LOOKING`.
    pub fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
            ServerState::Observing => "OBSERVING",
        }
    }
}

/// A vote: who should lead, with the history (epoch, zxid) that makes it
/// the best choice, in which election round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub leader: u64,
    pub zxid: Zxid,
    pub election_epoch: u64,
    pub peer_epoch: u64,
}

/// An FLE notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub vote: Vote,
    pub state: ServerState,
    pub sid: u64,
}

/// On an election connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElectionMsg {
    /// The initiator's handshake: its server id.
    Hello {
        sid: u64,
    },
    Notification(Notification),
}

/// A client request forwarded by a learner (`REQUEST`), as the leader's
/// prepare step takes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forwarded {
    pub session: SessionId,
    pub cxid: i32,
    pub op: PipelineOp,
    pub auth: Vec<Id>,
}

/// Everything a snapshot holds: the tree and the session table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub zxid: Zxid,
    pub tree: TreeImage,
    pub sessions: Vec<(SessionId, i32)>,
    /// The digest of the history that led here.
    #[serde(default)]
    pub history: u64,
}

/// Leader ↔ learner (`QuorumPacket`), named as in `Leader.java`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum QuorumPacket {
    /// Learner → leader: a client request to run through the leader.
    Request(Box<Forwarded>),
    Proposal(Box<LoggedTxn>),
    Ack {
        zxid: Zxid,
    },
    Commit {
        zxid: Zxid,
    },
    /// Leader → learner: its last proposed zxid. Learner → leader: the
    /// sessions touched since the last ping (id, timeout).
    Ping {
        zxid: Zxid,
        touches: Vec<(SessionId, i32)>,
    },
    /// Learner → leader: may this session reconnect here? Leader → learner:
    /// the answer.
    Revalidate {
        session: SessionId,
        timeout: i32,
        valid: bool,
    },
    /// Answer to a forwarded `sync`.
    Sync,
    /// To observers: a committed transaction.
    Inform(Box<LoggedTxn>),
    NewLeader {
        zxid: Zxid,
    },
    /// `(acceptedEpoch, 0)`.
    FollowerInfo {
        zxid: Zxid,
        sid: u64,
    },
    ObserverInfo {
        zxid: Zxid,
        sid: u64,
    },
    UpToDate,
    Diff {
        zxid: Zxid,
    },
    Trunc {
        zxid: Zxid,
    },
    Snap(Box<Snapshot>),
    /// `(newEpoch, 0)`.
    LeaderInfo {
        zxid: Zxid,
    },
    /// The learner's last logged zxid and its currentEpoch (-1 if it had
    /// already accepted this epoch).
    AckEpoch {
        zxid: Zxid,
        current_epoch: i64,
    },
}

impl QuorumPacket {
    /// The packet type's name in Leader.java.
    pub fn name(&self) -> &'static str {
        match self {
            QuorumPacket::Request(_) => "REQUEST",
            QuorumPacket::Proposal(_) => "PROPOSAL",
            QuorumPacket::Ack { .. } => "ACK",
            QuorumPacket::Commit { .. } => "COMMIT",
            QuorumPacket::Ping { .. } => "PING",
            QuorumPacket::Revalidate { .. } => "REVALIDATE",
            QuorumPacket::Sync => "SYNC",
            QuorumPacket::Inform(_) => "INFORM",
            QuorumPacket::NewLeader { .. } => "NEWLEADER",
            QuorumPacket::FollowerInfo { .. } => "FOLLOWERINFO",
            QuorumPacket::ObserverInfo { .. } => "OBSERVERINFO",
            QuorumPacket::UpToDate => "UPTODATE",
            QuorumPacket::Diff { .. } => "DIFF",
            QuorumPacket::Trunc { .. } => "TRUNC",
            QuorumPacket::Snap(_) => "SNAP",
            QuorumPacket::LeaderInfo { .. } => "LEADERINFO",
            QuorumPacket::AckEpoch { .. } => "ACKEPOCH",
        }
    }
}

/// `ZxidUtils`.
pub mod zxid {
    use znode::Zxid;

    pub fn epoch(z: Zxid) -> u64 {
        z >> 32
    }

    pub fn counter(z: Zxid) -> u64 {
        z & 0xffff_ffff
    }

    pub fn make(epoch: u64, counter: u64) -> Zxid {
        (epoch << 32) | (counter & 0xffff_ffff)
    }
}
