//! The invariant checker (PROTOCOL.md §13). It reads a run's trace as it
//! happens and reports every broken invariant with when, where and which.
//! Every scenario run carries one; a campaign fails on its first report.
//!
//! It knows only what the trace shows — sends, deliveries, disk writes and
//! syncs, faults and what servers and clients report — never a node's
//! memory, so a server that lies about itself is caught by what it did.

pub mod history;

use crate::disk::Disk;
use crate::fault::Fault;
use crate::trace::{Entry, Record};
use actor::{ConnId, Instant, NodeId};
use history::HistoryBook;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use zab::quorum::packet::{zxid, QuorumPacket};
use zab::server::history::{HistoryDigest, Loaded};
use zab::server::ServerWrite;
use zab::wire::ServerMsg;
use zab::{ClientEvent, ServerEvent, Zk, ZkEvent, ZkMsg};
use znode::{Code, Zxid};

/// How many violations are kept in full (the rest are only counted).
const KEPT: usize = 100;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub at: Instant,
    /// Its number in PROTOCOL.md §13 (`I5`).
    pub invariant: &'static str,
    pub text: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {:.3} s: {}", self.invariant, self.at.0 as f64 / 1e6, self.text)
    }
}

/// What the checker verified, for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckCounts {
    /// Individual assertions evaluated.
    pub assertions: u64,
    /// Transactions a leader committed.
    pub commits: u64,
    /// Client writes acknowledged as successful.
    pub acked_writes: u64,
    /// Client operations that completed.
    pub ops: u64,
    /// Epochs established.
    pub epochs: u64,
}

/// What a record on a server's disk is, as far as durability goes.
#[derive(Clone, Copy, Debug)]
enum DiskEntry {
    Txn(Zxid),
    Truncate(Zxid),
    Other,
}

/// How one connection's ACKs have gone.
#[derive(Clone, Copy, Debug, Default)]
struct AckOrder {
    newleader_acked: bool,
    last: Zxid,
}

/// One server, as the trace shows it.
#[derive(Clone, Debug, Default)]
struct ServerView {
    up: bool,
    /// The digest and zxid of what its tree has applied.
    history: HistoryDigest,
    applied: Zxid,
    last_logged: Zxid,
    disk: Disk<DiskEntry>,
    synced_seen: usize,
    durable: BTreeSet<Zxid>,
    epochs: Option<(u64, u64)>,
    leading: Option<u64>,
    last_commit: Zxid,
    acks_in: BTreeMap<Zxid, BTreeSet<u64>>,
    acks_out: BTreeMap<ConnId, AckOrder>,
    state: Option<zab::quorum::packet::ServerState>,
}

impl ServerView {
    /// Fold newly durable disk records into the set of durable zxids.
    fn absorb_synced(&mut self) {
        for e in &self.disk.synced[self.synced_seen..] {
            match *e {
                DiskEntry::Txn(z) => {
                    self.durable.insert(z);
                }
                DiskEntry::Truncate(z) => {
                    self.durable.retain(|d| *d <= z);
                }
                DiskEntry::Other => {}
            }
        }
        self.synced_seen = self.disk.synced.len();
    }

    fn unsynced_txns(&self) -> usize {
        self.disk.pending.iter().filter(|e| matches!(e, DiskEntry::Txn(_))).count()
    }
}

/// One client, as the trace shows it.
#[derive(Clone, Debug, Default)]
struct ClientView {
    /// Operations invoked and not yet answered, and whether each writes.
    pending: BTreeMap<u64, (Instant, bool)>,
    /// The zxid of the last successful reply the client received.
    last_reply: Option<Zxid>,
}

