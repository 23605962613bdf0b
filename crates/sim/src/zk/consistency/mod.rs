//! The consistency checker: ZooKeeper's client guarantees (PROTOCOL.md §7)
//! checked on the client history a trace holds — what clients invoked,
//! what came back with which reply zxid, the watch events they got — plus
//! the servers' epochs, to tell a ZOOKEEPER-1675 stale sync from a broken
//! one. Like the invariant checker it reads only the trace, so it runs
//! live on the page, on every scenario run and offline on an exported
//! trace (`zooscope check`).
//!
//! Checked, with the smallest counterexample for each violation:
//!
//! - writes are linearizable: a write invoked after another completed gets
//!   a greater zxid, and no two writes get the same one;
//! - a session's reply zxid never goes back, even across servers, and a
//!   read never shows a node older than the session's own completed write;
//! - replies come in request order on a session;
//! - a read issued after a successful `sync` on the same connection
//!   reflects every write completed before the sync was issued — unless a
//!   leader was established in between, or the missed write belongs to an
//!   epoch newer than the one the server serves: then it is counted as
//!   allowed by ZOOKEEPER-1675 (sync is not a quorum operation);
//! - a read's data is the data of the write whose zxid is its mzxid;
//! - a data watch's event comes before any reply showing a newer version
//!   of the watched node.
//!
//! Reads without a sync may be stale — that is ZooKeeper's contract — and
//! are counted as stale by how many completed writes they missed.
//!
//! Each entry costs a few map look-ups: O(log n), plus, for a read, a look
//! at the writes completed while it was in flight.

mod checks;
mod client;
pub mod history;
pub mod report;
mod writes;

#[cfg(test)]
mod tests;

pub use history::OpRef;
pub use report::{ClientTally, ConsistencyReport, OpClass, OpNote, Violation, ViolationKind};

use crate::fault::Fault;
use crate::trace::{Entry, Record};
use actor::{Instant, NodeId};
use client::{Pending, Track};
use std::collections::BTreeMap;
use writes::WriteBook;
use zab::quorum::packet::ServerState;
use zab::{ClientEvent, ServerEvent, Zk, ZkEvent};
use znode::{EventType, KeeperState, Request, Zxid};

/// How many violations are kept in full (the rest are only counted).
const KEPT: usize = 100;

/// A server, as far as explaining a wait and judging a sync goes.
#[derive(Clone, Copy, Debug, Default)]
struct ServerView {
    up: bool,
    paused: bool,
    state: Option<ServerState>,
    read_only: bool,
    /// The epoch it serves in (established as leader, or synced with one).
    epoch: Option<u64>,
}

/// A read whose node version belongs to a write not completed yet: its data
/// is compared when that write's answer arrives.
#[derive(Clone, Debug)]
struct AwaitingRead {
    path: String,
    data: u64,
    op: OpRef,
}

/// The consistency checker of one history.
#[derive(Clone, Debug, Default)]
pub struct ConsistencyChecker {
    report: ConsistencyReport,
    clients: BTreeMap<NodeId, Track>,
    servers: BTreeMap<NodeId, ServerView>,
    book: WriteBook,
    awaiting: BTreeMap<Zxid, Vec<AwaitingRead>>,
    /// Leaders established so far (any epoch).
    epochs: u64,
}

