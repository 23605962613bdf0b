//! What the Paxos page draws, folded from a single-decree run's trace:
//! each node's card (roles, the acceptor's promise and vote, the
//! proposer's attempt, what it learned), the ballots each proposer tried
//! over time, and the space-time diagram of the datagrams. Pure: tested
//! natively.

use crate::model::servers::Process;
use crate::view::{
    cluster_sides, ring, server_wires, ClusterData, Dot, ServerCard, SpaceTime, StArrow, StMark, StSelected, LANE_H, ST_LEFT, ST_WIDTH,
};
use actor::{Instant, NodeId};
use paxos::single::{Event, Msg};
use paxos::Ballot;
use sim::paxos::single::{Lab, ACCEPTORS, NODES};
use sim::Record;
use std::collections::BTreeMap;

/// One node, as its card shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeCard {
    pub id: u32,
    pub roles: String,
    pub proposer: bool,
    pub acceptor: bool,
    pub promised: Option<Ballot>,
    pub accepted: Option<(Ballot, String)>,
    /// The proposer's state in words (`phase 1 with ballot 4.1`, …).
    pub attempt: Option<String>,
    pub learned: Option<String>,
    pub up: bool,
}

/// Everything the page shows of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaxosView {
    pub cards: Vec<NodeCard>,
    /// Per proposer, (time µs, round) of each ballot started.
    pub ballots: BTreeMap<u32, Vec<(u64, u64)>>,
    pub chosen: Option<String>,
    pub headline: String,
    pub datagrams: usize,
    pub violations: Vec<String>,
}

pub fn view(lab: &Lab) -> PaxosView {
    let proposers: Vec<u32> = lab
        .log
        .iter()
        .filter_map(|e| match &e.what {
            Record::Emit { node, event: Event::Phase1 { .. } | Event::Requested { .. } } => Some(node.0),
            _ => None,
        })
        .collect();
    let mut cards: BTreeMap<u32, NodeCard> = NODES
        .iter()
        .map(|id| {
            let acceptor = ACCEPTORS.contains(id);
            (*id, NodeCard { id: *id, acceptor, up: true, ..NodeCard::default() })
        })
        .collect();
    let mut ballots: BTreeMap<u32, Vec<(u64, u64)>> = BTreeMap::new();
    let mut datagrams = 0;
    for e in &lab.log {
        match &e.what {
            Record::SendDatagram { .. } => datagrams += 1,
            Record::Emit { node, event } => {
                let Some(c) = cards.get_mut(&node.0) else { continue };
                match event {
                    Event::Requested { v } => {
                        c.proposer = true;
                        c.attempt.get_or_insert_with(|| format!("asked to propose {v:?}"));
                    }
                    Event::Phase1 { b } => {
                        c.proposer = true;
                        c.attempt = Some(format!("phase 1: Prepare({b})"));
                        ballots.entry(node.0).or_default().push((e.at.0, b.round));
                    }
                    Event::Proposing { b, v, adopted } => {
                        let how = if *adopted { " (adopted from a promise)" } else { "" };
                        c.attempt = Some(format!("phase 2: Accept({b}, {v:?}){how}"));
                    }
                    Event::Preempted { b, by } => c.attempt = Some(format!("ballot {b} pre-empted by {by}")),
                    Event::Retrying { b, after_ms } if *after_ms > 0 => {
                        c.attempt = Some(format!("ballot {b} failed; backing off {after_ms} ms"))
                    }
                    Event::Succeeded { b, v } => c.attempt = Some(format!("done: {v:?} chosen with {b}")),
                    Event::GaveUp { b } => c.attempt = Some(format!("gave up after ballot {b}")),
                    Event::Restored { promised, accepted } => {
                        c.up = true;
                        c.promised = (*promised > Ballot::ZERO).then_some(*promised);
                        c.accepted = accepted.clone();
                    }
                    Event::Promised { b, .. } => c.promised = Some(*b),
                    Event::AcceptedValue { b, v } => {
                        c.promised = Some(c.promised.map_or(*b, |p| p.max(*b)));
                        c.accepted = Some((*b, v.clone()));
                    }
                    Event::Chosen { v, .. } => c.learned = Some(v.clone()),
                    _ => {}
                }
            }
            Record::Fault { fault: sim::Fault::Crash { node } | sim::Fault::PowerOff { node, .. } } => {
                if let Some(c) = cards.get_mut(&node.0) {
                    c.up = false;
                }
            }
            // A node that is no acceptor reports nothing when it boots.
            Record::Fault { fault: sim::Fault::Restart { node } } => {
                if let Some(c) = cards.get_mut(&node.0) {
                    c.up = true;
                }
            }
            _ => {}
        }
    }
    for c in cards.values_mut() {
        let mut roles = Vec::new();
        if c.proposer || proposers.contains(&c.id) {
            roles.push("proposer");
        }
        if c.acceptor {
            roles.push("acceptor");
        }
        roles.push("learner");
        c.roles = roles.join(" · ");
    }
    let chosen = lab.chosen().map(|(_, _, v, _)| v);
    let tried: usize = ballots.values().map(Vec::len).sum();
    let headline = match lab.chosen() {
        Some((at, node, v, b)) => format!(
            "{v:?} is chosen: a majority of acceptors accepted ballot {b}; node {} learned it at {at} after {tried} ballot(s)",
            node.0
        ),
        None if tried > 4 => format!(
            "Nothing chosen after {tried} ballots: each proposer's Prepare pre-empts the other's Accept — the duelling-proposers livelock. Paxos stays safe; it is not live."
        ),
        None => "Nothing chosen yet.".to_string(),
    };
    PaxosView {
        cards: cards.into_values().collect(),
        ballots,
        chosen,
        headline,
        datagrams,
        violations: lab.violations().iter().map(|v| format!("{v:?}")).collect(),
    }
}

