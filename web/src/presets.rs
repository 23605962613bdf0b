//! The network editor's presets: classic ways a network breaks, each as
//! the faults that make it. Clients go with the side of the server they
//! are connected to, as a client in a data centre would. Pure: tested
//! natively.

use actor::NodeId;
use sim::net::LinkSpec;
use sim::Fault;

/// A ready-made network situation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    IsolateLeader,
    MinorityWithLeader,
    SplitTwoThree,
    Bridge,
    OneWayCut,
    FlakyWan,
    SlowDisk,
}

/// What a preset needs to know about the cluster now.
#[derive(Clone, Debug, Default)]
pub struct Situation {
    /// Voting servers and observers, by id.
    pub servers: Vec<NodeId>,
    pub leader: Option<NodeId>,
    /// Each client node and the server it is connected to (if any).
    pub clients: Vec<(NodeId, Option<NodeId>)>,
    /// The server the user selected, if any.
    pub selected: Option<NodeId>,
}

/// A WAN link between data centres: 40 ms ± 20 ms, 2 % loss.
pub const WAN: LinkSpec = LinkSpec { latency_us: 40_000, jitter_us: 20_000, loss_ppm: 20_000, dup_ppm: 0 };
/// A disk that takes 250 ms to sync.
pub const SLOW_DISK_US: u64 = 250_000;

impl Preset {
    pub const ALL: [Preset; 7] = [
        Preset::IsolateLeader,
        Preset::MinorityWithLeader,
        Preset::SplitTwoThree,
        Preset::Bridge,
        Preset::OneWayCut,
        Preset::FlakyWan,
        Preset::SlowDisk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::IsolateLeader => "Isolate the leader",
            Preset::MinorityWithLeader => "Minority / majority",
            Preset::SplitTwoThree => "Split 2 + 3",
            Preset::Bridge => "Bridge node",
            Preset::OneWayCut => "One-way cut",
            Preset::FlakyWan => "Flaky WAN",
            Preset::SlowDisk => "Slow disk",
        }
    }

    /// A short id for tests and links (`data-preset`).
    pub fn id(self) -> &'static str {
        match self {
            Preset::IsolateLeader => "isolate-leader",
            Preset::MinorityWithLeader => "minority-majority",
            Preset::SplitTwoThree => "split-2-3",
            Preset::Bridge => "bridge",
            Preset::OneWayCut => "one-way-cut",
            Preset::FlakyWan => "flaky-wan",
            Preset::SlowDisk => "slow-disk",
        }
    }

    /// What it does, in a line.
    pub fn explain(self) -> &'static str {
        match self {
            Preset::IsolateLeader => "the leader alone on one side; everyone else on the other",
            Preset::MinorityWithLeader => "the leader and one follower cut off from the rest",
            Preset::SplitTwoThree => "the first two servers apart from the others",
            Preset::Bridge => "two sides that cannot reach each other, and one server that reaches both",
            Preset::OneWayCut => "the leader's packets to one follower are lost; the other way still works",
            Preset::FlakyWan => "two data centres joined by a slow, lossy link (40 ± 20 ms, 2 % loss)",
            Preset::SlowDisk => "the selected server (or a follower) takes 250 ms per disk sync",
        }
    }

    /// The faults that make it, or why it does not apply here.
    pub fn faults(self, s: &Situation) -> Result<Vec<Fault>, String> {
        let n = s.servers.len();
        if n < 2 {
            return Err("a network preset needs at least two servers".into());
        }
        let leader = || s.leader.ok_or_else(|| "there is no leader right now".to_string());
        let follower = |not: Option<NodeId>| s.servers.iter().copied().find(|id| Some(*id) != not);
        match self {
            Preset::IsolateLeader => {
                let l = leader()?;
                Ok(vec![self.partition(s, vec![vec![l], others(&s.servers, &[l])])])
            }
            Preset::MinorityWithLeader => {
                let l = leader()?;
                let minority_size = (n - 1) / 2;
                let mut side = vec![l];
                side.extend(s.servers.iter().copied().filter(|id| *id != l).take(minority_size.saturating_sub(1)));
                let rest = others(&s.servers, &side);
                Ok(vec![self.partition(s, vec![side, rest])])
            }
            Preset::SplitTwoThree => {
                let (a, b) = s.servers.split_at(2.min(n - 1));
                Ok(vec![self.partition(s, vec![a.to_vec(), b.to_vec()])])
            }
            Preset::Bridge => {
                if n < 3 {
                    return Err("a bridge needs at least three servers".into());
                }
                // The middle server, s.servers[n / 2], is on no side: it reaches both.
                let left: Vec<NodeId> = s.servers[..n / 2].to_vec();
                let right: Vec<NodeId> = s.servers[n / 2 + 1..].to_vec();
                Ok(vec![self.partition(s, vec![left, right])])
            }
            Preset::OneWayCut => {
                let l = leader()?;
                let to = follower(Some(l)).ok_or("there is no follower")?;
                Ok(vec![Fault::Cut { from: l, to, both: false }])
            }
            Preset::FlakyWan => {
                let (a, b) = s.servers.split_at(n / 2);
                let mut faults = Vec::new();
                for x in a {
                    for y in b {
                        faults.push(Fault::SetLink { from: Some(*x), to: Some(*y), spec: WAN });
                        faults.push(Fault::SetLink { from: Some(*y), to: Some(*x), spec: WAN });
                    }
                }
                Ok(faults)
            }
            Preset::SlowDisk => {
                let node = s.selected.or_else(|| follower(s.leader)).ok_or("there is no server")?;
                Ok(vec![Fault::DiskLatency { node, latency_us: SLOW_DISK_US }])
            }
        }
    }

    /// A partition of servers into `sides`, each client with its server's
    /// side (a client connected nowhere reaches everyone).
    fn partition(self, s: &Situation, mut sides: Vec<Vec<NodeId>>) -> Fault {
        for (client, server) in &s.clients {
            if let Some(side) = server.and_then(|srv| sides.iter().position(|g| g.contains(&srv))) {
                sides[side].push(*client);
            }
        }
        sides.retain(|g| !g.is_empty());
        Fault::Partition { groups: sides }
    }
}

