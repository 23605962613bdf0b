//! The ZooKeeper client library (`ZooKeeper` + `ClientCnxn`) as a sans-IO
//! node: one session, one connection at a time, requests answered in FIFO
//! order, watch events delivered before any later result, pings, read and
//! connect timeouts, and reconnection to the next server of the connect
//! string within the session timeout.

mod watches;

pub use watches::ClientWatches;

use crate::wire::{xid, ClientMsg, ConnectRequest, ServerMsg, Zk, ZkCall, ZkEvent, ZkMsg, ZkTimer};
use actor::{ConnId, Duration, Effect, Effects, Input, Instant, Node, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use watches::is_nonode;
use znode::{Code, KeeperState, Request, Response, WatchedEvent, WatcherType, Zxid};

/// How a client is set up: `new ZooKeeper(connectString, sessionTimeout, ...)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// This client's node id (names its connections).
    pub me: NodeId,
    /// The connect string's servers, in the order the client tries them
    /// (Java shuffles them once; the host does that with its RNG).
    pub servers: Vec<NodeId>,
    /// Requested session timeout in ms; the server clamps it.
    pub session_timeout_ms: i32,
    /// `canBeReadOnly`.
    pub can_be_read_only: bool,
    /// The address servers see this client connect from.
    pub addr: String,
    /// Seed of the client's reconnect jitter (Java's `new Random()`),
    /// drawn by the host from its own generator.
    pub seed: u64,
}

/// `ZooKeeper.States`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientState {
    NotConnected,
    Connecting,
    Connected,
    ConnectedReadOnly,
    Closed,
    AuthFailed,
}

impl ClientState {
    /// The name zkCli shows in its prompt: `CONNECTED`.
    pub fn name(self) -> &'static str {
        match self {
            ClientState::NotConnected => "NOT_CONNECTED",
            ClientState::Connecting => "CONNECTING",
            ClientState::Connected => "CONNECTED",
            ClientState::ConnectedReadOnly => "CONNECTEDREADONLY",
            ClientState::Closed => "CLOSED",
            ClientState::AuthFailed => "AUTH_FAILED",
        }
    }

    /// `isAlive`: not CLOSED and not AUTH_FAILED.
    pub fn is_alive(self) -> bool {
        !matches!(self, ClientState::Closed | ClientState::AuthFailed)
    }

    pub fn is_connected(self) -> bool {
        matches!(self, ClientState::Connected | ClientState::ConnectedReadOnly)
    }
}

/// Calls an application makes on its client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ClientCall {
    /// Open a new session (a new `ZooKeeper` handle), optionally with a
    /// new connect string. Ignored while the current handle is alive.
    Connect { servers: Option<Vec<NodeId>> },
    /// Any API request; answered by [`ClientEvent::Result`] with `tag`.
    Request { tag: u64, req: Request },
    /// `addAuthInfo`: fire and forget, re-sent on every reconnect.
    AddAuth { scheme: String, auth: Vec<u8> },
    /// `removeAllWatches(path, type, local)`.
    RemoveWatches { tag: u64, path: String, kind: WatcherType, local: bool },
    /// `close()`: end the session.
    Close { tag: u64 },
}

/// What a client reports to its application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ClientEvent {
    /// The handle's state changed; `server` is where it is (or tries to be)
    /// connected.
    State { state: ClientState, server: Option<NodeId> },
    /// The session the handshake established.
    Session { id: u64, timeout_ms: i32 },
    /// A request was made (the start of an operation in a history).
    Invoked { tag: u64, req: Request },
    /// The answer to a call. `zxid` is the reply header's zxid (what the
    /// client's lastZxid takes from it: the server's last applied zxid when
    /// it answered, so for a write its own zxid); 0 when the client made the
    /// result itself without a reply (connection loss, a dead or closing
    /// handle), so a checker can tell a server's answer from the client's.
    Result { tag: u64, result: Result<Response, Code>, zxid: Zxid },
    /// A `WatchedEvent` for the default watcher: node events as they come
    /// off the wire, session events when the session state changes.
    Watch(WatchedEvent),
}

