//! Every write that completed successfully, in the order the clients heard
//! so, indexed for the questions the checks ask: the greatest zxid among the
//! first `n` completed (what a later operation must not go below), the same
//! per path, the write that holds a zxid, and how many of the first `n`
//! have a zxid above a given one (how stale a read is).
//!
//! A sorted vector of zxids answers the counting: writes complete nearly in
//! zxid order, so an insertion lands at or near the end.

use super::history::{OpRef, Shape};
use std::collections::BTreeMap;
use znode::Zxid;

/// One completed write.
#[derive(Clone, Debug)]
pub struct WriteRec {
    pub op: OpRef,
    pub zxid: Zxid,
    pub shape: Shape,
    pub path: Option<String>,
    /// Fingerprint of the data it stored (create, setData).
    pub data: Option<u64>,
}

/// The completed writes.
#[derive(Clone, Debug, Default)]
pub struct WriteBook {
    /// In completion order; a write's index is its completion number.
    log: Vec<WriteRec>,
    /// `prefix_max[i]`: the index of the greatest zxid in `log[..=i]`.
    prefix_max: Vec<usize>,
    /// Every completed zxid, ascending (duplicates kept).
    sorted: Vec<Zxid>,
    /// The first write that returned each zxid.
    by_zxid: BTreeMap<Zxid, usize>,
    /// Per path, for writes that move its mzxid: (completion number, index
    /// of the greatest zxid written to the path so far).
    per_path: BTreeMap<String, Vec<(usize, usize)>>,
}

impl WriteBook {
    /// How many writes have completed.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    pub fn get(&self, i: usize) -> Option<&WriteRec> {
        self.log.get(i)
    }

    /// The write with the greatest zxid among the first `n` completed.
    pub fn max_of_first(&self, n: usize) -> Option<&WriteRec> {
        let i = *self.prefix_max.get(n.checked_sub(1)?)?;
        self.log.get(i)
    }

    /// The write to `path` (one that moves its mzxid) with the greatest
    /// zxid among the first `n` completed.
    pub fn path_max_of_first(&self, path: &str, n: usize) -> Option<&WriteRec> {
        let v = self.per_path.get(path)?;
        let k = v.partition_point(|(seq, _)| *seq < n);
        let (_, i) = v.get(k.checked_sub(1)?)?;
        self.log.get(*i)
    }

    /// The write that returned `z`, if one did.
    pub fn by_zxid(&self, z: Zxid) -> Option<&WriteRec> {
        self.by_zxid.get(&z).and_then(|i| self.log.get(*i))
    }

    /// How many of the first `n` completed writes have a zxid above `z`.
    /// Costs a binary search plus a look at the writes completed after the
    /// `n`-th (those that completed while the question's read was out).
    pub fn above_in_first(&self, z: Zxid, n: usize) -> u64 {
        let all = self.sorted.len() - self.sorted.partition_point(|x| *x <= z);
        let later = self.log.get(n..).unwrap_or_default().iter().filter(|w| w.zxid > z).count();
        (all - later.min(all)) as u64
    }

    /// Add a completed write; returns the index of an earlier write that
    /// returned the same zxid, if any.
    pub fn add(&mut self, rec: WriteRec) -> Option<usize> {
        let i = self.log.len();
        let z = rec.zxid;
        let max = match self.prefix_max.last() {
            Some(&m) if self.log[m].zxid >= z => m,
            _ => i,
        };
        self.prefix_max.push(max);
        let at = self.sorted.partition_point(|x| *x <= z);
        self.sorted.insert(at, z);
        let duplicate = match self.by_zxid.get(&z) {
            Some(&j) => Some(j),
            None => {
                self.by_zxid.insert(z, i);
                None
            }
        };
        if let (Some(p), true) = (&rec.path, rec.shape.moves_mzxid()) {
            let v = self.per_path.entry(p.clone()).or_default();
            let best = match v.last() {
                Some(&(_, m)) if self.log[m].zxid >= z => m,
                _ => i,
            };
            v.push((i, best));
        }
        self.log.push(rec);
        duplicate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actor::{Instant, NodeId};

    fn rec(zxid: Zxid, path: &str) -> WriteRec {
        let op = OpRef {
            client: NodeId(101),
            client_name: "a".into(),
            tag: zxid,
            op: format!("setData {path}"),
            server: None,
            invoked: Instant(0),
            completed: None,
            zxid: Some(zxid),
            mzxid: None,
        };
        WriteRec { op, zxid, shape: Shape::SetData, path: Some(path.into()), data: None }
    }

    #[test]
    fn prefixes_answer_what_had_completed_by_then() {
        let mut b = WriteBook::default();
        for (z, p) in [(5, "/a"), (7, "/b"), (6, "/a"), (9, "/a")] {
            assert_eq!(b.add(rec(z, p)), None);
        }
        assert_eq!(b.max_of_first(0).map(|w| w.zxid), None);
        assert_eq!(b.max_of_first(3).map(|w| w.zxid), Some(7));
        assert_eq!(b.path_max_of_first("/a", 3).map(|w| w.zxid), Some(6));
        assert_eq!(b.path_max_of_first("/a", 1).map(|w| w.zxid), Some(5));
        assert_eq!(b.path_max_of_first("/b", 1).map(|w| w.zxid), None);
        // Above 5 among the first three: 7 and 6; the fourth (9) came later.
        assert_eq!(b.above_in_first(5, 3), 2);
        assert_eq!(b.above_in_first(5, 4), 3);
        assert_eq!(b.above_in_first(9, 4), 0);
        assert_eq!(b.add(rec(7, "/c")), Some(1), "a second write with zxid 7");
    }
}
