//! What the views show, computed from the model: plain data, tested
//! natively.

use crate::components::node_detail::NodeDetailData;
use crate::components::tree::TreeRow;
use crate::model::servers::{Process, ServerView};
use crate::model::Model;
use actor::{Instant, NodeId};
use zab::quorum::packet::ServerState;
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
    pub epoch: u64,
    pub last_zxid: String,
    pub committed: String,
    pub vote: String,
    pub process: Process,
    pub observer: bool,
}

/// A client as the cluster view draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientBadge {
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

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterData {
    pub servers: Vec<ServerCard>,
    pub clients: Vec<ClientBadge>,
    /// Lines between servers (every pair) and from each client to its
    /// server: (x1, y1, x2, y2, is a client's).
    pub wires: Vec<(f64, f64, f64, f64, bool)>,
    pub dots: Vec<Dot>,
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

/// Where a node is drawn.
type Placed = Vec<(NodeId, f64, f64)>;

/// Positions: servers on a circle, clients in a column on the left.
fn positions(model: &Model) -> (Placed, Placed) {
    let n = model.servers.len().max(1) as f64;
    let (cx, cy, r) = (WIDTH * 0.6, HEIGHT * 0.5, HEIGHT * 0.36);
    let servers = model
        .servers
        .keys()
        .enumerate()
        .map(|(i, id)| {
            let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n;
            (*id, cx + r * a.cos(), cy + r * a.sin())
        })
        .collect();
    let m = model.clients.len().max(1) as f64;
    let clients = model
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.node, WIDTH * 0.09, HEIGHT * (i as f64 + 1.0) / (m + 1.0)))
        .collect();
    (servers, clients)
}

pub fn cluster(model: &Model, now: Instant) -> ClusterData {
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
                epoch: s.current_epoch,
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
        .map(|((_, x, y), c)| ClientBadge {
            name: c.name.clone(),
            x: *x,
            y: *y,
            state: c.state.name().to_string(),
            server: c.server,
            connected: c.state.is_connected(),
        })
        .collect();
    let mut wires = Vec::new();
    for (i, (_, x1, y1)) in sp.iter().enumerate() {
        for (_, x2, y2) in &sp[i + 1..] {
            wires.push((*x1, *y1, *x2, *y2, false));
        }
    }
    for c in &clients {
        if let Some((x, y)) = c.server.and_then(at) {
            wires.push((c.x, c.y, x, y, true));
        }
    }
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
    ClusterData { servers, clients, wires, dots }
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
        let early = cluster(&p.model, p.now());
        assert!(early.servers.iter().all(|s| s.state == "LOOKING"), "{:?}", early.servers);
        assert!(!early.dots.is_empty() || p.model.messages.sent.values().sum::<u64>() > 0, "votes fly");
        assert!(headline(&p.model).starts_with("No leader"));
        p.run_to(Instant::ZERO + Duration::from_millis(3_000)).expect("runs");
        let c = cluster(&p.model, p.now());
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
