//! A generated workload: operations drawn from a mix, over a key space, at
//! a rate (or as fast as replies come), never more than a bound in flight.
//! Its random choices come from a generator the world seeded.

use super::scenario::Workload;
#[cfg(test)]
use super::scenario::OpMix;
use crate::rng::WorldRng;
use actor::{Duration, Instant};
use std::collections::BTreeSet;
use znode::{Acl, CreateMode, CreateOp, Request};

/// Tags below this are the workload's; the console's start at
/// `zkcli::FIRST_TAG`.
pub const TAG_BASE: u64 = 1;

/// The state of one client's workload.
pub struct WorkloadGen {
    spec: Workload,
    rng: WorldRng,
    next_tag: u64,
    outstanding: BTreeSet<u64>,
    prefix_made: bool,
    /// The tag of the create of the prefix, until it is answered.
    prefix_tag: Option<u64>,
    issued: u64,
}

impl WorkloadGen {
    pub fn new(spec: Workload, seed: u64) -> Self {
        WorkloadGen {
            spec,
            rng: WorldRng::new(seed),
            next_tag: TAG_BASE,
            outstanding: BTreeSet::new(),
            prefix_made: false,
            prefix_tag: None,
            issued: 0,
        }
    }

    pub fn owns(&self, tag: u64) -> bool {
        self.outstanding.contains(&tag)
    }

    /// When the workload starts, in the client's local time.
    pub fn start(&self) -> Instant {
        Instant::ZERO + Duration::from_millis(self.spec.start_ms)
    }

    fn stopped(&self, now: Instant) -> bool {
        self.spec.stop_ms.is_some_and(|s| now >= Instant::ZERO + Duration::from_millis(s))
    }

    /// The gap between timed operations (`None`: closed loop).
    pub fn interval(&self) -> Option<Duration> {
        (self.spec.rate_per_sec > 0)
            .then(|| Duration::from_micros((1_000_000 / u64::from(self.spec.rate_per_sec)).max(1)))
    }

    /// A reply came: the operation is done. If it was the create of the
    /// prefix and it failed for another reason than the node existing
    /// (the connection was lost, say), the prefix is made again.
    pub fn finished(&mut self, tag: u64, result: Result<(), znode::Code>) {
        self.outstanding.remove(&tag);
        if self.prefix_tag == Some(tag) {
            self.prefix_tag = None;
            if !matches!(result, Ok(()) | Err(znode::Code::NodeExists)) {
                self.prefix_made = false;
            }
        }
    }

    /// Operations to issue now: one per tick when timed, enough to fill
    /// the window when closed-loop.
    pub fn due(&mut self, now: Instant, tick: bool) -> Vec<(u64, Request)> {
        if now < self.start() || self.stopped(now) {
            return Vec::new();
        }
        let want = match (self.interval(), tick) {
            (Some(_), true) => 1,
            (Some(_), false) => 0,
            (None, _) => self.spec.max_outstanding as usize,
        };
        let mut out = Vec::new();
        let mut made = 0;
        while made < want && self.outstanding.len() < self.spec.max_outstanding as usize {
            made += 1;
            let prefix = !self.prefix_made;
            let req = self.next_request();
            if self.spec.sync_before_reads && is_read(&req) {
                // Pipelined: the sync goes first on the same connection, so
                // the server answers the read only after the sync. The pair
                // counts as one operation of the rate and may pass the
                // window by one.
                let path = req.path().unwrap_or(&self.spec.prefix).to_string();
                out.push((self.take_tag(), Request::Sync { path }));
            }
            let tag = self.take_tag();
            if prefix {
                self.prefix_tag = Some(tag);
            }
            out.push((tag, req));
        }
        out
    }

    fn take_tag(&mut self) -> u64 {
        let tag = self.next_tag;
        self.next_tag += 1;
        self.outstanding.insert(tag);
        tag
    }

    fn key(&mut self) -> String {
        let k = self.rng.below(u64::from(self.spec.keys));
        format!("{}/k{k}", self.spec.prefix)
    }

    fn value(&self) -> Option<Vec<u8>> {
        let mut v = format!("v{}-", self.issued).into_bytes();
        v.resize(self.spec.value_bytes as usize, b'.');
        Some(v)
    }

