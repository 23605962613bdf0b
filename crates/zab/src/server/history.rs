//! A digest of a server's history: every transaction it applied, in order.
//!
//! Zab promises prefix agreement: two servers that hold the same zxid hold
//! the same transactions before it. So the digest after a zxid must be the
//! same on every server that applied it, and the world's checker asserts
//! exactly that. Snapshots carry the digest, so a server that loads one
//! still knows its history without the transactions.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use znode::{LoggedTxn, Zxid};

/// The digest of a history (0: nothing applied yet).
pub type HistoryDigest = u64;

/// The digest of the empty history.
pub const EMPTY: HistoryDigest = 0;

/// The digest after applying `t` on a history whose digest is `prev`.
pub fn step(prev: HistoryDigest, t: &LoggedTxn) -> HistoryDigest {
    let mut h = Sha1::new();
    h.update(prev.to_be_bytes());
    match postcard::to_allocvec(t) {
        Ok(bytes) => h.update(&bytes),
        // Serializing a transaction into memory cannot fail; should it
        // ever, its debug form still identifies it.
        Err(_) => h.update(format!("{t:?}").as_bytes()),
    }
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first)
}

/// How a database was rebuilt from a disk: the snapshot it started from and
/// the digest after each replayed log entry, so a checker can follow the
/// history back through it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// The snapshot's zxid and digest (0, 0 without one).
    pub base: (Zxid, HistoryDigest),
    /// Each transaction replayed after it: its zxid and the digest after it.
    pub replayed: Vec<(Zxid, HistoryDigest)>,
}

impl Loaded {
    /// A database that is just a snapshot (or the state it is in now).
    pub fn at(zxid: Zxid, history: HistoryDigest) -> Self {
        Loaded { base: (zxid, history), replayed: Vec::new() }
    }

    /// The digest the load ended with.
    pub fn history(&self) -> HistoryDigest {
        self.replayed.last().map_or(self.base.1, |r| r.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use znode::{Code, Txn, TxnHeader};

    fn t(zxid: Zxid) -> LoggedTxn {
        LoggedTxn { header: TxnHeader { session: 1, cxid: 0, zxid, time: 0 }, txn: Txn::Error(Code::NoNode) }
    }

    #[test]
    fn the_digest_depends_on_order_and_content() {
        let ab = step(step(EMPTY, &t(1)), &t(2));
        let ba = step(step(EMPTY, &t(2)), &t(1));
        assert_ne!(ab, ba);
        assert_eq!(ab, step(step(EMPTY, &t(1)), &t(2)));
        assert_ne!(step(EMPTY, &t(1)), EMPTY);
    }
}