fn others(all: &[NodeId], not: &[NodeId]) -> Vec<NodeId> {
    all.iter().copied().filter(|id| !not.contains(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn five() -> Situation {
        Situation {
            servers: (1..=5).map(NodeId).collect(),
            leader: Some(NodeId(5)),
            clients: vec![(NodeId(101), Some(NodeId(5))), (NodeId(102), Some(NodeId(2))), (NodeId(103), None)],
            selected: None,
        }
    }

    fn groups(f: &[Fault]) -> Vec<Vec<u32>> {
        match f {
            [Fault::Partition { groups }] => groups.iter().map(|g| g.iter().map(|n| n.0).collect()).collect(),
            other => panic!("not one partition: {other:?}"),
        }
    }

    #[test]
    fn isolating_the_leader_takes_its_clients_along() {
        let f = Preset::IsolateLeader.faults(&five()).expect("applies");
        assert_eq!(groups(&f), vec![vec![5, 101], vec![1, 2, 3, 4, 102]]);
    }

    #[test]
    fn the_minority_holds_the_leader_and_stays_a_minority() {
        let f = Preset::MinorityWithLeader.faults(&five()).expect("applies");
        assert_eq!(groups(&f), vec![vec![5, 1, 101], vec![2, 3, 4, 102]]);
        let mut three = five();
        three.servers.truncate(3);
        three.leader = Some(NodeId(2));
        let f = Preset::MinorityWithLeader.faults(&three).expect("applies");
        assert_eq!(groups(&f), vec![vec![2, 102], vec![1, 3]]);
    }

    #[test]
    fn a_bridge_server_is_in_no_group_so_it_reaches_both_sides() {
        let f = Preset::Bridge.faults(&five()).expect("applies");
        let g = groups(&f);
        assert_eq!(g, vec![vec![1, 2, 102], vec![4, 5, 101]]);
        assert!(g.iter().all(|side| !side.contains(&3)));
    }

    #[test]
    fn presets_that_need_a_leader_say_so() {
        let mut s = five();
        s.leader = None;
        assert!(Preset::IsolateLeader.faults(&s).is_err());
        assert!(Preset::OneWayCut.faults(&s).is_err());
        assert!(Preset::SplitTwoThree.faults(&s).is_ok());
        assert!(Preset::SlowDisk.faults(&Situation::default()).is_err());
    }

    #[test]
    fn a_flaky_wan_slows_every_link_between_the_two_halves_both_ways() {
        let f = Preset::FlakyWan.faults(&five()).expect("applies");
        assert_eq!(f.len(), 2 * 2 * 3);
        assert!(f.iter().all(|x| matches!(x, Fault::SetLink { spec, .. } if *spec == WAN)));
    }

    #[test]
    fn every_preset_makes_faults_the_world_accepts() {
        for p in Preset::ALL {
            for f in p.faults(&five()).expect("applies to five servers") {
                assert!(f.nodes().iter().all(|n| n.0 <= 5 || n.0 > 100), "{f:?}");
            }
        }
    }
}