/// A client's timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClientTimer {
    /// Time to send a ping if nothing was sent.
    Ping,
    /// The read timeout (connected) or connect timeout (connecting).
    Timeout,
    /// The pause before the next connection attempt.
    Reconnect,
    /// Connected read-only: time to ask another server whether it is
    /// read-write (`pingRwServer`).
    PingRw,
}

/// `pingRwServer`'s backoff: from 100 ms, doubling, to a minute.
const MIN_PING_RW_MS: u64 = 100;
const MAX_PING_RW_MS: u64 = 60_000;
/// Probe connections (`isro`) are numbered from here, apart from the
/// client's own.
const PROBE_SEQ_BASE: u32 = 1 << 29;

/// What a queued request is for, beyond its reply.
#[derive(Clone, Debug, PartialEq)]
enum Purpose {
    Plain,
    Close,
    RemoveWatches { path: String, kind: WatcherType, local: bool },
}

#[derive(Clone, Debug)]
struct Queued {
    tag: u64,
    req: Request,
    purpose: Purpose,
}

#[derive(Clone, Debug)]
struct Pending {
    xid: i32,
    q: Queued,
}

/// A ZooKeeper client handle.
pub struct Client {
    cfg: ClientConfig,
    state: ClientState,
    session_id: u64,
    passwd: [u8; 16],
    negotiated_ms: i32,
    last_zxid: Zxid,
    conn: Option<ConnId>,
    conn_seq: u32,
    /// The process's life (see `Input::Boot`).
    life: u32,
    /// Whether the ConnectResponse arrived on the current connection.
    handshake_done: bool,
    /// HostProvider: index tried last and index last connected to.
    current_index: Option<usize>,
    last_index: Option<usize>,
    first_connect: bool,
    outgoing: VecDeque<Queued>,
    pending: VecDeque<Pending>,
    next_xid: i32,
    auth_info: Vec<(String, Vec<u8>)>,
    watches: ClientWatches,
    last_send: Instant,
    last_recv: Instant,
    /// The last session state delivered (Java drops repeats).
    session_state: KeeperState,
    closing: bool,
    rng: u64,
    /// `seenRwServerBefore`: until a read-write server has accepted the
    /// session, a reconnect asks for a new one.
    seen_rw_before: bool,
    /// `pingRwTimeout`, and the `isro` probe in flight (connection, server).
    ping_rw_ms: u64,
    rw_probe: Option<(ConnId, usize)>,
    probe_seq: u32,
    /// `rwServerAddress`: where to connect next, found by a probe.
    rw_found: Option<usize>,
}

fn emit(out: &mut Effects<Zk>, e: ClientEvent) {
    out.push(Effect::Emit { event: ZkEvent::Client(e) });
}