/// The checker of one run.
#[derive(Clone, Debug)]
pub struct Checker {
    voters: BTreeSet<u64>,
    /// Whether servers form an ensemble (a standalone server has no leader).
    ensemble: bool,
    servers: BTreeMap<NodeId, ServerView>,
    clients: BTreeMap<NodeId, ClientView>,
    book: HistoryBook,
    established: BTreeMap<u64, NodeId>,
    /// Every zxid a leader committed, and by whom.
    committed: BTreeMap<Zxid, NodeId>,
    violations: Vec<Violation>,
    total: u64,
    pub counts: CheckCounts,
}

fn hex(z: Zxid) -> String {
    format!("0x{z:x}")
}

impl Checker {
    /// A checker for servers `servers` (voters among them) and clients.
    pub fn new(servers: &[NodeId], voters: BTreeSet<u64>, clients: &[NodeId]) -> Self {
        Checker {
            ensemble: servers.len() > 1,
            voters,
            servers: servers.iter().map(|s| (*s, ServerView::default())).collect(),
            clients: clients.iter().map(|c| (*c, ClientView::default())).collect(),
            book: HistoryBook::default(),
            established: BTreeMap::new(),
            committed: BTreeMap::new(),
            violations: Vec::new(),
            total: 0,
            counts: CheckCounts::default(),
        }
    }

    /// The violations so far (the first [`KEPT`] of them).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many violations there were in all.
    pub fn total_violations(&self) -> u64 {
        self.total
    }

    pub fn ok(&self) -> bool {
        self.total == 0
    }

    fn flag(&mut self, at: Instant, invariant: &'static str, text: String) {
        self.total += 1;
        if self.violations.len() < KEPT {
            self.violations.push(Violation { at, invariant, text });
        }
    }

    /// Assert `holds`; when it does not, report it.
    fn check(&mut self, at: Instant, holds: bool, invariant: &'static str, text: impl FnOnce() -> String) {
        self.counts.assertions += 1;
        if !holds {
            self.flag(at, invariant, text());
        }
    }

    /// Look at one entry of the trace.
    pub fn observe(&mut self, e: &Entry<Zk>) {
        let at = e.at;
        match &e.what {
            Record::Boot { node } => {
                if let Some(v) = self.servers.get_mut(node) {
                    v.up = true;
                    v.epochs = None;
                    v.leading = None;
                    v.state = None;
                    v.acks_in.clear();
                    v.acks_out.clear();
                }
            }
            Record::Fault { fault } => self.fault(fault),
            Record::Write { node, write } => self.write(at, *node, write),
            Record::Sync { node, token } => {
                if let Some(v) = self.servers.get_mut(node) {
                    v.disk.begin_sync(*token);
                }
            }
            Record::Synced { node, token } => {
                if let Some(v) = self.servers.get_mut(node) {
                    v.disk.finish_sync(*token);
                    v.absorb_synced();
                }
            }
            Record::Send { conn, from, msg: ZkMsg::Quorum(QuorumPacket::Ack { zxid }), .. } => {
                self.ack_sent(at, *from, *conn, *zxid)
            }
            Record::Deliver { from, to, msg, .. } => self.delivered(*from, *to, msg),
            Record::Emit { node, event: ZkEvent::Server(ev) } => self.server_event(at, *node, ev),
            Record::Emit { node, event: ZkEvent::Client(ev) } => self.client_event(at, *node, ev),
            _ => {}
        }
    }

    fn fault(&mut self, f: &Fault) {
        let (node, lose) = match f {
            Fault::Crash { node } => (*node, false),
            Fault::PowerOff { node, lose_unsynced } => (*node, *lose_unsynced),
            _ => return,
        };
        let Some(v) = self.servers.get_mut(&node) else { return };
        if !v.up {
            return;
        }
        v.up = false;
        v.state = None;
        v.disk.crash(lose);
        v.absorb_synced();
    }

