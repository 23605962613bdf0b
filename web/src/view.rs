//! What the views show, computed from the model: plain data, tested
//! natively.

use crate::components::node_detail::NodeDetailData;
use crate::components::tree::TreeRow;
use crate::model::servers::{Process, ServerView};
use crate::model::Model;
use actor::{Instant, NodeId};
use zab::quorum::packet::ServerState;
use sim::Network;
use znode::{DataTree, EphemeralKind};

/// Where things are drawn in the cluster view's 1000 × 600 box.
pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 600.0;

/// A server as the cluster view draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerCard {
    pub id: NodeId,
    pub x: f64,
    pub y: f64,
    /// `LEADING`, `FOLLOWING`, `LOOKING`, `OBSERVING`, `CRASHED`, …
    pub state: String,
    /// The CSS class of its state.
    pub class: &'static str,
    /// The line under the state (`epoch 2`).
    pub detail: String,
    pub last_zxid: String,
    pub committed: String,
    pub vote: String,
    pub process: Process,
    pub observer: bool,
}

/// A client as the cluster view draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientBadge {
    pub node: NodeId,
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub state: String,
    pub server: Option<NodeId>,
    pub connected: bool,
}

/// A message on its way, where it is now.
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub kind: &'static str,
    pub label: String,
    pub held: bool,
}

/// How a line between two nodes stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireState {
    Normal,
    /// Slower, lossier or jumpier than the scenario's default.
    Degraded,
    /// Cut in one direction only (streams stall both ways).
    OneWay,
    /// Nothing gets through: cut both ways or across a partition.
    Blocked,
}

impl WireState {
    pub fn class(self) -> &'static str {
        match self {
            WireState::Normal => "",
            WireState::Degraded => "degraded",
            WireState::OneWay => "one-way",
            WireState::Blocked => "blocked",
        }
    }
}

/// A line between two servers, or from a client to its server.
#[derive(Clone, Debug, PartialEq)]
pub struct Wire {
    pub a: NodeId,
    pub b: NodeId,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub client: bool,
    pub state: WireState,
    /// What is special about it, for a label (`40 ms · 2 % loss`).
    pub note: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterData {
    pub servers: Vec<ServerCard>,
    pub clients: Vec<ClientBadge>,
    /// Lines between servers (every pair) and from each client to its
    /// server.
    pub wires: Vec<Wire>,
    pub dots: Vec<Dot>,
    /// Each node's partition side (1-based), if a partition is in force.
    pub sides: Vec<(NodeId, usize)>,
}

/// How the link between `a` and `b` stands, and what to say about it.
pub fn wire_state(net: &Network, a: NodeId, b: NodeId) -> (WireState, String) {
    let (ab, ba) = (net.reachable(a, b), net.reachable(b, a));
    if !ab && !ba {
        return (WireState::Blocked, "cut".into());
    }
    if !ab || !ba {
        let (from, to) = if ab { (b, a) } else { (a, b) };
        return (WireState::OneWay, format!("{} → {} cut", from.0, to.0));
    }
    let spec = net.spec(a, b);
    if spec != net.default || net.spec(b, a) != net.default {
        let mut note = format!("{} ms", spec.latency_us as f64 / 1000.0);
        if spec.jitter_us > 0 {
            note.push_str(&format!(" ± {}", spec.jitter_us as f64 / 1000.0));
        }
        if spec.loss_ppm > 0 {
            note.push_str(&format!(" · {} % loss", spec.loss_ppm as f64 / 10_000.0));
        }
        return (WireState::Degraded, note);
    }
    (WireState::Normal, String::new())
}

pub fn hex(z: u64) -> String {
    format!("0x{z:x}")
}

fn state_class(s: &ServerView) -> &'static str {
    match s.process {
        Process::Crashed | Process::PoweredOff => "down",
        Process::Paused => "paused",
        Process::Up if s.standalone => "leading",
        Process::Up => match s.state {
            Some(ServerState::Leading) => "leading",
            Some(ServerState::Following) => "following",
            Some(ServerState::Observing) => "observing",
            Some(ServerState::Looking) | None => "looking",
        },
    }
}

/// Each node's partition side, 1-based, as the cluster drawing labels it.
pub fn cluster_sides(net: &Network) -> Vec<(NodeId, usize)> {
    net.partition.iter().enumerate().flat_map(|(i, g)| g.iter().map(move |n| (*n, i + 1))).collect()
}