fn timer(t: ClientTimer) -> ZkTimer {
    ZkTimer::Client(t)
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Self {
        let rng = cfg.seed;
        Client {
            cfg,
            state: ClientState::NotConnected,
            session_id: 0,
            passwd: [0; 16],
            negotiated_ms: 0,
            last_zxid: 0,
            conn: None,
            conn_seq: 0,
            life: 0,
            handshake_done: false,
            current_index: None,
            last_index: None,
            first_connect: true,
            outgoing: VecDeque::new(),
            pending: VecDeque::new(),
            next_xid: 1,
            auth_info: Vec::new(),
            watches: ClientWatches::default(),
            last_send: Instant::ZERO,
            last_recv: Instant::ZERO,
            session_state: KeeperState::Disconnected,
            closing: false,
            rng,
            seen_rw_before: false,
            ping_rw_ms: MIN_PING_RW_MS,
            rw_probe: None,
            probe_seq: 0,
            rw_found: None,
        }
    }

    pub fn state(&self) -> ClientState {
        self.state
    }

    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    pub fn last_zxid(&self) -> Zxid {
        self.last_zxid
    }

    pub fn negotiated_timeout_ms(&self) -> i32 {
        self.negotiated_ms
    }

    pub fn watches(&self) -> &ClientWatches {
        &self.watches
    }

    /// The server of the current connection (or attempt).
    pub fn server(&self) -> Option<NodeId> {
        self.current_index.and_then(|i| self.cfg.servers.get(i).copied())
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    /// splitmix64: the client's own jitter source, seeded by the host.
    fn next_random(&mut self, bound: u64) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound.max(1)
    }

    fn timeout_ms(&self) -> u64 {
        let t = if self.negotiated_ms > 0 { self.negotiated_ms } else { self.cfg.session_timeout_ms };
        u64::try_from(t.max(1)).unwrap_or(1)
    }

    fn read_timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms() * 2 / 3)
    }

    fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms() / self.cfg.servers.len().max(1) as u64)
    }

    fn set_state(&mut self, state: ClientState, out: &mut Effects<Zk>) {
        if self.state != state {
            self.state = state;
            emit(out, ClientEvent::State { state, server: self.server() });
        }
    }

    /// Deliver a session event unless it repeats the last one
    /// (`EventThread.queueEvent`).
    fn session_event(&mut self, ks: KeeperState, out: &mut Effects<Zk>) {
        if self.session_state == ks {
            return;
        }
        self.session_state = ks;
        emit(out, ClientEvent::Watch(WatchedEvent::session(ks)));
    }

    // -------------------------------------------------------- connecting

    fn start(&mut self, now: Instant, out: &mut Effects<Zk>) {
        if self.cfg.servers.is_empty() {
            self.set_state(ClientState::Closed, out);
            return;
        }
        self.set_state(ClientState::Connecting, out);
        self.connect_next(now, out);
    }

    /// `HostProvider.next` plus `startConnect`: the next server, pausing a
    /// second when the cycle comes back to the last server that worked and
    /// up to a second of jitter on every reconnect.
    fn schedule_reconnect(&mut self, now: Instant, out: &mut Effects<Zk>) {
        let n = self.cfg.servers.len();
        let next = self.current_index.map_or(0, |i| (i + 1) % n.max(1));
        let mut delay = 0;
        if next_index_spins(next, self.last_index) {
            delay += 1000;
        }
        if !self.first_connect {
            delay += self.next_random(1000);
        }
        out.push(Effect::SetTimer { timer: timer(ClientTimer::Reconnect), at: now + Duration::from_millis(delay) });
    }

    fn connect_next(&mut self, now: Instant, out: &mut Effects<Zk>) {
        let n = self.cfg.servers.len();
        if n == 0 {
            return;
        }
        let i =
            self.rw_found.take().filter(|i| *i < n).unwrap_or_else(|| self.current_index.map_or(0, |i| (i + 1) % n));
        self.current_index = Some(i);
        self.first_connect = false;
        self.conn_seq += 1;
        let conn = ConnId { opener: self.cfg.me, life: self.life, seq: self.conn_seq };
        self.conn = Some(conn);
        self.handshake_done = false;
        self.last_recv = now;
        self.last_send = now;
        out.push(Effect::Connect { conn, to: self.cfg.servers[i] });
        emit(out, ClientEvent::State { state: self.state, server: Some(self.cfg.servers[i]) });
        self.arm_timers(out);
    }

    fn send(&mut self, msg: ClientMsg, now: Instant, out: &mut Effects<Zk>) {
        if let Some(conn) = self.conn {
            self.last_send = now;
            out.push(Effect::Send { conn, msg: ZkMsg::Client(msg) });
        }
    }

    fn on_tcp_connected(&mut self, now: Instant, out: &mut Effects<Zk>) {
        let req = ConnectRequest {
            last_zxid_seen: self.last_zxid,
            timeout_ms: self.cfg.session_timeout_ms,
            session_id: if self.seen_rw_before { self.session_id } else { 0 },
            passwd: self.passwd,
            read_only: self.cfg.can_be_read_only,
            client_addr: self.cfg.addr.clone(),
        };
        self.send(ClientMsg::Connect(req), now, out);
    }

    /// `onConnected`: the handshake's answer.
    fn on_connect_response(&mut self, r: crate::wire::ConnectResponse, now: Instant, out: &mut Effects<Zk>) {
        if r.timeout_ms <= 0 {
            self.set_state(ClientState::Closed, out);
            self.session_event(KeeperState::Expired, out);
            self.drop_connection(out);
            self.fail_all(out);
            self.cancel_timers(out);
            return;
        }
        self.negotiated_ms = r.timeout_ms;
        self.last_index = self.current_index;
        self.session_id = r.session_id;
        self.passwd = r.passwd;
        self.handshake_done = true;
        let (state, ks) = if r.read_only {
            (ClientState::ConnectedReadOnly, KeeperState::ConnectedReadOnly)
        } else {
            (ClientState::Connected, KeeperState::SyncConnected)
        };
        self.seen_rw_before |= !r.read_only;
        self.set_state(state, out);
        if r.read_only {
            let at = now + Duration::from_millis(self.ping_rw_ms);
            out.push(Effect::SetTimer { timer: timer(ClientTimer::PingRw), at });
        }
        emit(out, ClientEvent::Session { id: r.session_id, timeout_ms: r.timeout_ms });
        self.session_event(ks, out);
        // primeConnection: auth packets, then the watches to re-register,
        // then whatever was queued meanwhile.
        for (scheme, auth) in self.auth_info.clone().into_iter().rev() {
            self.send(ClientMsg::Request { xid: xid::AUTH, req: Request::Auth { scheme, auth } }, now, out);
        }
        let sw = self.watches.set_watches(self.last_zxid);
        if !sw.is_empty() {
            self.send(ClientMsg::Request { xid: xid::SET_WATCHES, req: Request::SetWatches(sw) }, now, out);
        }
        self.flush(now, out);
    }

    /// Send everything queued (only once the handshake is done).
    fn flush(&mut self, now: Instant, out: &mut Effects<Zk>) {
        if !self.handshake_done {
            return;
        }
        while let Some(q) = self.outgoing.pop_front() {
            let xid = self.next_xid;
            self.next_xid = self.next_xid.wrapping_add(1).max(1);
            self.send(ClientMsg::Request { xid, req: q.req.clone() }, now, out);
            self.pending.push_back(Pending { xid, q });
        }
        self.arm_timers(out);
    }

    fn arm_timers(&mut self, out: &mut Effects<Zk>) {
        if self.conn.is_none() {
            out.push(Effect::CancelTimer { timer: timer(ClientTimer::Timeout) });
            out.push(Effect::CancelTimer { timer: timer(ClientTimer::Ping) });
            return;
        }
        if self.handshake_done {
            let rt = self.read_timeout();
            out.push(Effect::SetTimer { timer: timer(ClientTimer::Timeout), at: self.last_recv + rt });
            out.push(Effect::SetTimer { timer: timer(ClientTimer::Ping), at: self.last_send + ping_interval(rt) });
        } else {
            let ct = self.connect_timeout();
            out.push(Effect::SetTimer { timer: timer(ClientTimer::Timeout), at: self.last_recv + ct });
            out.push(Effect::CancelTimer { timer: timer(ClientTimer::Ping) });
        }
    }

    fn cancel_timers(&mut self, out: &mut Effects<Zk>) {
        for t in [ClientTimer::Timeout, ClientTimer::Ping, ClientTimer::Reconnect, ClientTimer::PingRw] {
            out.push(Effect::CancelTimer { timer: timer(t) });
        }
    }

    fn drop_connection(&mut self, out: &mut Effects<Zk>) {
        if let Some(conn) = self.conn.take() {
            out.push(Effect::Close { conn });
        }
        self.handshake_done = false;
    }

    /// `cleanup`: every request sent or queued fails — CONNECTIONLOSS, or
    /// SESSIONEXPIRED / AUTHFAILED once the handle is dead.
    fn fail_all(&mut self, out: &mut Effects<Zk>) {
        let code = match self.state {
            ClientState::AuthFailed => Code::AuthFailed,
            ClientState::Closed => Code::SessionExpired,
            _ => Code::ConnectionLoss,
        };
        let failed: Vec<Queued> = self.pending.drain(..).map(|p| p.q).chain(self.outgoing.drain(..)).collect();
        for q in failed {
            self.finish(q, Err(code), 0, out);
        }
    }

    /// The connection broke or timed out: tell the app, fail what was in
    /// flight, and try the next server after a pause.
    fn connection_lost(&mut self, now: Instant, out: &mut Effects<Zk>) {
        self.drop_connection(out);
        if self.closing {
            self.fail_all(out);
            self.closed(out);
            return;
        }
        if self.state.is_alive() {
            self.set_state(ClientState::Connecting, out);
        }
        self.fail_all(out);
        if self.state.is_alive() {
            self.session_event(KeeperState::Disconnected, out);
            self.schedule_reconnect(now, out);
        }
        self.arm_timers(out);
    }

    /// `disconnect()`: the handle is closed for good.
    fn closed(&mut self, out: &mut Effects<Zk>) {
        self.drop_connection(out);
        self.set_state(ClientState::Closed, out);
        self.session_event(KeeperState::Closed, out);
        self.cancel_timers(out);
    }

    // ---------------------------------------------------------- replies

    fn on_reply(
        &mut self,
        reply_xid: i32,
        zxid: Zxid,
        err: Code,
        body: Option<Response>,
        now: Instant,
        out: &mut Effects<Zk>,
    ) {
        if zxid > 0 && zxid != u64::MAX {
            self.last_zxid = self.last_zxid.max(zxid);
        }
        match reply_xid {
            xid::PING | xid::SET_WATCHES => return,
            xid::AUTH => {
                if err == Code::AuthFailed {
                    self.set_state(ClientState::AuthFailed, out);
                    self.session_event(KeeperState::AuthFailed, out);
                    self.drop_connection(out);
                    self.fail_all(out);
                    self.cancel_timers(out);
                }
                return;
            }
            _ => {}
        }
        let Some(p) = self.pending.pop_front() else {
            // "Nothing in the queue, but got xid": a broken stream.
            self.connection_lost(now, out);
            return;
        };
        if p.xid != reply_xid {
            self.pending.push_front(p);
            self.connection_lost(now, out);
            return;
        }
        let result = if err.is_ok() { Ok(body.unwrap_or(Response::Empty)) } else { Err(err) };
        let is_close = p.q.purpose == Purpose::Close;
        // Java's -1 ("no zxid") is not a zxid the client keeps.
        let header = if zxid == u64::MAX { 0 } else { zxid };
        self.finish(p.q, result, header, out);
        if is_close {
            self.closed(out);
        }
    }

    /// `finishPacket`: register watches, run watch deregistration, answer.
    /// `zxid` is the reply header's, or 0 for a result made here.
    fn finish(&mut self, q: Queued, result: Result<Response, Code>, zxid: Zxid, out: &mut Effects<Zk>) {
        let result = match &q.purpose {
            Purpose::RemoveWatches { path, kind, local } => {
                let code = result.as_ref().err().copied().unwrap_or(Code::Ok);
                if !*local && !code.is_ok() {
                    Err(code)
                } else {
                    match self.watches.remove(path, *kind) {
                        Some(removed) => {
                            for e in removed.events() {
                                emit(out, ClientEvent::Watch(WatchedEvent::node(e, path)));
                            }
                            Ok(Response::Empty)
                        }
                        None => Err(Code::NoWatcher),
                    }
                }
            }
            _ => {
                self.watches.register(&q.req, result.is_ok(), is_nonode(&result));
                result
            }
        };
        emit(out, ClientEvent::Result { tag: q.tag, result, zxid });
    }

    // ------------------------------------------------------------- calls

    fn call(&mut self, c: ClientCall, now: Instant, out: &mut Effects<Zk>) {
        match c {
            ClientCall::Connect { servers } => {
                if !self.state.is_alive() || self.state == ClientState::NotConnected {
                    let mut cfg = self.cfg.clone();
                    if let Some(s) = servers {
                        cfg.servers = s;
                    }
                    let (seq, rng) = (self.conn_seq, self.rng);
                    *self = Client::new(cfg);
                    self.conn_seq = seq;
                    self.rng = rng;
                    self.start(now, out);
                }
            }
            ClientCall::Request { tag, req } => {
                emit(out, ClientEvent::Invoked { tag, req: req.clone() });
                self.queue(Queued { tag, req, purpose: Purpose::Plain }, now, out)
            }
            ClientCall::AddAuth { scheme, auth } => {
                self.auth_info.push((scheme.clone(), auth.clone()));
                if self.state.is_alive() && self.handshake_done {
                    self.send(ClientMsg::Request { xid: xid::AUTH, req: Request::Auth { scheme, auth } }, now, out);
                }
            }
            ClientCall::RemoveWatches { tag, path, kind, local } => {
                let req = Request::RemoveWatches { path: path.clone(), kind, all: true };
                emit(out, ClientEvent::Invoked { tag, req: req.clone() });
                self.queue(Queued { tag, req, purpose: Purpose::RemoveWatches { path, kind, local } }, now, out)
            }
            ClientCall::Close { tag } => {
                if !self.state.is_alive() || self.state == ClientState::NotConnected {
                    emit(out, ClientEvent::Result { tag, result: Ok(Response::Empty), zxid: 0 });
                    return;
                }
                emit(out, ClientEvent::Invoked { tag, req: Request::CloseSession });
                self.queue(Queued { tag, req: Request::CloseSession, purpose: Purpose::Close }, now, out);
                self.closing = true;
            }
        }
    }

    /// `queuePacket`: a dead handle (or one closing) fails the request at once.
    fn queue(&mut self, q: Queued, now: Instant, out: &mut Effects<Zk>) {
        if !self.state.is_alive() || self.state == ClientState::NotConnected || self.closing {
            let code = match self.state {
                ClientState::AuthFailed => Code::AuthFailed,
                ClientState::Closed => Code::SessionExpired,
                _ => Code::ConnectionLoss,
            };
            self.finish(q, Err(code), 0, out);
            return;
        }
        self.outgoing.push_back(q);
        self.flush(now, out);
    }

    fn on_timer(&mut self, t: ClientTimer, now: Instant, out: &mut Effects<Zk>) {
        match t {
            ClientTimer::Reconnect => {
                if self.state.is_alive() && self.conn.is_none() {
                    self.connect_next(now, out);
                }
            }
            ClientTimer::Timeout => {
                if self.conn.is_some() {
                    // "Client session timed out, have not heard from server".
                    self.connection_lost(now, out);
                }
            }
            ClientTimer::Ping => {
                if self.handshake_done {
                    self.send(ClientMsg::Request { xid: xid::PING, req: Request::Ping }, now, out);
                    self.arm_timers(out);
                }
            }
            ClientTimer::PingRw => self.ping_rw_server(now, out),
        }
    }

    /// `pingRwServer`: ask the next server for `isro`; the next try waits
    /// twice as long.
    fn ping_rw_server(&mut self, now: Instant, out: &mut Effects<Zk>) {
        if self.state != ClientState::ConnectedReadOnly {
            return;
        }
        let n = self.cfg.servers.len();
        if self.rw_probe.is_none() && n > 0 {
            // `hostProvider.next(0)` moves the provider on, as connecting does.
            let i = self.current_index.map_or(0, |i| (i + 1) % n);
            self.current_index = Some(i);
            self.probe_seq += 1;
            let conn = ConnId { opener: self.cfg.me, life: self.life, seq: PROBE_SEQ_BASE + self.probe_seq };
            self.rw_probe = Some((conn, i));
            out.push(Effect::Connect { conn, to: self.cfg.servers[i] });
        }
        self.ping_rw_ms = (2 * self.ping_rw_ms).min(MAX_PING_RW_MS);
        out.push(Effect::SetTimer {
            timer: timer(ClientTimer::PingRw),
            at: now + Duration::from_millis(self.ping_rw_ms),
        });
    }

    /// An input on the `isro` probe's connection.
    fn probe_input(&mut self, input: Input<Zk>, now: Instant, out: &mut Effects<Zk>) {
        let Some((conn, index)) = self.rw_probe else { return };
        match input {
            Input::Connected { .. } => {
                out.push(Effect::Send { conn, msg: ZkMsg::Client(ClientMsg::FourLetter("isro".into())) });
            }
            Input::Received { msg: ZkMsg::Server(ServerMsg::FourLetterReply(answer)), .. } => {
                self.rw_probe = None;
                out.push(Effect::Close { conn });
                if answer.trim_end() == "rw" && self.state == ClientState::ConnectedReadOnly {
                    // RWServerFoundException: drop the read-only server and
                    // go to the read-write one.
                    self.ping_rw_ms = MIN_PING_RW_MS;
                    self.rw_found = Some(index);
                    out.push(Effect::CancelTimer { timer: timer(ClientTimer::PingRw) });
                    self.connection_lost(now, out);
                }
            }
            Input::Closed { .. } => self.rw_probe = None,
            _ => {}
        }
    }
}

