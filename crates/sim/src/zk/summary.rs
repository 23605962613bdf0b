//! A readable summary of a run, folded from its trace as it goes.

use crate::trace::{Entry, Record};
use actor::{Instant, NodeId};
use std::collections::BTreeMap;
use std::fmt::Write;
use zab::{ClientEvent, ClientState, ServerEvent, Zk, ZkEvent};

/// What one server did.
#[derive(Clone, Debug, Default)]
pub struct ServerSummary {
    pub boots: u32,
    pub last_zxid: u64,
    pub txns: u64,
    pub sessions: BTreeMap<u64, i32>,
    pub expired: u64,
}

/// What one client did.
#[derive(Clone, Debug, Default)]
pub struct ClientSummary {
    pub name: String,
    pub state: Option<ClientState>,
    pub session: Option<u64>,
    pub invoked: u64,
    pub ok: u64,
    pub errors: BTreeMap<String, u64>,
    /// Completed operations' latencies, µs.
    pub latencies: Vec<u64>,
    pub watch_events: u64,
    pub console_lines: u64,
    inflight: BTreeMap<u64, Instant>,
}

impl ClientSummary {
    /// The `p`-th percentile of completed latencies, µs.
    pub fn percentile(&self, p: u64) -> Option<u64> {
        if self.latencies.is_empty() {
            return None;
        }
        let mut v = self.latencies.clone();
        v.sort_unstable();
        let i = ((v.len() as u64 - 1) * p.min(100) / 100) as usize;
        v.get(i).copied()
    }
}

/// The whole run.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub end: Instant,
    pub entries: u64,
    pub sent: u64,
    pub delivered: u64,
    pub dropped: u64,
    pub held: u64,
    pub faults: Vec<(Instant, String)>,
    pub servers: BTreeMap<NodeId, ServerSummary>,
    pub clients: BTreeMap<NodeId, ClientSummary>,
}

impl Summary {
    pub fn new(servers: &[NodeId], clients: &[(NodeId, String)]) -> Self {
        Summary {
            servers: servers.iter().map(|s| (*s, ServerSummary::default())).collect(),
            clients: clients
                .iter()
                .map(|(id, name)| (*id, ClientSummary { name: name.clone(), ..Default::default() }))
                .collect(),
            ..Default::default()
        }
    }

    /// Fold one trace entry in.
    pub fn observe(&mut self, e: &Entry<Zk>) {
        self.entries += 1;
        self.end = self.end.max(e.at);
        match &e.what {
            Record::Send { arrive, .. } => {
                self.sent += 1;
                if arrive.is_none() {
                    self.held += 1;
                }
            }
            Record::SendDatagram { .. } => self.sent += 1,
            Record::Deliver { .. } | Record::DeliverDatagram { .. } => self.delivered += 1,
            Record::Drop { .. } => self.dropped += 1,
            Record::Fault { fault } => self.faults.push((e.at, fault.label())),
            Record::Emit { node, event: ZkEvent::Server(ev) } => self.server_event(*node, ev),
            Record::Emit { node, event: ZkEvent::Client(ev) } => self.client_event(e.at, *node, ev),
            Record::Emit { node, event: ZkEvent::Console(_) } => {
                if let Some(c) = self.clients.get_mut(node) {
                    c.console_lines += 1;
                }
            }
            _ => {}
        }
    }

    fn server_event(&mut self, node: NodeId, ev: &ServerEvent) {
        let Some(s) = self.servers.get_mut(&node) else { return };
        match ev {
            ServerEvent::Booted { last_zxid, sessions, .. } => {
                s.boots += 1;
                s.last_zxid = *last_zxid;
                s.sessions = sessions.iter().copied().collect();
            }
            ServerEvent::Applied { txn, .. } => {
                s.txns += 1;
                s.last_zxid = s.last_zxid.max(txn.header.zxid);
            }
            ServerEvent::SessionCreated { session, timeout } => {
                s.sessions.insert(*session, *timeout);
            }
            ServerEvent::SessionClosed { session } => {
                s.sessions.remove(session);
            }
            ServerEvent::SessionExpired { .. } => s.expired += 1,
            _ => {}
        }
    }

    fn client_event(&mut self, at: Instant, node: NodeId, ev: &ClientEvent) {
        let Some(c) = self.clients.get_mut(&node) else { return };
        match ev {
            ClientEvent::State { state, .. } => c.state = Some(*state),
            ClientEvent::Session { id, .. } => c.session = Some(*id),
            ClientEvent::Invoked { tag, .. } => {
                c.invoked += 1;
                c.inflight.insert(*tag, at);
            }
            ClientEvent::Result { tag, result, .. } => {
                if let Some(start) = c.inflight.remove(tag) {
                    c.latencies.push(at.saturating_since(start).as_micros());
                }
                match result {
                    Ok(_) => c.ok += 1,
                    Err(code) => *c.errors.entry(code.name().to_string()).or_default() += 1,
                }
            }
            ClientEvent::Watch(_) => c.watch_events += 1,
        }
    }

    /// The summary as text.
    pub fn render(&self, hash: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "ran to {} · {} trace entries · trace hash {hash}", self.end, self.entries);
        let _ = writeln!(
            s,
            "messages: {} sent, {} delivered, {} dropped, {} held by blocked links",
            self.sent, self.delivered, self.dropped, self.held
        );
        if !self.faults.is_empty() {
            let _ = writeln!(s, "faults:");
            for (at, f) in &self.faults {
                let _ = writeln!(s, "  {at}  {f}");
            }
        }
        let _ = writeln!(s, "servers:");
        for (id, v) in &self.servers {
            let _ = writeln!(
                s,
                "  server {id}: last zxid 0x{:x}, {} txns applied, {} sessions open, {} expired, booted {}x",
                v.last_zxid,
                v.txns,
                v.sessions.len(),
                v.expired,
                v.boots
            );
        }
        let _ = writeln!(s, "clients:");
        for (id, c) in &self.clients {
            let state = c.state.map_or("NOT_CONNECTED", ClientState::name);
            let session = c.session.map_or("-".to_string(), |x| format!("0x{x:x}"));
            let errors = if c.errors.is_empty() {
                "no errors".to_string()
            } else {
                c.errors.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
            };
            let lat = match (c.percentile(50), c.percentile(99)) {
                (Some(p50), Some(p99)) => {
                    format!(", latency p50 {:.2} ms p99 {:.2} ms", p50 as f64 / 1000.0, p99 as f64 / 1000.0)
                }
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "  client {} (node {id}): {state}, session {session}; {} ops, {} ok, {errors}{lat}; {} watch events",
                c.name, c.invoked, c.ok, c.watch_events
            );
        }
        s
    }
}
