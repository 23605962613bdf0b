//! The page's state, in one place: a reducer over the world's trace. It
//! knows each server (state, epochs, vote, log, votes received, sessions,
//! four-letter answers), every replica's tree, each client's console and
//! connection, the watches, the messages in flight and the timeline's
//! marks. Nothing here touches the DOM or a clock, so it is tested
//! natively.

pub mod clients;
pub mod messages;
pub mod replicas;
pub mod servers;
pub mod timeline;
pub mod watches;

use actor::{Instant, NodeId};
use clients::ClientView;
use messages::Messages;
use replicas::Replicas;
use servers::ServerView;
use sim::zk::Scenario;
use sim::{Entry, Fault, Record};
use std::collections::BTreeMap;
use timeline::{Mark, MarkKind, Timeline};
use watches::{Delivered, Watches};
use zab::quorum::packet::{ElectionMsg, QuorumPacket};
use zab::server::ServerWrite;
use zab::{ServerEvent, Zk, ZkEvent, ZkMsg};
use znode::Zxid;

/// How many transactions' descriptions are kept for labels.
const TXN_LABELS: usize = 5000;

/// Everything the page shows, folded from the trace.
pub struct Model {
    pub servers: BTreeMap<NodeId, ServerView>,
    pub replicas: Replicas,
    pub clients: Vec<ClientView>,
    pub watches: Watches,
    pub messages: Messages,
    pub timeline: Timeline,
    /// Descriptions of recent transactions by zxid.
    pub txns: BTreeMap<Zxid, String>,
    /// The time of the last entry seen.
    pub now: Instant,
    pub entries: u64,
    /// Bumped on every change, so views know when to redraw.
    pub version: u64,
}

impl Model {
    pub fn new(s: &Scenario) -> Self {
        let standalone = s.servers.len() == 1;
        let servers: BTreeMap<NodeId, ServerView> = s
            .servers
            .iter()
            .map(|sp| (NodeId(sp.id), ServerView::new(NodeId(sp.id), sp.observer, standalone)))
            .collect();
        let ids: Vec<NodeId> = servers.keys().copied().collect();
        Model {
            replicas: Replicas::new(&ids, s.config.bugs.zookeeper_1549),
            servers,
            clients: s
                .clients
                .iter()
                .enumerate()
                .map(|(i, c)| ClientView::new(&c.name, sim::zk::scenario::client_node(i)))
                .collect(),
            watches: Watches::default(),
            messages: Messages::default(),
            timeline: Timeline::default(),
            txns: BTreeMap::new(),
            now: Instant::ZERO,
            entries: 0,
            version: 0,
        }
    }