/// Each node's partition side, 0-based by node number, as the network
/// editor's board places it.
pub fn board_sides(net: &Network) -> std::collections::BTreeMap<u32, usize> {
    net.partition.iter().enumerate().flat_map(|(i, g)| g.iter().map(move |n| (n.0, i))).collect()
}

/// A line between every two placed servers, as the network has it.
pub fn server_wires(placed: &Placed, net: &Network) -> Vec<Wire> {
    let mut wires = Vec::new();
    for (i, (a, x1, y1)) in placed.iter().enumerate() {
        for (b, x2, y2) in &placed[i + 1..] {
            let (state, note) = wire_state(net, *a, *b);
            wires.push(Wire { a: *a, b: *b, x1: *x1, y1: *y1, x2: *x2, y2: *y2, client: false, state, note });
        }
    }
    wires
}

/// Nodes placed evenly on a circle, the first at the top.
pub fn ring(ids: impl ExactSizeIterator<Item = NodeId>) -> Placed {
    let n = ids.len().max(1) as f64;
    let (cx, cy, r) = (WIDTH * 0.6, HEIGHT * 0.5, HEIGHT * 0.36);
    ids.enumerate()
        .map(|(i, id)| {
            let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n;
            (id, cx + r * a.cos(), cy + r * a.sin())
        })
        .collect()
}

/// Where a node is drawn.
pub type Placed = Vec<(NodeId, f64, f64)>;

/// Positions: servers on a circle, clients in a column on the left.
fn positions(model: &Model) -> (Placed, Placed) {
    let servers = ring(model.servers.keys().copied());
    let m = model.clients.len().max(1) as f64;
    let clients = model
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.node, WIDTH * 0.09, HEIGHT * (i as f64 + 1.0) / (m + 1.0)))
        .collect();
    (servers, clients)
}

pub fn cluster(model: &Model, now: Instant, net: &Network) -> ClusterData {
    let (sp, cp) = positions(model);
    let at = |n: NodeId| sp.iter().chain(cp.iter()).find(|(id, _, _)| *id == n).map(|(_, x, y)| (*x, *y));
    let servers = sp
        .iter()
        .filter_map(|(id, x, y)| {
            let s = model.servers.get(id)?;
            // While looking, what it votes for; after, whom it follows.
            let vote = match (s.state, s.vote, s.leader) {
                (Some(ServerState::Looking), Some(v), _) if s.is_up() => {
                    format!("votes {} (0x{:x}, e{})", v.leader, v.zxid, v.peer_epoch)
                }
                (Some(ServerState::Following | ServerState::Observing), _, Some(l)) if s.is_up() => {
                    format!("leader {l}")
                }
                _ => String::new(),
            };
            Some(ServerCard {
                id: *id,
                x: *x,
                y: *y,
                state: s.state_name().to_string(),
                class: state_class(s),
                detail: format!("epoch {}", s.current_epoch),
                last_zxid: hex(s.last_applied),
                committed: hex(s.last_committed),
                vote,
                process: s.process,
                observer: s.observer,
            })
        })
        .collect();
    let clients: Vec<ClientBadge> = cp
        .iter()
        .zip(&model.clients)
        .map(|((node, x, y), c)| ClientBadge {
            node: *node,
            name: c.name.clone(),
            x: *x,
            y: *y,
            state: c.state.name().to_string(),
            server: c.server,
            connected: c.state.is_connected(),
        })
        .collect();
    let mut wires = server_wires(&sp, net);
    for (c, (node, _, _)) in clients.iter().zip(&cp) {
        if let Some(server) = c.server {
            if let Some((x, y)) = at(server) {
                let (state, note) = wire_state(net, *node, server);
                wires.push(Wire { a: *node, b: server, x1: c.x, y1: c.y, x2: x, y2: y, client: true, state, note });
            }
        }
    }
    let sides = cluster_sides(net);
    let dots = model
        .messages
        .positions(now)
        .into_iter()
        .filter_map(|(m, f)| {
            let (x1, y1) = at(m.from)?;
            let (x2, y2) = at(m.to)?;
            Some(Dot {
                x: x1 + (x2 - x1) * f,
                y: y1 + (y2 - y1) * f,
                kind: m.kind.name(),
                label: m.label.clone(),
                held: m.arrive.is_none(),
            })
        })
        .collect();
    ClusterData { servers, clients, wires, dots, sides }
}