    /// I4: a log's zxids only grow (a TRUNC starts it again lower).
    fn write(&mut self, at: Instant, node: NodeId, w: &ServerWrite) {
        let Some(v) = self.servers.get_mut(&node) else { return };
        let entry = match w {
            ServerWrite::Txn(t) => DiskEntry::Txn(t.header.zxid),
            ServerWrite::Truncate(z) => DiskEntry::Truncate(*z),
            _ => DiskEntry::Other,
        };
        v.disk.write(entry);
        match entry {
            DiskEntry::Txn(z) => {
                let last = v.last_logged;
                v.last_logged = z;
                self.check(at, z > last, "I4", || {
                    format!("server {node} logged {} after {}: a log's zxids must grow", hex(z), hex(last))
                });
            }
            DiskEntry::Truncate(z) => v.last_logged = z,
            DiskEntry::Other => {}
        }
    }

    /// I8: a server ACKs a proposal only once it is on disk, and in zxid
    /// order on a connection; its NEWLEADER ACK only once everything it
    /// logged while syncing is on disk.
    fn ack_sent(&mut self, at: Instant, node: NodeId, conn: ConnId, z: Zxid) {
        let Some(v) = self.servers.get_mut(&node) else { return };
        let order = v.acks_out.entry(conn).or_default();
        if zxid::counter(z) == 0 {
            if order.newleader_acked {
                return; // the ACK of UPTODATE
            }
            order.newleader_acked = true;
            let unsynced = v.unsynced_txns();
            self.check(at, unsynced == 0, "I8", || {
                format!(
                    "server {node} acked NEWLEADER {} with {unsynced} logged transaction(s) not yet on disk",
                    hex(z)
                )
            });
            return;
        }
        let last = order.last;
        order.last = z;
        let durable = v.durable.contains(&z);
        self.check(at, durable, "I8", || format!("server {node} acked {} before it was on disk", hex(z)));
        self.check(at, z > last, "I8", || format!("server {node} acked {} after acking {}", hex(z), hex(last)));
    }

    fn delivered(&mut self, from: NodeId, to: NodeId, msg: &ZkMsg) {
        match msg {
            ZkMsg::Quorum(QuorumPacket::Ack { zxid: z }) if zxid::counter(*z) != 0 => {
                if let Some(v) = self.servers.get_mut(&to) {
                    if *z > v.last_commit {
                        v.acks_in.entry(*z).or_default().insert(u64::from(from.0));
                    }
                }
            }
            ZkMsg::Server(ServerMsg::Reply { zxid: z, err: Code::Ok, .. }) => {
                if let Some(c) = self.clients.get_mut(&to) {
                    c.last_reply = Some(*z);
                }
            }
            _ => {}
        }
    }

    /// A history a server now holds, from a load (boot, SNAP, TRUNC).
    fn loaded(&mut self, at: Instant, node: NodeId, l: &Loaded) {
        let (base_z, base_d) = l.base;
        let mut found = Vec::new();
        if zxid::counter(base_z) != 0 {
            found.extend(self.book.holds(node.0, base_z, base_d));
        }
        let mut before = base_d;
        for &(z, d) in &l.replayed {
            found.extend(self.book.applied(node.0, z, before, d));
            before = d;
        }
        for d in found {
            self.disagreement(at, d);
        }
        if let Some(v) = self.servers.get_mut(&node) {
            let last = l.replayed.last().map_or(base_z, |r| r.0);
            v.history = l.history();
            v.applied = last;
            v.last_logged = v.last_logged.max(last);
        }
    }

    fn disagreement(&mut self, at: Instant, d: history::Disagreement) {
        self.counts.assertions += 1;
        self.flag(
            at,
            "I5",
            format!(
                "servers {} and {} hold different histories up to {} (digests {:016x} and {:016x})",
                d.first.0,
                d.now.0,
                hex(d.zxid),
                d.first.1,
                d.now.1
            ),
        );
    }

