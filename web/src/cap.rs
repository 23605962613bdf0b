//! The CAP view's reasoning about the network: for each side of a
//! partition, whether it holds a quorum, whether it has a leader, and so
//! what its clients can do right now, in plain words. Pure: tested
//! natively.

use crate::model::servers::ServerView;
use crate::model::Model;
use actor::NodeId;
use sim::Network;
use sim::zk::consistency::{ConsistencyReport, OpClass, OpNote};
use zab::quorum::packet::ServerState;

/// What one side of the network can do.
#[derive(Clone, Debug, PartialEq)]
pub struct SideView {
    /// `side 1`, `reaches everyone`, or `the whole cluster`.
    pub name: String,
    pub servers: Vec<u32>,
    pub clients: Vec<String>,
    pub quorum: bool,
    /// `writes commit`, `writes wait`, `writes cannot commit`.
    pub writes: Outcome,
    pub reads: Outcome,
    /// Why, in a sentence.
    pub why: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Yes,
    Degraded,
    No,
}

impl Outcome {
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Yes => "yes",
            Outcome::Degraded => "degraded",
            Outcome::No => "no",
        }
    }
}

/// Servers and clients, side by side, as the network splits them.
pub fn sides(model: &Model, net: &Network) -> Vec<SideView> {
    let voters: Vec<NodeId> = model.servers.values().filter(|s| !s.observer).map(|s| s.id).collect();
    let everywhere: Vec<NodeId> = model.servers.keys().copied().filter(|id| !net.partition.iter().any(|g| g.contains(id))).collect();
    let mut groups: Vec<(String, Vec<NodeId>)> = net
        .partition
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("side {}", i + 1), g.iter().copied().collect()))
        .collect();
    if groups.is_empty() {
        groups.push(("the whole cluster".to_string(), model.servers.keys().copied().collect()));
    } else if everywhere.iter().any(|id| model.servers.contains_key(id)) {
        groups.push(("reaches everyone".to_string(), everywhere.clone()));
    }
    groups
        .into_iter()
        .map(|(name, members)| {
            // A node on no side reaches every side, so it counts for each.
            let reach: Vec<&ServerView> = model
                .servers
                .values()
                .filter(|s| members.contains(&s.id) || everywhere.contains(&s.id))
                .filter(|s| s.is_up())
                .collect();
            let here: Vec<&ServerView> = model.servers.values().filter(|s| members.contains(&s.id)).collect();
            let votes = reach.iter().filter(|s| !s.observer).count();
            let quorum = votes * 2 > voters.len();
            let leader = reach.iter().find(|s| s.state == Some(ServerState::Leading) && s.serving);
            let serving = here.iter().filter(|s| s.is_up() && s.serving && !s.read_only).count();
            let read_only = here.iter().filter(|s| s.is_up() && s.read_only).count();
            let stale_leader = here.iter().find(|s| s.is_up() && s.state == Some(ServerState::Leading));
            let clients = model
                .clients
                .iter()
                .filter(|c| {
                    let on_no_side = !net.partition.iter().any(|g| g.contains(&c.node));
                    name == "the whole cluster"
                        || members.contains(&c.node)
                        || (on_no_side && c.server.is_some_and(|s| members.contains(&s)))
                })
                .map(|c| c.name.clone())
                .collect();
            let standalone = model.servers.values().any(|s| s.standalone);
            let (writes, reads, why) = if standalone {
                (Outcome::Yes, Outcome::Yes, "one standalone server: it alone decides".to_string())
            } else if quorum && leader.is_some() {
                let l = leader.map_or(0, |s| s.id.0);
                (
                    Outcome::Yes,
                    Outcome::Yes,
                    format!("{votes} of {} voters reach each other and server {l} leads: writes commit; reads are served (a follower may lag the leader a little)", voters.len()),
                )
            } else if quorum {
                (
                    Outcome::Degraded,
                    Outcome::No,
                    format!("{votes} of {} voters can form a quorum but no leader is established yet: requests wait for the election", voters.len()),
                )
            } else if serving > 0 {
                let who = stale_leader.map_or_else(String::new, |s| format!(" (server {} still thinks it leads)", s.id.0));
                (
                    Outcome::No,
                    Outcome::Degraded,
                    format!("only {votes} of {} voters: writes cannot commit; {serving} server(s) have not noticed yet{who} and serve reads that may be stale, until syncLimit runs out", voters.len()),
                )
            } else if read_only > 0 {
                (
                    Outcome::No,
                    Outcome::Degraded,
                    format!("only {votes} of {} voters: no writes; {read_only} server(s) serve read-only clients from a stale tree (read-only mode)", voters.len()),
                )
            } else {
                (
                    Outcome::No,
                    Outcome::No,
                    format!("only {votes} of {} voters: the servers here are LOOKING and refuse clients (no read-only mode) — consistency kept, availability lost", voters.len()),
                )
            };
            SideView {
                name,
                servers: members.iter().filter(|id| model.servers.contains_key(id)).map(|id| id.0).collect(),
                clients,
                quorum,
                writes,
                reads,
                why,
            }
        })
        .collect()
}

