//! Stat: what a node stores (`StatPersisted`) and what a client sees (`Stat`).

use crate::mode::EphemeralKind;
use serde::{Deserialize, Serialize};

/// A zxid: epoch in the high 32 bits, counter in the low 32.
pub type Zxid = u64;
/// A session id (a Java `long`, printed with `Long.toHexString`).
pub type SessionId = u64;

/// The stat fields a node stores (`StatPersisted`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatPersisted {
    pub czxid: Zxid,
    pub mzxid: Zxid,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    /// Count of child *creations* (not the client-visible cversion).
    pub cversion: i32,
    pub aversion: i32,
    /// Session id, or the container/TTL marker (see [`EphemeralKind`]).
    pub ephemeral_owner: u64,
    pub pzxid: Zxid,
}

impl StatPersisted {
    /// `DataTree.createStat`.
    pub fn new(zxid: Zxid, time: i64, ephemeral_owner: u64) -> Self {
        StatPersisted {
            czxid: zxid,
            mzxid: zxid,
            ctime: time,
            mtime: time,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeral_owner,
            pzxid: zxid,
        }
    }
}

/// The Stat a client receives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    pub czxid: Zxid,
    pub mzxid: Zxid,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    pub cversion: i32,
    pub aversion: i32,
    pub ephemeral_owner: u64,
    pub data_length: i32,
    pub num_children: i32,
    pub pzxid: Zxid,
}

impl Stat {
    /// `DataNode.copyStat`: the visible cversion counts creations and
    /// deletions (`2 × creations − children`), and containers and TTL nodes
    /// show owner 0.
    pub fn from_persisted(s: &StatPersisted, data_length: usize, num_children: usize) -> Stat {
        let num_children = i32::try_from(num_children).unwrap_or(i32::MAX);
        let owner = match EphemeralKind::of(s.ephemeral_owner) {
            EphemeralKind::Normal(id) => id,
            _ => 0,
        };
        Stat {
            czxid: s.czxid,
            mzxid: s.mzxid,
            ctime: s.ctime,
            mtime: s.mtime,
            version: s.version,
            cversion: s.cversion.wrapping_mul(2).wrapping_sub(num_children),
            aversion: s.aversion,
            ephemeral_owner: owner,
            data_length: i32::try_from(data_length).unwrap_or(i32::MAX),
            num_children,
            pzxid: s.pzxid,
        }
    }
}