    fn server_event(&mut self, at: Instant, node: NodeId, ev: &ServerEvent) {
        match ev {
            ServerEvent::Booted { loaded, .. } => {
                if let Some(v) = self.servers.get_mut(&node) {
                    v.last_logged = 0;
                }
                self.loaded(at, node, loaded);
            }
            ServerEvent::SyncMode { loaded, .. } => self.loaded(at, node, loaded),
            ServerEvent::Applied { txn, history } => {
                let z = txn.header.zxid;
                let Some(v) = self.servers.get_mut(&node) else { return };
                let (before, last) = (v.history, v.applied);
                v.history = *history;
                v.applied = z;
                self.check(at, z > last, "I4", || {
                    format!("server {node} applied {} after {}: applied zxids must grow", hex(z), hex(last))
                });
                if let Some(d) = self.book.applied(node.0, z, before, *history) {
                    self.disagreement(at, d);
                }
            }
            ServerEvent::PeerState { state, accepted_epoch, current_epoch, .. } => {
                let Some(v) = self.servers.get_mut(&node) else { return };
                let before = v.epochs.replace((*accepted_epoch, *current_epoch));
                v.state = Some(*state);
                let (a, c) = (*accepted_epoch, *current_epoch);
                self.check(at, c <= a, "I1", || {
                    format!("server {node} has currentEpoch {c} above its acceptedEpoch {a}")
                });
                if let Some((a0, c0)) = before {
                    self.check(at, a >= a0 && c >= c0, "I1", || {
                        format!("server {node}'s epochs went back from ({a0}, {c0}) to ({a}, {c})")
                    });
                }
            }
            ServerEvent::Established { epoch } => self.established(at, node, *epoch),
            ServerEvent::Proposed { zxid: z } => {
                let leading = self.servers.get(&node).and_then(|v| v.leading);
                let e = zxid::epoch(*z);
                self.check(at, leading == Some(e), "I2", || {
                    format!("server {node} proposed {} without having established epoch {e}", hex(*z))
                });
            }
            ServerEvent::Committed { zxid: z } => self.leader_committed(at, node, *z),
            ServerEvent::CommitIgnored { zxid: z } => self
                .check(at, false, "I10", || format!("server {node} got COMMIT {} with no pending proposal", hex(*z))),
            _ => {}
        }
    }

    /// I2: one established leader per epoch. I6: it holds every transaction
    /// committed in an earlier epoch before it proposes anything. (A leader
    /// of an old epoch can still complete its NEWLEADER quorum late — its
    /// followers' ACKs were genuine — after a newer epoch committed; it can
    /// commit nothing, since they follow the newer leader now.)
    fn established(&mut self, at: Instant, node: NodeId, epoch: u64) {
        self.counts.epochs += 1;
        let before = self.established.insert(epoch, node);
        self.check(at, before.is_none(), "I2", || {
            format!("epoch {epoch} was established twice: by server {} and by server {node}", before.map_or(0, |n| n.0))
        });
        let Some(v) = self.servers.get_mut(&node) else { return };
        v.leading = Some(epoch);
        v.last_commit = 0;
        v.acks_in.clear();
        let history = v.history;
        self.missing_committed(at, node, history, Some(epoch), &format!("when it established epoch {epoch}"));
    }

    /// I6: every committed zxid (of an epoch before `before`, if given) is
    /// in the history with digest `history`.
    fn missing_committed(
        &mut self,
        at: Instant,
        node: NodeId,
        history: HistoryDigest,
        before: Option<u64>,
        when: &str,
    ) {
        let due = |z: &Zxid| before.is_none_or(|e| zxid::epoch(*z) < e);
        if !self.committed.keys().any(due) {
            return;
        }
        self.counts.assertions += 1;
        let Some(held) = self.book.zxids(history) else {
            self.flag(at, "I6", format!("server {node}'s history {history:016x} has no known origin"));
            return;
        };
        let missing: Vec<(Zxid, NodeId)> =
            self.committed.iter().filter(|(z, _)| due(z) && !held.contains(z)).map(|(z, n)| (*z, *n)).collect();
        if let Some((z, by)) = missing.first() {
            let more = if missing.len() > 1 { format!(" (and {} more)", missing.len() - 1) } else { String::new() };
            self.flag(
                at,
                "I6",
                format!("{} committed by server {by} is missing from server {node}'s history {when}{more}", hex(*z)),
            );
        }
    }