    fn next_request(&mut self) -> Request {
        self.issued += 1;
        if !self.prefix_made {
            self.prefix_made = true;
            let path = self.spec.prefix.clone();
            return Request::Create {
                path,
                data: None,
                acl: Acl::open(),
                mode: CreateMode::Persistent,
                op: CreateOp::Create,
            };
        }
        let m = self.spec.mix;
        let weights = [m.create, m.set, m.get, m.delete, m.exists, m.children];
        let mut pick = self.rng.below(m.total());
        let mut which = 0;
        for (i, w) in weights.iter().enumerate() {
            if pick < u64::from(*w) {
                which = i;
                break;
            }
            pick -= u64::from(*w);
        }
        let path = self.key();
        match which {
            0 => Request::Create {
                path,
                data: self.value(),
                acl: Acl::open(),
                mode: CreateMode::Persistent,
                op: CreateOp::Create,
            },
            1 => Request::SetData { path, data: self.value(), version: -1 },
            2 => Request::GetData { path, watch: false },
            3 => Request::Delete { path, version: -1 },
            4 => Request::Exists { path, watch: false },
            _ => Request::GetChildren { path: self.spec.prefix.clone(), watch: false, with_stat: false },
        }
    }
}

/// The requests a workload draws that only read.
fn is_read(r: &Request) -> bool {
    matches!(r, Request::GetData { .. } | Request::Exists { .. } | Request::GetChildren { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_workload_issues_one_op_per_tick_and_respects_its_window() {
        let spec = Workload { rate_per_sec: 100, max_outstanding: 2, ..Workload::default() };
        let mut w = WorkloadGen::new(spec, 1);
        assert_eq!(w.interval(), Some(Duration::from_millis(10)));
        let first = w.due(Instant(0), true);
        assert!(matches!(&first[0].1, Request::Create { path, .. } if path == "/w"), "the prefix comes first");
        assert_eq!(w.due(Instant(1), true).len(), 1);
        assert!(w.due(Instant(2), true).is_empty(), "two in flight");
        w.finished(first[0].0, Ok(()));
        assert_eq!(w.due(Instant(3), true).len(), 1);
    }

    #[test]
    fn a_prefix_lost_with_the_connection_is_made_again() {
        let spec = Workload { rate_per_sec: 100, ..Workload::default() };
        let mut w = WorkloadGen::new(spec, 1);
        let first = w.due(Instant(0), true);
        w.finished(first[0].0, Err(znode::Code::ConnectionLoss));
        let again = w.due(Instant(1), true);
        assert!(matches!(&again[0].1, Request::Create { path, .. } if path == "/w"), "{again:?}");
        w.finished(again[0].0, Err(znode::Code::NodeExists));
        assert!(!matches!(&w.due(Instant(2), true)[0].1, Request::Create { path, .. } if path == "/w"));
    }

    #[test]
    fn with_sync_before_reads_every_read_follows_a_sync_of_its_path() {
        let mix = OpMix { create: 0, set: 1, get: 1, delete: 0, exists: 1, children: 1 };
        let spec = Workload { rate_per_sec: 0, max_outstanding: 40, sync_before_reads: true, mix, ..Workload::default() };
        let mut w = WorkloadGen::new(spec.clone(), 3);
        let ops = w.due(Instant(0), false);
        let mut reads = 0;
        for (i, (_, r)) in ops.iter().enumerate() {
            if is_read(r) {
                reads += 1;
                let before = i.checked_sub(1).map(|j| &ops[j].1);
                assert!(
                    matches!(before, Some(Request::Sync { path }) if Some(path.as_str()) == r.path()),
                    "{r:?} after {before:?}"
                );
            }
        }
        assert!(reads > 5, "{ops:?}");
        // Off, the same seed draws the same operations, without the syncs.
        let plain = WorkloadGen::new(Workload { sync_before_reads: false, ..spec }, 3).due(Instant(0), false);
        let without: Vec<&Request> = ops.iter().map(|(_, r)| r).filter(|r| !matches!(r, Request::Sync { .. })).collect();
        let n = without.len().min(plain.len());
        assert_eq!(without[..n], plain.iter().map(|(_, r)| r).take(n).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn a_closed_loop_fills_its_window_and_the_choices_are_seeded() {
        let spec = Workload { rate_per_sec: 0, max_outstanding: 5, ..Workload::default() };
        let a: Vec<_> = WorkloadGen::new(spec.clone(), 9).due(Instant(0), false).into_iter().map(|(_, r)| r).collect();
        let b: Vec<_> = WorkloadGen::new(spec, 9).due(Instant(0), false).into_iter().map(|(_, r)| r).collect();
        assert_eq!(a.len(), 5);
        assert_eq!(a, b);
    }
}