fn kind(m: &Msg) -> (&'static str, String) {
    match m {
        Msg::Prepare { b } => ("vote", format!("Prepare({b})")),
        Msg::Promise { b, accepted } => (
            "discovery",
            match accepted {
                Some((ab, v)) => format!("Promise({b}, accepted {ab} {v:?})"),
                None => format!("Promise({b})"),
            },
        ),
        Msg::Nack { b, promised } => ("request", format!("Nack({b}: promised {promised})")),
        Msg::Accept { b, v } => ("proposal", format!("Accept({b}, {v:?})")),
        Msg::Accepted { b, v } => ("ack", format!("Accepted({b}, {v:?})")),
    }
}

/// The datagrams of the window `[start, end]` as the space-time diagram
/// draws them (lost ones reach no lane).
pub fn spacetime(lab: &Lab, start: Instant, end: Instant, selected: Option<u64>) -> SpaceTime {
    let lanes: Vec<(NodeId, String)> = NODES.iter().map(|n| (NodeId(*n), format!("node {n}"))).collect();
    let lane = |n: NodeId| lanes.iter().position(|(id, _)| *id == n);
    let span = end.0.saturating_sub(start.0).max(1) as f64;
    let x = |t: Instant| ST_LEFT + (t.0.saturating_sub(start.0) as f64 / span).min(1.0) * (ST_WIDTH - ST_LEFT);
    let y = |i: usize| 20.0 + i as f64 * LANE_H + LANE_H / 2.0;
    let now = lab.now();
    let mut arrows = Vec::new();
    let mut marks = Vec::new();
    let mut chosen_sel = None;
    for (i, e) in lab.log.iter().enumerate() {
        match &e.what {
            Record::SendDatagram { from, to, msg, arrive } => {
                let (Some(a), Some(b)) = (lane(*from), lane(*to)) else { continue };
                let first = arrive.first().copied();
                let done = first.unwrap_or(e.at + actor::Duration::from_micros(sim::paxos::single::LATENCY_US));
                if done < start || e.at > end {
                    continue;
                }
                let (k, label) = kind(msg);
                let id = i as u64;
                if selected == Some(id) {
                    chosen_sel = Some(StSelected {
                        id,
                        label: label.clone(),
                        from: format!("node {}", from.0),
                        to: format!("node {}", to.0),
                        sent: e.at.to_string(),
                        arrived: match first {
                            Some(t) if t <= now => format!("arrived {t}"),
                            Some(t) => format!("arrives {t}"),
                            None => "lost".into(),
                        },
                        detail: format!("{msg:?}"),
                    });
                }
                let lost = first.is_none();
                let y2 = if lost { (y(a) + y(b)) / 2.0 } else { y(b) };
                arrows.push(StArrow {
                    id,
                    kind: k,
                    label,
                    x1: x(e.at),
                    y1: y(a),
                    x2: x(done.min(now)),
                    y2: if done > now { y(a) + (y(b) - y(a)) * ((now.0 - e.at.0) as f64 / (done.0 - e.at.0).max(1) as f64) } else { y2 },
                    in_flight: done > now,
                    lost,
                });
            }
            Record::Emit { node, event: Event::Chosen { v, b } } if e.at >= start && e.at <= end => {
                marks.push(StMark { x: x(e.at), class: "election", label: format!("node {} learns {v:?} ({b})", node.0) });
            }
            Record::Fault { fault } if e.at >= start && e.at <= end => {
                marks.push(StMark { x: x(e.at), class: "fault", label: format!("{fault:?}") });
            }
            _ => {}
        }
    }
    SpaceTime {
        lanes,
        start_us: start.0,
        end_us: end.0,
        arrows,
        marks,
        now_x: (now >= start && now <= end).then(|| x(now)),
        selected: chosen_sel,
    }
}

