//! The network model: every directed link has a latency, jitter, loss,
//! duplication and may be cut; partitions split nodes into groups.
//!
//! Two channel kinds use it differently. A *stream* (TCP, what ZooKeeper
//! uses) never loses or reorders: loss becomes retransmission delay, and a
//! blocked link holds its traffic until it heals — in both directions, since
//! the other side's acknowledgements are lost too. A *datagram* (what Paxos
//! tolerates) is lost, duplicated or reordered independently.

use crate::rng::WorldRng;
use actor::{Duration, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One direction of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkSpec {
    /// One-way latency, µs.
    pub latency_us: u64,
    /// Extra delay drawn uniformly in `0..=jitter_us`.
    pub jitter_us: u64,
    /// Chance a packet is lost, in parts per million.
    pub loss_ppm: u32,
    /// Chance a datagram is delivered twice, in parts per million.
    pub dup_ppm: u32,
}

impl Default for LinkSpec {
    /// A loopback-like link: 0.2 ms, no jitter, no loss.
    fn default() -> Self {
        LinkSpec { latency_us: 200, jitter_us: 0, loss_ppm: 0, dup_ppm: 0 }
    }
}

impl LinkSpec {
    /// Refuse values no network has.
    pub fn validate(&self) -> Result<(), String> {
        if self.loss_ppm > 1_000_000 || self.dup_ppm > 1_000_000 {
            return Err("loss and duplication are parts per million (at most 1000000)".into());
        }
        if self.latency_us > 3_600_000_000 || self.jitter_us > 3_600_000_000 {
            return Err("latency and jitter must be under an hour".into());
        }
        Ok(())
    }

    /// A stream's retransmission timeout on this link: Linux's 200 ms
    /// minimum, or three round trips on slow links.
    fn rto(&self) -> Duration {
        Duration::from_micros((6 * self.latency_us).max(200_000))
    }
}

/// Retransmissions are capped so a 100%-loss link still delivers
/// eventually (TCP would give up only after minutes).
const MAX_RETRANSMITS: u32 = 16;

/// The whole network's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    pub default: LinkSpec,
    /// Per directed link (in JSON: a list of `{from, to, spec}`).
    #[serde(with = "link_list")]
    pub links: BTreeMap<(NodeId, NodeId), LinkSpec>,
    /// Directed links that are cut.
    pub cuts: BTreeSet<(NodeId, NodeId)>,
    /// Groups that cannot reach each other; a node in no group reaches
    /// everyone.
    pub partition: Vec<BTreeSet<NodeId>>,
}

impl Network {
    pub fn spec(&self, from: NodeId, to: NodeId) -> LinkSpec {
        self.links.get(&(from, to)).copied().unwrap_or(self.default)
    }

    fn group_of(&self, n: NodeId) -> Option<usize> {
        self.partition.iter().position(|g| g.contains(&n))
    }