impl ConsistencyChecker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Give a client node a name for reports (else its node id is used).
    pub fn name_client(&mut self, node: NodeId, name: &str) {
        self.track(node).name = name.to_string();
        if let Some(t) = self.report.clients.get_mut(&node) {
            t.name = name.to_string();
        }
    }

    /// What was found so far.
    pub fn report(&self) -> &ConsistencyReport {
        &self.report
    }

    pub fn ok(&self) -> bool {
        self.report.ok()
    }

    /// Each client's oldest operation still waiting at `now`, with why.
    pub fn waiting(&self, now: Instant) -> Vec<OpNote> {
        let mut out = Vec::new();
        for t in self.clients.values() {
            let Some(p) = t.oldest_pending() else { continue };
            let waited = now.saturating_since(p.invoked).as_micros() as f64 / 1e6;
            let text = format!("{} waiting {waited:.1} s: {}", p.what(), self.why_waiting(t));
            out.push(OpNote { op: t.op_ref(p, t.server, None), class: OpClass::Waiting, text });
        }
        out
    }

    fn why_waiting(&self, t: &Track) -> String {
        let Some(n) = t.server else { return "the client has no server yet".into() };
        if let Some(s) = t.state.filter(|s| !s.is_connected()) {
            return format!("the client is {} (server {n})", s.name());
        }
        match self.servers.get(&n) {
            Some(v) if !v.up => format!("server {n} is down"),
            Some(v) if v.paused => format!("server {n} is paused"),
            Some(v) if v.read_only => format!("server {n} is read-only"),
            Some(v) if v.state == Some(ServerState::Looking) => format!("server {n} has no leader"),
            _ => format!("server {n} has not answered yet"),
        }
    }

    fn track(&mut self, node: NodeId) -> &mut Track {
        self.clients.entry(node).or_insert_with(|| Track::new(node, node.to_string()))
    }

    fn tally(&mut self, node: NodeId) -> &mut ClientTally {
        let name = self.clients.get(&node).map_or_else(|| node.to_string(), |t| t.name.clone());
        self.report.clients.entry(node).or_insert_with(|| ClientTally { name, ..ClientTally::default() })
    }

    /// Look at one entry of the trace.
    pub fn observe(&mut self, e: &Entry<Zk>) {
        self.report.now = self.report.now.max(e.at);
        match &e.what {
            Record::Boot { node } => self.booted(e.at, *node),
            Record::Fault { fault } => self.fault(fault),
            Record::Emit { node, event: ZkEvent::Server(ev) } => self.server_event(*node, ev),
            Record::Emit { node, event: ZkEvent::Client(ev) } => self.client_event(e.at, *node, ev),
            _ => {}
        }
    }

    fn booted(&mut self, at: Instant, node: NodeId) {
        if self.clients.contains_key(&node) {
            self.client_restarted(at, node);
        } else if let Some(v) = self.servers.get_mut(&node) {
            *v = ServerView { up: true, ..ServerView::default() };
        }
    }

    fn fault(&mut self, f: &Fault) {
        let (node, up, paused) = match f {
            Fault::Crash { node } | Fault::PowerOff { node, .. } => (*node, Some(false), None),
            Fault::Pause { node } => (*node, None, Some(true)),
            Fault::Resume { node } => (*node, None, Some(false)),
            _ => return,
        };
        if let Some(v) = self.servers.get_mut(&node) {
            if let Some(u) = up {
                v.up = u;
                v.state = None;
            }
            if let Some(p) = paused {
                v.paused = p;
            }
        }
    }

    fn server_event(&mut self, node: NodeId, ev: &ServerEvent) {
        let v = self.servers.entry(node).or_insert(ServerView { up: true, ..ServerView::default() });
        match ev {
            ServerEvent::Booted { .. } => *v = ServerView { up: true, ..ServerView::default() },
            ServerEvent::PeerState { state, .. } => v.state = Some(*state),
            ServerEvent::ReadOnly { serving } => v.read_only = *serving,
            ServerEvent::Serving { epoch, .. } => v.epoch = Some(*epoch),
            ServerEvent::Established { epoch } => {
                v.epoch = Some(*epoch);
                self.epochs += 1;
            }
            _ => {}
        }
    }

    fn client_event(&mut self, at: Instant, node: NodeId, ev: &ClientEvent) {
        match ev {
            ClientEvent::State { state, server } => {
                let t = self.track(node);
                t.state = Some(*state);
                t.server = server.or(t.server);
                t.conn += 1;
            }
            ClientEvent::Session { id, .. } => {
                let t = self.track(node);
                if t.session != *id {
                    t.new_session(*id);
                } else {
                    t.conn += 1;
                }
            }
            ClientEvent::Invoked { tag, req } => self.invoked(at, node, *tag, req),
            ClientEvent::Result { tag, result, zxid } => self.result(at, node, *tag, result, *zxid),
            ClientEvent::Watch(w) => {
                let t = self.track(node);
                match (&w.path, w.kind) {
                    (Some(p), EventType::NodeDataChanged | EventType::NodeDeleted | EventType::NodeCreated) => {
                        t.watches.remove(p);
                    }
                    (Some(p), EventType::DataWatchRemoved) => {
                        t.watches.remove(p);
                    }
                    (None, EventType::None)
                        if matches!(w.state, KeeperState::Expired | KeeperState::Closed | KeeperState::AuthFailed) =>
                    {
                        t.watches.clear();
                    }
                    _ => {}
                }
            }
        }
    }

    fn invoked(&mut self, at: Instant, node: NodeId, tag: u64, req: &Request) {
        let (writes_before, epochs_before) = (self.book.len(), self.epochs);
        let t = self.track(node);
        let seq = t.next_seq;
        t.next_seq += 1;
        let p = Pending {
            tag,
            seq,
            kind: history::kind_of(req),
            shape: history::shape_of(req),
            label: history::label(req),
            path: req.path().map(str::to_string),
            data: history::written_data(req),
            watch: history::sets_data_watch(req),
            invoked: at,
            server: t.server,
            writes_before,
            epochs_before,
        };
        let kind = p.kind;
        if let Some(old) = t.pending.insert(tag, p) {
            // A tag reused while in flight: the old call is forgotten.
            t.order.remove(&old.seq);
        }
        t.order.insert(seq, tag);
        let tally = self.tally(node);
        match kind {
            history::OpKind::Write => tally.writes_waiting += 1,
            history::OpKind::Read => tally.reads_waiting += 1,
            _ => {}
        }
    }

    /// Report a violation that `node`'s operation completes.
    fn flag(&mut self, node: NodeId, v: Violation) {
        self.report.total_violations += 1;
        self.tally(node).violations += 1;
        if self.report.violations.len() < KEPT {
            self.report.violations.push(v);
        }
    }
}