/// One client's row of the CAP view.
#[derive(Clone, Debug, PartialEq)]
pub struct CapClient {
    pub name: String,
    /// `server 4 · side 2`.
    pub place: String,
    /// committed, waiting, failed.
    pub writes: (u64, u64, u64),
    /// fresh, stale, refused, and the most zxids a read was stale by.
    pub reads: (u64, u64, u64, u64),
    /// The latest operation: its CSS class and its line.
    pub latest: Option<(&'static str, String)>,
    /// Its oldest operation still waiting, and why.
    pub waiting: Option<String>,
}

/// The CSS class an operation's outcome is drawn with.
pub fn class_of(c: OpClass) -> &'static str {
    match c {
        OpClass::WriteCommitted | OpClass::SyncDone | OpClass::OtherOk => "committed",
        OpClass::ReadFresh => "fresh",
        OpClass::ReadStale { .. } | OpClass::ReadAllowed1675 { .. } => "stale",
        OpClass::WriteFailed(_) | OpClass::SyncFailed(_) | OpClass::OtherFailed(_) => "failed",
        OpClass::ReadRefused(_) => "refused",
        OpClass::Violation => "violation",
        OpClass::Waiting => "waiting",
    }
}

/// Each client's tally and latest operation, in the scenario's order, with
/// a stale read explained by where its server stands in the network.
pub fn clients(model: &Model, net: &Network, report: &ConsistencyReport, waiting: &[OpNote]) -> Vec<CapClient> {
    let leader = model.leader();
    model
        .clients
        .iter()
        .map(|c| {
            let tally = report.clients.get(&c.node).cloned().unwrap_or_default();
            let side = c.server.and_then(|s| net.partition.iter().position(|g| g.contains(&s)));
            let place = match (c.server, side) {
                (Some(s), Some(i)) => format!("server {s} · side {}", i + 1),
                (Some(s), None) => format!("server {s}"),
                (None, _) => "no server".to_string(),
            };
            let latest = tally.latest.as_ref().map(|n| {
                let mut text = n.text.clone();
                if matches!(n.class, OpClass::ReadStale { .. }) {
                    if let Some(why) = n.op.server.and_then(|s| lag_reason(model, net, s, leader)) {
                        text.push_str(" — ");
                        text.push_str(&why);
                    }
                }
                (class_of(n.class), text)
            });
            CapClient {
                name: c.name.clone(),
                place,
                writes: (tally.writes_committed, tally.writes_waiting, tally.writes_failed),
                reads: (tally.reads_fresh, tally.reads_stale + tally.allowed_1675, tally.reads_refused, tally.stale_by_max),
                latest,
                waiting: waiting.iter().find(|w| w.op.client == c.node).map(|w| w.text.clone()),
            }
        })
        .collect()
}

/// Why a server's reads lag, when the network says so.
fn lag_reason(model: &Model, net: &Network, server: NodeId, leader: Option<NodeId>) -> Option<String> {
    model.servers.get(&server)?;
    match leader {
        Some(l) if l == server => None,
        Some(l) if !net.reachable(l, server) || !net.reachable(server, l) => {
            Some(format!("server {server} is cut off from the leader (server {l})"))
        }
        None => Some(format!("server {server} has no leader")),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::player::Player;
    use actor::{Duration, Instant};
    use sim::zk::{Hosting, Scenario};
    use sim::Fault;

    fn ms(t: u64) -> Instant {
        Instant::ZERO + Duration::from_millis(t)
    }

    #[test]
    fn a_stale_read_is_explained_and_sync_makes_the_next_fresh() {
        let json = include_str!("../../scenarios/stale-read-and-sync.json");
        let s = sim::link::scenario_from_json(json).expect("the example");
        let mut p = Player::new(s, Hosting::InProcess).expect("a player");
        p.run_to(ms(8_100)).expect("runs");
        let net = p.run.world.network().clone();
        let rows = clients(&p.model, &net, p.run.consistency.report(), &p.run.consistency.waiting(p.now()));
        let r = rows.iter().find(|c| c.name == "r").expect("client r");
        let (class, text) = r.latest.clone().expect("r has read");
        assert_eq!(class, "stale", "{text}");
        assert!(text.contains("is stale by 1 zxid"), "{text}");
        assert_eq!(r.reads, (0, 1, 0, 1));
        p.run_to(ms(13_000)).expect("runs");
        let rows = clients(&p.model, &net, p.run.consistency.report(), &p.run.consistency.waiting(p.now()));
        let r = rows.iter().find(|c| c.name == "r").expect("client r");
        assert_eq!(r.latest.as_ref().map(|l| l.0), Some("fresh"), "{:?}", r.latest);
        assert_eq!(r.waiting, None);
    }

    #[test]
    fn a_minority_side_loses_writes_and_then_reads() {
        let s = Scenario::ensemble(3, 5, &["a"], 30_000);
        let mut p = Player::new(s, Hosting::InProcess).expect("a player");
        p.run_to(ms(3_000)).expect("runs");
        let whole = sides(&p.model, p.run.world.network());
        assert_eq!(whole.len(), 1);
        assert_eq!((whole[0].writes, whole[0].reads), (Outcome::Yes, Outcome::Yes), "{whole:?}");
        let leader = p.model.leader().expect("a leader");
        let rest: Vec<NodeId> = p.model.servers.keys().copied().filter(|id| *id != leader).collect();
        p.fault(Fault::Partition { groups: vec![vec![leader], rest] }).expect("a fault");
        p.run_to(ms(3_100)).expect("runs");
        let split = sides(&p.model, p.run.world.network());
        assert_eq!(split.len(), 2);
        assert_eq!(split[0].servers, vec![leader.0]);
        assert!(!split[0].quorum && split[1].quorum);
        assert_eq!(split[0].writes, Outcome::No);
        assert_eq!(split[0].reads, Outcome::Degraded, "the old leader has not noticed yet: {}", split[0].why);
        p.run_to(ms(16_000)).expect("runs");
        let later = sides(&p.model, p.run.world.network());
        assert_eq!((later[0].writes, later[0].reads), (Outcome::No, Outcome::No), "{}", later[0].why);
        assert_eq!((later[1].writes, later[1].reads), (Outcome::Yes, Outcome::Yes), "{}", later[1].why);
    }
}