/// The space-time diagram's geometry: lanes this tall, names to the left
/// of `ST_LEFT`, the whole `ST_WIDTH` wide.
pub const LANE_H: f64 = 34.0;
pub const ST_LEFT: f64 = 90.0;
pub const ST_WIDTH: f64 = 1000.0;
/// At most this many arrows are drawn (the newest).
const ST_ARROWS: usize = 1500;

#[derive(Clone, Debug, PartialEq)]
pub struct StArrow {
    pub id: u64,
    pub kind: &'static str,
    pub label: String,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub in_flight: bool,
    /// Its connection closed before it arrived.
    pub lost: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StMark {
    pub x: f64,
    pub class: &'static str,
    pub label: String,
}

/// The message the user clicked, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct StSelected {
    pub id: u64,
    pub label: String,
    pub from: String,
    pub to: String,
    pub sent: String,
    pub arrived: String,
    pub detail: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpaceTime {
    pub lanes: Vec<(NodeId, String)>,
    pub start_us: u64,
    pub end_us: u64,
    pub arrows: Vec<StArrow>,
    pub marks: Vec<StMark>,
    pub now_x: Option<f64>,
    pub selected: Option<StSelected>,
}

/// The diagram for the window `[start, end]` at `now`.
pub fn spacetime(model: &Model, start: Instant, end: Instant, now: Instant, hide_pings: bool, selected: Option<u64>) -> SpaceTime {
    use crate::model::messages::Kind;
    let mut lanes: Vec<(NodeId, String)> = model.servers.keys().map(|id| (*id, format!("server {}", id.0))).collect();
    lanes.extend(model.clients.iter().map(|c| (c.node, format!("client {}", c.name))));
    let lane = |n: NodeId| lanes.iter().position(|(id, _)| *id == n);
    let span = end.0.saturating_sub(start.0).max(1) as f64;
    let x = |t: Instant| ST_LEFT + (t.0.saturating_sub(start.0) as f64 / span).min(1.0) * (ST_WIDTH - ST_LEFT);
    let y = |i: usize| 20.0 + i as f64 * LANE_H + LANE_H / 2.0;
    let name = |n: NodeId| lane(n).map_or_else(|| format!("node {}", n.0), |i| lanes[i].1.clone());
    let mut arrows: Vec<StArrow> = model
        .messages
        .history
        .iter()
        .rev()
        .filter(|a| !(hide_pings && a.kind == Kind::Ping))
        .filter(|a| a.sent <= end && a.sent <= now && a.delivered.or(a.lost).unwrap_or(now) >= start)
        .filter_map(|a| {
            let (from, to) = (lane(a.from)?, lane(a.to)?);
            let arrived = a.delivered.filter(|d| *d <= now);
            let lost = a.lost.filter(|l| *l <= now && arrived.is_none());
            let (y1, y2) = (y(from), y(to));
            // A lost message stops a third of the way, where it died.
            let (x2, y2) = match lost {
                Some(l) => (x(l.min(end)), y1 + (y2 - y1) / 3.0),
                None => (x(arrived.unwrap_or(now).min(end)), y2),
            };
            Some(StArrow {
                id: a.id,
                kind: a.kind.name(),
                label: format!(
                    "{} · {} → {}{}",
                    a.label,
                    name(a.from),
                    name(a.to),
                    if lost.is_some() { " (lost: its connection closed)" } else { "" }
                ),
                x1: x(a.sent.max(start)),
                y1,
                x2,
                y2,
                in_flight: arrived.is_none() && lost.is_none(),
                lost: lost.is_some(),
            })
        })
        .take(ST_ARROWS)
        .collect();
    arrows.reverse();
    let marks = model
        .timeline
        .marks
        .iter()
        .filter(|m| m.at >= start && m.at <= end)
        .map(|m| StMark {
            x: x(m.at),
            class: match m.kind {
                crate::model::timeline::MarkKind::Fault => "fault",
                crate::model::timeline::MarkKind::Election => "election",
            },
            label: m.label.clone(),
        })
        .collect();
    let selected = selected.and_then(|id| model.messages.arrow(id)).map(|a| StSelected {
        id: a.id,
        label: a.label.clone(),
        from: name(a.from),
        to: name(a.to),
        sent: a.sent.to_string(),
        arrived: match (a.delivered, a.lost) {
            (Some(d), _) if d <= now => format!("delivered {d} ({} later)", d.saturating_since(a.sent)),
            (_, Some(l)) if l <= now => format!("lost at {l}: its connection closed"),
            _ => "not delivered yet".to_string(),
        },
        detail: a.detail.clone(),
    });
    let now_x = (now >= start && now <= end).then(|| x(now));
    SpaceTime { lanes, start_us: start.0, end_us: end.0, arrows, marks, now_x, selected }
}

fn badge(model: &Model, kind: EphemeralKind) -> Option<String> {
    match kind {
        EphemeralKind::Normal(s) => Some(match model.client_of_session(s) {
            Some(c) => format!("ephemeral · client {c}"),
            None => format!("ephemeral · 0x{s:x}"),
        }),
        EphemeralKind::Container => Some("container".to_string()),
        EphemeralKind::Ttl(ms) => Some(format!("ttl {ms} ms")),
        EphemeralKind::Void => None,
    }
}

fn row(model: &Model, path: &str, node: &znode::DataNode) -> TreeRow {
    let depth = if path == "/" { 0 } else { path.matches('/').count() };
    let name = if path == "/" { "/".to_string() } else { znode::path::child_name(path).to_string() };
    TreeRow {
        path: path.to_string(),
        name,
        depth,
        children: node.children.len(),
        badge: badge(model, node.kind()),
        diff: None,
    }
}

/// A replica's tree as rows, depth-first in path order.
pub fn tree_rows(model: &Model, tree: &DataTree) -> Vec<TreeRow> {
    tree.iter().map(|(path, node)| row(model, path, node)).collect()
}

/// The replica of `here` next to the one of `there`: every path of either,
/// marked where they differ, with why.
pub fn tree_diff_rows(model: &Model, here: NodeId, there: NodeId) -> Vec<TreeRow> {
    let (Some(a), Some(b)) = (model.replicas.tree(here), model.replicas.tree(there)) else { return Vec::new() };
    let last = |n: NodeId| model.servers.get(&n).map_or(0, |s| s.last_applied);
    let (la, lb) = (last(here), last(there));
    let mut paths: std::collections::BTreeSet<&String> = a.iter().map(|(p, _)| p).collect();
    paths.extend(b.iter().map(|(p, _)| p));
    paths
        .into_iter()
        .filter_map(|p| {
            let (na, nb) = (a.node(p), b.node(p));
            let mut r = row(model, p, na.or(nb)?);
            r.diff = match (na, nb) {
                (Some(_), None) if la > lb => Some(format!("not on server {there} yet: it is at {}", hex(lb))),
                (Some(_), None) => Some(format!("not on server {there}: not in its history (uncommitted here?)")),
                (None, Some(n)) if n.stat.czxid > la => {
                    Some(format!("missing here: created at {}, this replica is at {}", hex(n.stat.czxid), hex(la)))
                }
                (None, Some(_)) => {
                    Some(format!("missing here: deleted here, or server {there} holds what was never committed"))
                }
                (Some(x), Some(y)) if x.data != y.data || x.stat.version != y.stat.version => {
                    if y.stat.mzxid > la {
                        Some(format!(
                            "behind: changed at {} on server {there}, this replica is at {}",
                            hex(y.stat.mzxid),
                            hex(la)
                        ))
                    } else if x.stat.mzxid > lb {
                        Some(format!("server {there} is behind: changed here at {}", hex(x.stat.mzxid)))
                    } else {
                        Some("the data differ".to_string())
                    }
                }
                _ => None,
            };
            Some(r)
        })
        .collect()
}

/// What the detail panel shows for `path` on a replica: the Stat and ACL
/// exactly as `stat` and `getAcl` print them.
pub fn node_detail(model: &Model, tree: &DataTree, path: &str) -> Option<NodeDetailData> {
    let node = tree.node(path)?;
    let stat = zkcli::stat_lines(&node.client_stat());
    let acl = node.acl.iter().flat_map(zkcli::acl_entry_lines).collect();
    let data = match &node.data {
        None => "null".to_string(),
        Some(d) => match std::str::from_utf8(d) {
            Ok(text) if text.chars().count() <= 4096 => text.to_string(),
            Ok(text) => format!("{}… ({} bytes)", text.chars().take(4096).collect::<String>(), d.len()),
            Err(_) => format!("({} bytes of binary data)", d.len()),
        },
    };
    let kind = match node.kind() {
        EphemeralKind::Normal(o) => match model.client_of_session(o) {
            Some(c) => format!("Ephemeral, owned by session 0x{o:x} (client {c})"),
            None => format!("Ephemeral, owned by session 0x{o:x}"),
        },
        EphemeralKind::Container => "Container: the server deletes it once its last child goes".to_string(),
        EphemeralKind::Ttl(ms) => format!("TTL node: deleted once childless and unchanged for {ms} ms"),
        EphemeralKind::Void => "Persistent".to_string(),
    };
    Some(NodeDetailData { path: path.to_string(), stat, acl, data, kind })
}

/// A one-line explanation of what the cluster is doing now, for newcomers.
pub fn headline(model: &Model) -> String {
    let up: Vec<&ServerView> = model.servers.values().filter(|s| s.is_up()).collect();
    if model.servers.len() == 1 {
        return match up.first() {
            Some(s) if s.serving => "One standalone server is serving its clients.".to_string(),
            Some(_) => "The standalone server is starting.".to_string(),
            None => "The only server is down: clients wait and retry.".to_string(),
        };
    }
    match model.leader() {
        Some(l) => {
            let epoch = model.servers.get(&l).map_or(0, |s| s.current_epoch);
            let synced = up.iter().filter(|s| s.serving && s.id != l).count();
            format!(
                "Server {l} leads epoch {epoch}; {synced} of {} other servers follow it. Writes go through the leader and commit once a majority has logged them.",
                model.servers.len() - 1
            )
        }
        None if up.iter().any(|s| s.state == Some(ServerState::Leading)) => {
            let l = up.iter().find(|s| s.state == Some(ServerState::Leading)).map_or(0, |s| s.id.0);
            format!(
                "Server {l} won the election: it is agreeing on a new epoch with its followers and bringing them up to date before it serves."
            )
        }
        None if up.iter().any(|s| s.state == Some(ServerState::Looking)) => {
            "No leader: the servers that are up are LOOKING, voting for the one with the newest history (epoch, zxid, then id). Nothing can be written until a majority agrees.".to_string()
        }
        None => "The servers are starting.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::player::Player;
    use actor::Duration;
    use sim::zk::{Hosting, Scenario};

    #[test]
    fn the_cluster_view_shows_a_leader_and_followers_and_explains() {
        let mut p = Player::new(Scenario::ensemble(1, 5, &["a", "b"], 5_000), Hosting::InProcess).expect("player");
        p.run_to(Instant::ZERO + Duration::from_millis(100)).expect("runs");
        let early = cluster(&p.model, p.now(), p.run.world.network());
        assert!(early.servers.iter().all(|s| s.state == "LOOKING"), "{:?}", early.servers);
        assert!(!early.dots.is_empty() || p.model.messages.sent.values().sum::<u64>() > 0, "votes fly");
        assert!(headline(&p.model).starts_with("No leader"));
        p.run_to(Instant::ZERO + Duration::from_millis(3_000)).expect("runs");
        let c = cluster(&p.model, p.now(), p.run.world.network());
        let states: Vec<&str> = c.servers.iter().map(|s| s.state.as_str()).collect();
        assert_eq!(states, vec!["FOLLOWING", "FOLLOWING", "FOLLOWING", "FOLLOWING", "LEADING"]);
        assert!(headline(&p.model).starts_with("Server 5 leads epoch 1"));
        assert_eq!(c.clients.len(), 2);
        assert!(c.clients.iter().all(|b| b.connected && b.server.is_some()));
    }

    #[test]
    fn a_replica_behind_is_explained_in_the_diff() {
        let mut s = Scenario::ensemble(2, 3, &["a"], 20_000);
        s.clients[0].connect = vec![3];
        let mut p = Player::new(s, Hosting::InProcess).expect("player");
        p.run_to(Instant::ZERO + Duration::from_millis(2_000)).expect("runs");
        p.fault(sim::Fault::Pause { node: NodeId(1) }).expect("fault");
        p.console(0, "create /late x").expect("typed");
        p.run_to(Instant::ZERO + Duration::from_millis(3_000)).expect("runs");
        let rows = tree_diff_rows(&p.model, NodeId(1), NodeId(3));
        let late = rows.iter().find(|r| r.path == "/late").expect("the new node is listed");
        assert!(late.diff.as_deref().is_some_and(|d| d.starts_with("missing here: created at")), "{late:?}");
        assert!(rows.iter().filter(|r| r.path != "/late").all(|r| r.diff.is_none()));
    }
}