    /// The server leading an established epoch now, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.servers
            .values()
            .filter(|s| s.is_up() && s.serving && s.state == Some(zab::quorum::packet::ServerState::Leading))
            .map(|s| s.id)
            .max_by_key(|id| self.servers.get(id).map_or(0, |s| s.current_epoch))
    }

    /// The client whose session this is, for labels.
    pub fn client_of_session(&self, session: u64) -> Option<&str> {
        self.clients.iter().find(|c| c.session == Some(session)).map(|c| c.name.as_str())
    }

    pub fn client_index(&self, node: NodeId) -> Option<usize> {
        self.clients.iter().position(|c| c.node == node)
    }

    /// Fold entries of the trace in.
    pub fn apply(&mut self, entries: &[Entry<Zk>]) {
        for e in entries {
            self.entry(e);
        }
        if !entries.is_empty() {
            self.messages.expire(self.now);
            self.version += 1;
        }
    }

    fn entry(&mut self, e: &Entry<Zk>) {
        self.entries += 1;
        self.now = self.now.max(e.at);
        let at = e.at;
        match &e.what {
            Record::Boot { node } => {
                if let Some(s) = self.servers.get_mut(node) {
                    s.booted_now();
                }
            }
            Record::Fault { fault } => self.fault(at, fault),
            Record::Write { node, write } => {
                self.replicas.write(*node, write);
                if let Some(s) = self.servers.get_mut(node) {
                    match write {
                        ServerWrite::Txn(t) => s.logged(t),
                        ServerWrite::Truncate(z) => s.truncated(*z),
                        _ => {}
                    }
                }
            }
            Record::Sync { node, token } => self.replicas.sync(*node, *token),
            Record::Synced { node, token } => self.replicas.synced(*node, *token),
            Record::Send { conn, from, to, msg, arrive } => self.messages.sent(at, *conn, *from, *to, msg, *arrive),
            Record::Deliver { conn, from, to, msg } => {
                self.messages.delivered(at, *conn, *from);
                match msg {
                    ZkMsg::Election(ElectionMsg::Notification(n)) => {
                        if let Some(s) = self.servers.get_mut(to) {
                            s.vote_received(at, n, u64::from(from.0));
                        }
                    }
                    ZkMsg::Quorum(QuorumPacket::Snap(snap)) => self.replicas.snapshot_arrived(*to, snap),
                    _ => {}
                }
            }
            Record::Drop { .. } => self.messages.dropped += 1,
            Record::Closed { conn, .. } => self.messages.closed(at, *conn),
            Record::Emit { node, event: ZkEvent::Server(ev) } => self.server_event(at, *node, ev),
            Record::Emit { node, event: ZkEvent::Client(ev) } => {
                if let Some(i) = self.client_index(*node) {
                    self.clients[i].on_event(ev);
                }
            }
            Record::Emit { node, event: ZkEvent::Console(line) } => {
                let Some(i) = self.client_index(*node) else { return };
                if let Some(answer) = self.clients[i].console(line) {
                    let server = NodeId(answer.port.saturating_sub(2180));
                    if let Some(s) = self.servers.get_mut(&server) {
                        s.four_letter.insert(answer.word, (at, answer.lines));
                    }
                }
            }
            _ => {}
        }
    }

    fn fault(&mut self, at: Instant, f: &Fault) {
        let node = match f {
            Fault::Crash { node }
            | Fault::PowerOff { node, .. }
            | Fault::Pause { node }
            | Fault::Resume { node }
            | Fault::Restart { node } => Some(*node),
            _ => None,
        };
        if let Some(n) = node {
            if let Some(s) = self.servers.get_mut(&n) {
                s.fault(f);
            }
        }
        match f {
            Fault::Crash { node } => self.replicas.crashed(*node, false),
            Fault::PowerOff { node, lose_unsynced } => self.replicas.crashed(*node, *lose_unsynced),
            _ => {}
        }
        self.timeline.mark(Mark { at, kind: MarkKind::Fault, label: f.label(), node });
    }

    fn server_event(&mut self, at: Instant, node: NodeId, ev: &ServerEvent) {
        if let Some(s) = self.servers.get_mut(&node) {
            s.on_event(ev);
        }
        match ev {
            ServerEvent::Booted { .. } => self.replicas.booted(node),
            ServerEvent::Applied { txn, .. } => {
                self.replicas.apply(node, txn);
                self.txns.entry(txn.header.zxid).or_insert_with(|| servers::describe_txn(txn));
                while self.txns.len() > TXN_LABELS {
                    self.txns.pop_first();
                }
            }
            ServerEvent::SyncMode { mode, zxid, .. } => self.replicas.sync_mode(node, mode, *zxid),
            ServerEvent::Established { epoch } => self.timeline.mark(Mark {
                at,
                kind: MarkKind::Election,
                label: format!("server {node} leads epoch {epoch}"),
                node: Some(node),
            }),
            ServerEvent::WatchAdded { session, path, kind } => self.watches.added(at, node, *session, path, kind),
            ServerEvent::WatchRemoved { session, path, kind } => self.watches.removed(*session, path, *kind),
            ServerEvent::Notified { session, event, zxid } => self.watches.notified(Delivered {
                at,
                server: node,
                session: *session,
                event: event.clone(),
                zxid: *zxid,
                txn: self.txns.get(zxid).cloned(),
            }),
            ServerEvent::SessionClosed { session } | ServerEvent::SessionExpired { session } => {
                self.watches.session_gone(*session)
            }
            _ => {}
        }
    }
}