    /// I9: a leader commits in zxid order, only its own epoch's proposals,
    /// only with a quorum of ACKs (its own counted once on its disk).
    fn leader_committed(&mut self, at: Instant, node: NodeId, z: Zxid) {
        self.counts.commits += 1;
        self.committed.entry(z).or_insert(node);
        let Some(v) = self.servers.get_mut(&node) else { return };
        let (leading, last) = (v.leading, v.last_commit);
        let mut acks = v.acks_in.remove(&z).unwrap_or_default();
        v.acks_in.retain(|k, _| *k > z);
        v.last_commit = z;
        if v.durable.contains(&z) {
            acks.insert(u64::from(node.0));
        }
        let quorum = acks.iter().filter(|s| self.voters.contains(s)).count() * 2 > self.voters.len();
        let e = zxid::epoch(z);
        self.check(at, leading == Some(e), "I9", || {
            format!("server {node} committed {} outside its established epoch", hex(z))
        });
        self.check(at, z > last, "I9", || format!("server {node} committed {} after {}", hex(z), hex(last)));
        self.check(at, quorum, "I9", || {
            let who: Vec<String> = acks.iter().map(u64::to_string).collect();
            format!("server {node} committed {} with ACKs only from [{}]", hex(z), who.join(", "))
        });
    }

    fn client_event(&mut self, at: Instant, node: NodeId, ev: &ClientEvent) {
        let Some(c) = self.clients.get_mut(&node) else { return };
        match ev {
            ClientEvent::Invoked { tag, req } => {
                c.pending.insert(*tag, (at, req.is_write()));
            }
            ClientEvent::Result { tag, result, .. } => {
                let Some((_, write)) = c.pending.remove(tag) else { return };
                self.counts.ops += 1;
                if !write || result.is_err() || !self.ensemble {
                    return;
                }
                let Some(z) = c.last_reply else { return };
                self.counts.acked_writes += 1;
                let committed = self.committed.contains_key(&z);
                self.check(at, committed, "I6", || {
                    format!("client {node} was told its write {} succeeded, but no leader committed it", hex(z))
                });
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------ queries

    /// Check that every server that is up holds every committed
    /// transaction (at the end of a run, once everyone caught up).
    pub fn check_up_servers_hold_committed(&mut self, at: Instant) {
        let up: Vec<(NodeId, HistoryDigest)> =
            self.servers.iter().filter(|(_, v)| v.up).map(|(n, v)| (*n, v.history)).collect();
        for (n, h) in up {
            self.missing_committed(at, n, h, None, "at the end");
        }
    }

    /// Servers that are up, with their state and what they applied.
    pub fn up_servers(&self) -> Vec<ServerStatus> {
        self.servers
            .iter()
            .filter(|(_, v)| v.up)
            .map(|(n, v)| ServerStatus { node: *n, state: v.state, applied: v.applied, history: v.history })
            .collect()
    }

    /// Client operations still waiting for an answer: (client, since).
    pub fn pending_ops(&self) -> Vec<(NodeId, Instant)> {
        self.clients.iter().flat_map(|(n, c)| c.pending.values().map(move |(t, _)| (*n, *t))).collect()
    }

    /// How many transactions leaders committed (distinct zxids).
    pub fn committed_count(&self) -> usize {
        self.committed.len()
    }
}

/// A server as the checker last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerStatus {
    pub node: NodeId,
    pub state: Option<zab::quorum::packet::ServerState>,
    pub applied: Zxid,
    pub history: HistoryDigest,
}