/// Java pings when `readTimeout/2` minus a second (once idle for more than
/// a second) has passed without sending, and at least every 10 s.
fn ping_interval(read_timeout: Duration) -> Duration {
    let half = read_timeout.as_millis() / 2;
    let ms = if half > 1000 { half - 1000 } else { half };
    Duration::from_millis(ms.clamp(1, 10_000))
}

/// `StaticHostProvider.next`: coming back round to the server we last
/// connected to costs a pause.
fn next_index_spins(next: usize, last_connected: Option<usize>) -> bool {
    last_connected == Some(next)
}

impl Node for Client {
    type P = Zk;

    fn step(&mut self, now: Instant, input: Input<Zk>, out: &mut Effects<Zk>) {
        match input {
            Input::Boot { life, .. } => {
                // A new process: nothing of the old handle survives.
                let cfg = self.cfg.clone();
                *self = Client::new(cfg);
                self.life = life;
                self.start(now, out);
            }
            Input::Connected { conn } | Input::Closed { conn, .. } | Input::Received { conn, .. }
                if self.rw_probe.is_some_and(|(p, _)| p == conn) =>
            {
                self.probe_input(input, now, out)
            }
            Input::Connected { conn } if Some(conn) == self.conn => self.on_tcp_connected(now, out),
            Input::Closed { conn, .. } if Some(conn) == self.conn => self.connection_lost(now, out),
            Input::Received { conn, msg: ZkMsg::Server(m) } if Some(conn) == self.conn => {
                self.last_recv = now;
                match m {
                    ServerMsg::Connected(r) => self.on_connect_response(r, now, out),
                    ServerMsg::Reply { xid, zxid, err, body } => self.on_reply(xid, zxid, err, body, now, out),
                    ServerMsg::Notification(e) => {
                        if let Some(p) = &e.path {
                            self.watches.materialize(e.kind, p);
                        }
                        emit(out, ClientEvent::Watch(e));
                    }
                    // Not a ZooKeeper client's business: a broken stream.
                    ServerMsg::FourLetterReply(_) => self.connection_lost(now, out),
                }
                if self.conn.is_some() {
                    self.arm_timers(out);
                }
            }
            Input::Timer(ZkTimer::Client(t)) => self.on_timer(t, now, out),
            Input::Call(ZkCall::Client(c)) => self.call(c, now, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_interval_follows_java() {
        // sessionTimeout 30 s: readTimeout 20 s, ping after 9 s idle.
        assert_eq!(ping_interval(Duration::from_millis(20_000)), Duration::from_millis(9_000));
        assert_eq!(ping_interval(Duration::from_millis(1_500)), Duration::from_millis(750));
        assert_eq!(ping_interval(Duration::from_millis(60_000)), Duration::from_millis(10_000));
    }

    #[test]
    fn states_have_zookeepers_names() {
        assert_eq!(ClientState::Connected.name(), "CONNECTED");
        assert!(!ClientState::AuthFailed.is_alive());
        assert!(ClientState::Connecting.is_alive());
    }
}