    /// Whether a packet from `from` reaches `to` at all right now.
    pub fn reachable(&self, from: NodeId, to: NodeId) -> bool {
        if from == to {
            return true;
        }
        if self.cuts.contains(&(from, to)) {
            return false;
        }
        match (self.group_of(from), self.group_of(to)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// Whether a stream between `a` and `b` can make progress: both
    /// directions must work, since each carries the other's acks.
    pub fn stream_open(&self, a: NodeId, b: NodeId) -> bool {
        self.reachable(a, b) && self.reachable(b, a)
    }

    /// How long a stream segment takes: latency, jitter, and one
    /// retransmission timeout per loss.
    pub fn stream_delay(&self, rng: &mut WorldRng, from: NodeId, to: NodeId) -> Duration {
        let spec = self.spec(from, to);
        let mut d = spec.latency_us + jitter(rng, &spec);
        let mut losses = 0;
        while losses < MAX_RETRANSMITS && rng.chance_ppm(spec.loss_ppm) {
            losses += 1;
            d += spec.rto().as_micros() << (losses - 1).min(6);
        }
        Duration::from_micros(d)
    }

    /// The fate of one datagram: the delay of each copy delivered (none if
    /// lost, two if duplicated).
    pub fn datagram_copies(&self, rng: &mut WorldRng, from: NodeId, to: NodeId) -> Vec<Duration> {
        let spec = self.spec(from, to);
        if rng.chance_ppm(spec.loss_ppm) {
            return Vec::new();
        }
        let mut out = vec![Duration::from_micros(spec.latency_us + jitter(rng, &spec))];
        if rng.chance_ppm(spec.dup_ppm) {
            out.push(Duration::from_micros(spec.latency_us + jitter(rng, &spec)));
        }
        out
    }

    /// The smallest one-way latency of any link (how far apart inputs for
    /// different nodes may be dispatched together).
    pub fn min_latency(&self) -> Duration {
        let min = self.links.values().chain(std::iter::once(&self.default)).map(|s| s.latency_us).min();
        Duration::from_micros(min.unwrap_or(0))
    }
}

/// JSON has no tuple keys: links travel as a list.
mod link_list {
    use super::LinkSpec;
    use actor::NodeId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Link {
        from: NodeId,
        to: NodeId,
        spec: LinkSpec,
    }

    pub fn serialize<S: Serializer>(m: &BTreeMap<(NodeId, NodeId), LinkSpec>, s: S) -> Result<S::Ok, S::Error> {
        m.iter().map(|(&(from, to), &spec)| Link { from, to, spec }).collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<(NodeId, NodeId), LinkSpec>, D::Error> {
        Ok(Vec::<Link>::deserialize(d)?.into_iter().map(|l| ((l.from, l.to), l.spec)).collect())
    }
}

fn jitter(rng: &mut WorldRng, spec: &LinkSpec) -> u64 {
    if spec.jitter_us == 0 {
        0
    } else {
        rng.below(spec.jitter_us + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: u32) -> NodeId {
        NodeId(i)
    }

    #[test]
    fn partitions_and_cuts() {
        let mut net = Network::default();
        assert!(net.reachable(n(1), n(2)));
        net.partition = vec![[n(1), n(2)].into(), [n(3)].into()];
        assert!(net.reachable(n(1), n(2)));
        assert!(!net.reachable(n(1), n(3)));
        assert!(net.reachable(n(9), n(3)), "a node in no group reaches everyone");
        net.partition.clear();
        net.cuts.insert((n(1), n(2)));
        assert!(!net.reachable(n(1), n(2)));
        assert!(net.reachable(n(2), n(1)));
        assert!(!net.stream_open(n(2), n(1)), "a one-way cut stalls a stream both ways");
    }

    #[test]
    fn stream_loss_is_delay_not_loss() {
        let mut net = Network::default();
        net.default.loss_ppm = 500_000;
        let mut rng = WorldRng::new(5);
        let delays: Vec<u64> = (0..1000).map(|_| net.stream_delay(&mut rng, n(1), n(2)).as_micros()).collect();
        assert!(delays.iter().all(|d| *d >= 200));
        let retransmitted = delays.iter().filter(|d| **d >= 200_000).count();
        assert!((400..600).contains(&retransmitted), "{retransmitted}");
    }

    #[test]
    fn datagrams_follow_loss_and_duplication_rates() {
        let net = Network {
            default: LinkSpec { latency_us: 1000, jitter_us: 500, loss_ppm: 100_000, dup_ppm: 200_000 },
            ..Network::default()
        };
        let mut rng = WorldRng::new(9);
        let fates: Vec<Vec<Duration>> = (0..20_000).map(|_| net.datagram_copies(&mut rng, n(1), n(2))).collect();
        let lost = fates.iter().filter(|f| f.is_empty()).count();
        let doubled = fates.iter().filter(|f| f.len() == 2).count();
        assert!((1_800..2_200).contains(&lost), "lost {lost}");
        // 20% of the 90% that arrive.
        assert!((3_300..3_900).contains(&doubled), "doubled {doubled}");
        assert!(fates.iter().flatten().all(|d| (1000..=1500).contains(&d.as_micros())));
    }
}