/// The cluster drawing of the ZooKeeper page, for Paxos nodes: each
/// node's role and where it stands (`PREPARING 5.1`, `PROMISED 5.2`,
/// `LEARNED "A"`), the links and partition sides, and the datagrams in
/// flight.
pub fn cluster(lab: &Lab, v: &PaxosView) -> ClusterData {
    let placed = ring(NODES.iter().map(|n| NodeId(*n)));
    let at = |n: NodeId| placed.iter().find(|(id, _, _)| *id == n).map(|(_, x, y)| (*x, *y));
    let net = lab.world.network();
    let now = lab.now();
    let servers = placed
        .iter()
        .filter_map(|(id, x, y)| {
            let c = v.cards.iter().find(|c| c.id == id.0)?;
            let (state, class) = match (&c.learned, &c.attempt) {
                _ if !c.up => ("CRASHED".to_string(), "down"),
                (Some(v), _) => (format!("LEARNED {v:?}"), "leading"),
                (None, Some(a)) if a.starts_with("phase 1") => ("PREPARING".to_string(), "looking"),
                (None, Some(a)) if a.starts_with("phase 2") => ("ACCEPTING".to_string(), "following"),
                (None, Some(_)) => ("PROPOSER".to_string(), "looking"),
                (None, None) if c.accepted.is_some() => ("ACCEPTED".to_string(), "following"),
                (None, None) if c.promised.is_some() => ("PROMISED".to_string(), "following"),
                (None, None) => ("IDLE".to_string(), "observing"),
            };
            let detail = match (&c.promised, &c.accepted) {
                (_, Some((b, v))) => format!("accepted {b} {v:?}"),
                (Some(p), None) => format!("promised {p}"),
                (None, None) => c.roles.clone(),
            };
            let ballot = v.ballots.get(&id.0).and_then(|b| b.last()).map(|(_, r)| format!("round {r}")).unwrap_or_default();
            Some(ServerCard {
                id: *id,
                x: *x,
                y: *y,
                state,
                class,
                detail,
                last_zxid: ballot,
                committed: String::new(),
                vote: String::new(),
                process: if c.up { Process::Up } else { Process::Crashed },
                observer: false,
            })
        })
        .collect();
    let wires = server_wires(&placed, net);
    let sides = cluster_sides(net);
    let dots = lab
        .log
        .iter()
        .rev()
        .take_while(|e| now.0.saturating_sub(e.at.0) < 50_000)
        .filter_map(|e| match &e.what {
            Record::SendDatagram { from, to, msg, arrive } => {
                let arrive = arrive.iter().copied().find(|t| *t > now)?;
                let f = (now.0.saturating_sub(e.at.0)) as f64 / (arrive.0.saturating_sub(e.at.0)).max(1) as f64;
                let ((x1, y1), (x2, y2)) = (at(*from)?, at(*to)?);
                let (kind, label) = kind(msg);
                Some(Dot { x: x1 + (x2 - x1) * f, y: y1 + (y2 - y1) * f, kind, label, held: false })
            }
            _ => None,
        })
        .collect();
    ClusterData { servers, clients: Vec::new(), wires, dots, sides }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actor::Duration;
    use sim::paxos::single::Preset;

    fn at(ms: u64) -> Instant {
        Instant::ZERO + Duration::from_millis(ms)
    }

    #[test]
    fn the_duel_shows_rising_ballots_and_no_value() {
        let mut lab = Lab::new(Preset::Duel, 1);
        lab.run_to(at(500)).expect("runs");
        let v = view(&lab);
        assert_eq!(v.chosen, None);
        assert!(v.headline.contains("livelock"), "{}", v.headline);
        let one: Vec<u64> = v.ballots[&1].iter().map(|(_, r)| *r).collect();
        assert!(one.len() > 20 && one.windows(2).all(|w| w[0] < w[1]), "{one:?}");
        let acceptor = v.cards.iter().find(|c| c.id == 3).expect("node 3");
        assert!(acceptor.acceptor && acceptor.promised.is_some(), "{acceptor:?}");
        assert!(v.cards.iter().find(|c| c.id == 1).is_some_and(|c| c.roles.starts_with("proposer")));
        let st = spacetime(&lab, at(450), at(500), None);
        assert!(st.arrows.iter().any(|a| a.label.starts_with("Prepare")), "{:?}", st.arrows.len());
        let c = cluster(&lab, &v);
        assert_eq!(c.servers.len(), 5);
        assert_eq!(c.wires.len(), 10);
        assert!(c.servers.iter().any(|s| s.state == "PREPARING" || s.state == "ACCEPTING"), "{:?}", c.servers);
        assert!(c.servers.iter().filter(|s| s.id.0 >= 3).all(|s| s.detail.starts_with("promised")), "{:?}", c.servers);
    }

    #[test]
    fn a_chosen_value_is_on_every_learner_card() {
        let mut lab = Lab::new(Preset::OneProposer, 1);
        lab.run_to(at(200)).expect("runs");
        let v = view(&lab);
        assert_eq!(v.chosen.as_deref(), Some("A"));
        assert!(v.cards.iter().all(|c| c.learned.as_deref() == Some("A")), "{:?}", v.cards);
        assert!(v.cards.iter().filter(|c| c.acceptor).all(|c| c.accepted.as_ref().is_some_and(|(_, v)| v == "A")));
        assert!(v.violations.is_empty());
    }

    #[test]
    fn a_restarted_proposer_is_drawn_up_again() {
        let mut lab = Lab::new(Preset::Duel, 1);
        lab.run_to(at(50)).expect("runs");
        lab.edit(sim::Fault::Crash { node: NodeId(2) });
        lab.run_to(at(60)).expect("runs");
        assert!(!view(&lab).cards[1].up);
        lab.edit(sim::Fault::Restart { node: NodeId(2) });
        lab.run_to(at(70)).expect("runs");
        assert!(view(&lab).cards[1].up, "{:?}", view(&lab).cards[1]);
    }
}
