//! Every history any server reported, as digests: which digest each zxid
//! was applied with (prefix agreement), and each digest's parent (to list
//! the transactions a history holds).

use std::collections::{BTreeMap, BTreeSet};
use zab::server::history::{HistoryDigest, EMPTY};
use znode::Zxid;

/// One disagreement: two digests for the same zxid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub zxid: Zxid,
    pub first: (u32, HistoryDigest),
    pub now: (u32, HistoryDigest),
}

/// What is known of all histories.
#[derive(Clone, Debug, Default)]
pub struct HistoryBook {
    /// The digest each zxid was first seen applied with, and by whom.
    at: BTreeMap<Zxid, (HistoryDigest, u32)>,
    /// For each digest: the zxid that produced it and the digest before.
    parent: BTreeMap<HistoryDigest, (Zxid, HistoryDigest)>,
    /// Zxids already reported as disagreeing (each once).
    reported: BTreeSet<Zxid>,
}

impl HistoryBook {
    /// Server `node` holds a history ending at `zxid` with digest `d`.
    pub fn holds(&mut self, node: u32, zxid: Zxid, d: HistoryDigest) -> Option<Disagreement> {
        if zxid == 0 && d == EMPTY {
            return None;
        }
        match self.at.get(&zxid) {
            None => {
                self.at.insert(zxid, (d, node));
                None
            }
            Some(&(first, by)) if first != d && self.reported.insert(zxid) => {
                Some(Disagreement { zxid, first: (by, first), now: (node, d) })
            }
            Some(_) => None,
        }
    }

    /// `node` applied `zxid`, going from digest `before` to `after`.
    pub fn applied(
        &mut self,
        node: u32,
        zxid: Zxid,
        before: HistoryDigest,
        after: HistoryDigest,
    ) -> Option<Disagreement> {
        self.parent.entry(after).or_insert((zxid, before));
        self.holds(node, zxid, after)
    }

    /// The zxids of the history ending at digest `d`, or `None` if part of
    /// it was never reported (a digest with no known origin).
    pub fn zxids(&self, mut d: HistoryDigest) -> Option<BTreeSet<Zxid>> {
        let mut out = BTreeSet::new();
        while d != EMPTY {
            let (z, before) = self.parent.get(&d)?;
            out.insert(*z);
            d = *before;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digests_for_one_zxid_disagree_once() {
        let mut b = HistoryBook::default();
        assert!(b.applied(1, 5, EMPTY, 11).is_none());
        assert!(b.applied(2, 5, EMPTY, 11).is_none());
        let d = b.applied(3, 5, 99, 12).expect("disagreement");
        assert_eq!((d.first, d.now), ((1, 11), (3, 12)));
        assert!(b.applied(3, 5, 99, 12).is_none(), "reported once");
    }

    #[test]
    fn a_history_lists_its_zxids_back_to_the_start() {
        let mut b = HistoryBook::default();
        b.applied(1, 1, EMPTY, 10);
        b.applied(1, 2, 10, 20);
        b.applied(1, 4, 20, 40);
        assert_eq!(b.zxids(40), Some([1, 2, 4].into()));
        assert_eq!(b.zxids(77), None);
    }
}
