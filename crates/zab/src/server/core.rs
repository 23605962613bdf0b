//! What every ZooKeeper server does for its clients, whatever its role:
//! the connect handshake, auth, session touches, and the final step of the
//! request pipeline (`FinalRequestProcessor`: apply, reply, notify).
//! Standalone, leader and follower servers compose this with their own way
//! of ordering and committing transactions.

use super::cnxn::Cnxns;
use super::db::ZkDatabase;
use super::prep::{Prep, PrepContext, PrepInput, PrepSettings, Prepared};
use super::sessions::{Owner, SessionTracker};
use super::{ServerConfig, ServerEvent};
use crate::java_random::session_passwd;
use crate::wire::{xid, ClientMsg, ConnectRequest, ConnectResponse, ServerMsg, Zk, ZkEvent, ZkMsg};
use actor::{ConnId, Effect, Effects, Instant, NodeId};
use znode::acl::{check_acl, is_known_auth_scheme, mask_digests, perms};
use znode::{
    ApplyResult, ClientInfo, Code, Fired, Id, LoggedTxn, OpResult, Request, Response, SessionId, SubKind, Txn,
    WatcherType, Zxid,
};

/// What a request is, once it is inside the pipeline.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PipelineOp {
    Client(Request),
    /// A new session, answered with a ConnectResponse when committed.
    CreateSession {
        timeout: i32,
    },
    /// The container manager's `deleteContainer` (no session, no ACL).
    DeleteContainer {
        path: String,
    },
    /// A transaction committed through the leader that no local client is
    /// waiting for: apply it, answer no one.
    Committed,
}

/// A request travelling through prepare, commit and final.
#[derive(Clone, Debug)]
pub struct PipelineRequest {
    /// The connection to answer on; `None` for server-made requests
    /// (session expiry, container clean-up).
    pub conn: Option<ConnId>,
    pub session: SessionId,
    pub xid: i32,
    pub op: PipelineOp,
    /// The connection's ids when the request arrived.
    pub auth: Vec<Id>,
    pub arrived_ms: u64,
    pub prepared: Option<Prepared>,
}

impl PipelineRequest {
    /// The transaction prepare made of this request, if any.
    pub fn logged(&self) -> Option<LoggedTxn> {
        match &self.prepared {
            Some(Prepared::Txn { header, txn, .. }) => Some(LoggedTxn { header: *header, txn: txn.clone() }),
            _ => None,
        }
    }
}

/// What a client's packet asks of the server.
// Lives for one call and is moved straight on; boxing the request would only
// add an allocation per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Incoming {
    /// A request for the pipeline.
    Request(PipelineRequest),
    /// A session reconnecting to a learner: only the leader can say whether
    /// it is still valid (REVALIDATE).
    Revalidate { conn: ConnId, session: SessionId, timeout: i32 },
    /// A four-letter word: the node answers from its state
    /// ([`ServerCore::answer_four_letter`]).
    FourLetter { conn: ConnId, word: String },
}

/// The state every server keeps for its clients.
#[derive(Clone, Debug)]
pub struct ServerCore {
    pub cfg: ServerConfig,
    pub me: NodeId,
    pub db: ZkDatabase,
    pub sessions: SessionTracker,
    pub prep: Prep,
    /// The last zxid prepare handed out.
    pub zxid: Zxid,
    pub cnxns: Cnxns,
    /// What `srvr`, `stat` and `mntr` report.
    pub stats: super::stats::ServerStats,
    /// When this server (this `ZooKeeperServer`) started, for `zk_uptime`.
    pub started: Instant,
    /// A read-only server (its ConnectResponses say so).
    pub read_only: bool,
    /// On a learner: sessions touched since the last ping to the leader
    /// (`LearnerSessionTracker`'s touch table); `None` on a server that
    /// tracks sessions itself.
    pub touches: Option<std::collections::BTreeMap<SessionId, i32>>,
}

/// Local time in ms.
pub fn ms(now: Instant) -> u64 {
    now.as_millis()
}

fn send(out: &mut Effects<Zk>, conn: ConnId, msg: ServerMsg) {
    out.push(Effect::Send { conn, msg: ZkMsg::Server(msg) });
}

fn emit(out: &mut Effects<Zk>, e: ServerEvent) {
    out.push(Effect::Emit { event: ZkEvent::Server(e) });
}

impl ServerCore {
    pub fn new(cfg: ServerConfig, me: NodeId, db: ZkDatabase, now: Instant) -> Self {
        let clock = u64::try_from(cfg.wall_ms(now)).unwrap_or(0);
        let mut sessions = SessionTracker::new(u64::from(cfg.tick_time), u64::from(me.0), clock);
        for (&id, &timeout) in &db.sessions {
            sessions.track_session(id, timeout, ms(now));
        }
        let zxid = db.last_processed_zxid();
        ServerCore {
            cfg,
            me,
            db,
            sessions,
            prep: Prep::new(),
            zxid,
            cnxns: Cnxns::default(),
            stats: super::stats::ServerStats::default(),
            started: now,
            read_only: false,
            touches: None,
        }
    }

    // ------------------------------------------------------------ connections

    pub fn accepted(&mut self, conn: ConnId, now: Instant) {
        self.cnxns.accept(conn, ms(now));
    }

    /// The connection is gone (closed by either side): its watches go with it.
    pub fn closed(&mut self, conn: ConnId) {
        if let Some(c) = self.cnxns.remove(conn) {
            self.db.tree.remove_watcher(c.watcher);
        }
    }

    /// Close a connection from this side.
    pub fn close(&mut self, conn: ConnId, out: &mut Effects<Zk>) {
        if self.cnxns.get(conn).is_some() {
            out.push(Effect::Close { conn });
            self.closed(conn);
        }
    }

    /// A learner records the touch for its next ping; any other server
    /// moves the session's expiry.
    fn touch(&mut self, session: SessionId, now: Instant) -> bool {
        match self.touches.as_mut() {
            Some(t) => {
                let timeout = self.cnxns.iter().find(|c| c.session == Some(session)).map(|c| c.timeout_ms);
                t.insert(session, timeout.unwrap_or(self.cfg.max_session_timeout()));
                true
            }
            None => self.sessions.touch(session, ms(now)),
        }
    }

    /// A message from a client: what it asks of the pipeline, if anything.
    pub fn received(&mut self, conn: ConnId, msg: ClientMsg, now: Instant, out: &mut Effects<Zk>) -> Option<Incoming> {
        let cnxn = self.cnxns.get(conn)?;
        match msg {
            ClientMsg::Connect(req) => {
                if cnxn.session.is_some() {
                    self.close(conn, out);
                    return None;
                }
                self.packet_received(conn);
                self.connect_request(conn, req, now, out)
            }
            ClientMsg::FourLetter(word) => {
                if cnxn.session.is_some() {
                    // Only the first bytes of a connection can be a word.
                    self.close(conn, out);
                    return None;
                }
                Some(Incoming::FourLetter { conn, word })
            }
            ClientMsg::Request { xid, req } => {
                if req.wire_len() > self.cfg.jute_max_buffer {
                    // "Len error": the server drops the connection; the
                    // client sees it as CONNECTIONLOSS.
                    emit(out, ServerEvent::PacketTooLarge { conn, len: req.wire_len() });
                    self.close(conn, out);
                    return None;
                }
                let session = cnxn.session?;
                self.packet_received(conn);
                if let Request::Auth { scheme, auth } = req {
                    self.auth(conn, &scheme, &auth, out);
                    return None;
                }
                if !self.touch(session, now) {
                    // MissingSessionException: the request is dropped.
                    return None;
                }
                let auth = self.cnxns.get(conn).map(|c| c.auth_info()).unwrap_or_default();
                Some(Incoming::Request(PipelineRequest {
                    conn: Some(conn),
                    session,
                    xid,
                    op: PipelineOp::Client(req),
                    auth,
                    arrived_ms: ms(now),
                    prepared: None,
                }))
            }
        }
    }

    /// `processConnectRequest` for a server that can validate sessions
    /// itself (standalone, leader).
    fn connect_request(
        &mut self,
        conn: ConnId,
        req: ConnectRequest,
        now: Instant,
        out: &mut Effects<Zk>,
    ) -> Option<Incoming> {
        self.cnxns.set_addr(conn, &req.client_addr);
        if req.last_zxid_seen > self.db.last_processed_zxid() {
            emit(
                out,
                ServerEvent::ConnectionRefused {
                    conn,
                    reason: format!(
                        "client has seen zxid 0x{:x} our last zxid is 0x{:x}",
                        req.last_zxid_seen,
                        self.db.last_processed_zxid()
                    ),
                },
            );
            self.close(conn, out);
            return None;
        }
        let timeout = req.timeout_ms.clamp(self.cfg.min_session_timeout(), self.cfg.max_session_timeout());
        if let Some(c) = self.cnxns.get_mut(conn) {
            c.timeout_ms = timeout;
        }
        if req.session_id == 0 {
            let id = self.sessions.create_session(timeout, ms(now));
            if let Some(c) = self.cnxns.get_mut(conn) {
                c.session = Some(id);
            }
            let auth = self.cnxns.get(conn).map(|c| c.auth_info()).unwrap_or_default();
            return Some(Incoming::Request(PipelineRequest {
                conn: Some(conn),
                session: id,
                xid: 0,
                op: PipelineOp::CreateSession { timeout },
                auth,
                arrived_ms: ms(now),
                prepared: None,
            }));
        }
        // Reopen: any other connection of this session is closed first.
        for other in self.cnxns.of_session(req.session_id) {
            if other != conn {
                self.close(other, out);
            }
        }
        if let Some(c) = self.cnxns.get_mut(conn) {
            c.session = Some(req.session_id);
        }
        if req.passwd != session_passwd(req.session_id) {
            self.finish_session_init(conn, false, out);
            return None;
        }
        if self.touches.is_some() {
            return Some(Incoming::Revalidate { conn, session: req.session_id, timeout });
        }
        let valid = self.sessions.touch(req.session_id, ms(now));
        self.finish_session_init(conn, valid, out);
        None
    }

    /// `finishSessionInit`: answer the handshake; an invalid session gets
    /// timeout 0 and the connection is closed.
    pub fn finish_session_init(&mut self, conn: ConnId, valid: bool, out: &mut Effects<Zk>) {
        let Some(c) = self.cnxns.get(conn) else {
            return;
        };
        let session = c.session.unwrap_or(0);
        let resp = ConnectResponse {
            timeout_ms: if valid { c.timeout_ms } else { 0 },
            session_id: if valid { session } else { 0 },
            passwd: session_passwd(session),
            read_only: self.read_only,
        };
        send(out, conn, ServerMsg::Connected(resp));
        if valid {
            emit(out, ServerEvent::SessionAttached { session, conn });
        } else {
            self.close(conn, out);
        }
    }

    /// `addauth`: handled as the packet arrives, ahead of the pipeline.
    fn auth(&mut self, conn: ConnId, scheme: &str, auth: &[u8], out: &mut Effects<Zk>) {
        if !is_known_auth_scheme(scheme) {
            send(out, conn, ServerMsg::Reply { xid: xid::AUTH, zxid: 0, err: Code::AuthFailed, body: None });
            self.close(conn, out);
            return;
        }
        if let Some(c) = self.cnxns.get_mut(conn) {
            let id =
                if scheme == "ip" { Id::new("ip", c.addr.clone()) } else { Id::digest(&String::from_utf8_lossy(auth)) };
            c.add_auth(id);
        }
        send(out, conn, ServerMsg::Reply { xid: xid::AUTH, zxid: 0, err: Code::Ok, body: None });
    }

    // -------------------------------------------------------------- prepare

    /// Run prepare on a request (the leader's or standalone server's
    /// `PrepRequestProcessor`).
    pub fn prepare(&mut self, req: &mut PipelineRequest, owner: Owner, now: Instant) {
        let settings = PrepSettings { extended_types: self.cfg.extended_types_enabled, skip_acl: self.cfg.skip_acl };
        let cx = PrepContext {
            tree: &self.db.tree,
            sessions: &mut self.sessions,
            settings,
            zxid: &mut self.zxid,
            now_ms: ms(now),
        };
        let time = self.cfg.wall_ms(now);
        let prepared = match &req.op {
            PipelineOp::Client(r) => {
                let input = PrepInput { session: req.session, cxid: req.xid, request: r, auth: &req.auth, owner, time };
                self.prep.prepare(cx, &input)
            }
            PipelineOp::CreateSession { timeout } => {
                let r = Request::Ping;
                let input =
                    PrepInput { session: req.session, cxid: req.xid, request: &r, auth: &req.auth, owner, time };
                self.prep.prepare_create_session(cx, &input, *timeout)
            }
            PipelineOp::DeleteContainer { path } => self.prep.prepare_delete_container(cx, path, time),
            PipelineOp::Committed => return,
        };
        req.prepared = Some(prepared);
    }

    // ---------------------------------------------------------------- final

    /// `FinalRequestProcessor.processRequest`: apply the transaction (if
    /// any), deliver the watches it fired, and answer the client.
    pub fn finish(&mut self, req: PipelineRequest, now: Instant, out: &mut Effects<Zk>) {
        let mut fired = Vec::new();
        let mut rc = ApplyResult::default();
        let mut exception = None;
        let mut txn_err = None;
        match &req.prepared {
            Some(Prepared::Txn { header, txn, error }) => {
                let t = LoggedTxn { header: *header, txn: txn.clone() };
                rc = self.db.apply(&t, &mut fired);
                self.prep.applied(header.zxid);
                exception = *error;
                if let Txn::Error(code) = txn {
                    txn_err = Some(*code);
                }
                match txn {
                    Txn::CreateSession { timeout } => {
                        emit(out, ServerEvent::SessionCreated { session: header.session, timeout: *timeout })
                    }
                    Txn::CloseSession { .. } => {
                        self.sessions.remove(header.session);
                        emit(out, ServerEvent::SessionClosed { session: header.session });
                    }
                    _ => {}
                }
                emit(out, ServerEvent::Applied { txn: t, history: self.db.history });
            }
            Some(Prepared::NoTxn { error }) => exception = *error,
            None => {}
        }
        self.deliver(&fired, out);
        let closing = matches!(&req.prepared, Some(Prepared::Txn { txn: Txn::CloseSession { .. }, .. }));
        if closing && req.conn.is_none() {
            // An expired session: close its connections.
            for c in self.cnxns.of_session(req.session) {
                self.close(c, out);
            }
            return;
        }
        let Some(conn) = req.conn else { return };
        if self.cnxns.get(conn).is_none() {
            return;
        }
        if let PipelineOp::CreateSession { .. } = req.op {
            self.finish_session_init(conn, true, out);
            return;
        }
        let PipelineOp::Client(request) = &req.op else {
            return;
        };
        let last_zxid = self.db.last_processed_zxid();
        let (err, body) = match txn_err.or(exception.filter(|_| !matches!(request, Request::Multi(_)))) {
            Some(Code::SessionMoved) => {
                self.close(conn, out);
                return;
            }
            Some(code) => (code, None),
            None => self.respond(request, &req, &rc, conn, out),
        };
        if err == Code::SessionMoved {
            self.close(conn, out);
            return;
        }
        let reply_xid = match request {
            Request::Ping => xid::PING,
            Request::SetWatches(_) => xid::SET_WATCHES,
            _ => req.xid,
        };
        self.record_stats(conn, request, req.xid, last_zxid, req.arrived_ms, ms(now));
        send(out, conn, ServerMsg::Reply { xid: reply_xid, zxid: last_zxid, err, body });
        if closing {
            self.close(conn, out);
        }
    }

    fn record_stats(&mut self, conn: ConnId, r: &Request, cxid: i32, zxid: Zxid, arrived: u64, now: u64) {
        // `FinalRequestProcessor.updateStats`: pings count too.
        let (arrived, now) = (arrived as i64, now as i64);
        self.stats.update_latency(arrived, now);
        self.stats.packet_sent();
        if let Some(c) = self.cnxns.get_mut(conn) {
            c.stats.update_for_response(i64::from(cxid), zxid as i64, r.op_name(), arrived, now);
            c.stats.packet_sent();
        }
    }

    fn packet_received(&mut self, conn: ConnId) {
        self.stats.packet_received();
        if let Some(c) = self.cnxns.get_mut(conn) {
            c.stats.packet_received();
        }
    }

    /// Send each fired watch to its connection if that connection may READ
    /// the node (the parent for NodeChildrenChanged): CVE-2024-23944.
    fn deliver(&mut self, fired: &[Fired], out: &mut Effects<Zk>) {
        for f in fired {
            let Some(c) = self.cnxns.by_watcher(f.watcher) else {
                continue;
            };
            if !self.cfg.skip_acl && check_acl(&f.acl, perms::READ, &c.auth_info()).is_err() {
                continue;
            }
            let (conn, session) = (c.conn, c.session.unwrap_or(0));
            emit(out, ServerEvent::Notified { session, event: f.event.clone(), zxid: self.db.last_processed_zxid() });
            send(out, conn, ServerMsg::Notification(f.event.clone()));
            self.stats.packet_sent();
            if let Some(c) = self.cnxns.get_mut(conn) {
                c.stats.packet_sent();
            }
        }
    }

    fn check_read(&self, acl: &[znode::Acl], perm: i32, ids: &[Id]) -> Result<(), Code> {
        if self.cfg.skip_acl {
            return Ok(());
        }
        check_acl(acl, perm, ids)
    }

    /// The reply to a request that passed prepare: writes report what
    /// apply did; reads run here, on this server's tree.
    fn respond(
        &mut self,
        r: &Request,
        req: &PipelineRequest,
        rc: &ApplyResult,
        conn: ConnId,
        out: &mut Effects<Zk>,
    ) -> (Code, Option<Response>) {
        let err_or = |body: Response| match rc.err {
            Some(e) => (e, None),
            None => (Code::Ok, Some(body)),
        };
        let watcher = self.cnxns.get(conn).map(|c| c.watcher);
        let read = |res: Result<Response, Code>| match res {
            Ok(b) => (Code::Ok, Some(b)),
            Err(e) => (e, None),
        };
        match r {
            Request::Create { .. } => {
                err_or(Response::Create { path: rc.path.clone().unwrap_or_default(), stat: rc.stat })
            }
            Request::Delete { .. } => err_or(Response::Empty),
            Request::SetData { .. } | Request::SetAcl { .. } => err_or(Response::Stat(rc.stat.unwrap_or_default())),
            Request::CloseSession => err_or(Response::Empty),
            Request::Multi(_) => {
                let results = multi_results(rc);
                if results.contains(&OpResult::Error(Code::SessionMoved)) {
                    return (Code::SessionMoved, None);
                }
                (Code::Ok, Some(Response::Multi(results)))
            }
            Request::Ping => (Code::Ok, None),
            Request::Sync { path } => (Code::Ok, Some(Response::Path(path.clone()))),
            Request::Exists { path, watch } => {
                let res = self.exists(path, watch.then_some(watcher).flatten(), &req.auth);
                if *watch && matches!(res, Ok(_) | Err(Code::NoNode)) {
                    self.watch_added(req.session, path, "data", out);
                }
                read(res)
            }
            Request::GetData { path, watch } => {
                let res = self.get_data(path, watch.then_some(watcher).flatten(), &req.auth);
                if *watch && res.is_ok() {
                    self.watch_added(req.session, path, "data", out);
                }
                read(res)
            }
            Request::GetChildren { path, watch, with_stat } => {
                let res = self.get_children(path, watch.then_some(watcher).flatten(), *with_stat, &req.auth);
                if *watch && res.is_ok() {
                    self.watch_added(req.session, path, "child", out);
                }
                read(res)
            }
            Request::GetAcl { path } => read(self.get_acl(path, &req.auth)),
            Request::GetAllChildrenNumber { path } => {
                let res = self.db.tree.node(path).ok_or(Code::NoNode).and_then(|n| {
                    self.check_read(&n.acl, perms::READ, &req.auth)?;
                    Ok(Response::Count(self.db.tree.all_children_number(path)))
                });
                read(res)
            }
            Request::GetEphemerals { prefix } => {
                let all = self.db.tree.ephemerals_of(req.session).iter_order();
                let p = prefix.trim();
                let paths = if p.is_empty() || p == "/" {
                    all
                } else {
                    all.into_iter().filter(|e| e.starts_with(prefix.as_str())).collect()
                };
                (Code::Ok, Some(Response::Paths(paths)))
            }
            Request::WhoAmI => (Code::Ok, Some(Response::WhoAmI(client_infos(&req.auth)))),
            Request::AddWatch { path, mode } => {
                if let Some(w) = watcher {
                    self.db.tree.add_watch(path, w, *mode == znode::AddWatchMode::PersistentRecursive);
                    let kind =
                        if *mode == znode::AddWatchMode::Persistent { "persistent" } else { "persistent_recursive" };
                    self.watch_added(req.session, path, kind, out);
                }
                (Code::Ok, Some(Response::Empty))
            }
            Request::RemoveWatches { path, kind, all } => {
                let Some(w) = watcher else {
                    return (Code::NoWatcher, None);
                };
                let found = if *all {
                    self.db.tree.remove_watch(path, *kind, w)
                } else {
                    self.db.tree.contains_watcher(path, *kind, w)
                };
                if found {
                    if *all {
                        emit(out, ServerEvent::WatchRemoved { session: req.session, path: path.clone(), kind: *kind });
                    }
                    (Code::Ok, None)
                } else {
                    (Code::NoWatcher, None)
                }
            }
            Request::SetWatches(sw) => {
                if let Some(w) = watcher {
                    for e in self.db.tree.set_watches(sw, w) {
                        send(out, conn, ServerMsg::Notification(e));
                    }
                }
                (Code::Ok, None)
            }
            Request::Auth { .. } => (Code::Ok, None),
        }
    }

    fn watch_added(&self, session: SessionId, path: &str, kind: &'static str, out: &mut Effects<Zk>) {
        emit(out, ServerEvent::WatchAdded { session, path: path.to_string(), kind: kind.to_string() });
    }

    /// exists: a NUL is BADARGUMENTS; READ is checked only with the 3.8.4+
    /// switch (the traces' 3.8.0 checks none); the watch is left even when
    /// the node is missing.
    fn exists(&mut self, path: &str, watcher: Option<znode::WatcherId>, ids: &[Id]) -> Result<Response, Code> {
        if path.contains('\0') {
            return Err(Code::BadArguments);
        }
        if self.cfg.exists_requires_read {
            if let Some(n) = self.db.tree.node(path) {
                self.check_read(&n.acl, perms::READ, ids)?;
            }
        }
        self.db.tree.stat_node(path, watcher).map(Response::Stat)
    }

    fn get_data(&mut self, path: &str, watcher: Option<znode::WatcherId>, ids: &[Id]) -> Result<Response, Code> {
        let n = self.db.tree.node(path).ok_or(Code::NoNode)?;
        self.check_read(&n.acl, perms::READ, ids)?;
        self.db.tree.get_data(path, watcher).map(|(data, stat)| Response::Data { data, stat })
    }

    fn get_children(
        &mut self,
        path: &str,
        watcher: Option<znode::WatcherId>,
        with_stat: bool,
        ids: &[Id],
    ) -> Result<Response, Code> {
        let n = self.db.tree.node(path).ok_or(Code::NoNode)?;
        self.check_read(&n.acl, perms::READ, ids)?;
        self.db
            .tree
            .get_children(path, watcher)
            .map(|(children, stat)| Response::Children { children, stat: with_stat.then_some(stat) })
    }

    /// getACL: READ or ADMIN; without ADMIN digest ids are masked.
    fn get_acl(&self, path: &str, ids: &[Id]) -> Result<Response, Code> {
        let n = self.db.tree.node(path).ok_or(Code::NoNode)?;
        self.check_read(&n.acl, perms::READ | perms::ADMIN, ids)?;
        let stat = n.client_stat();
        let acl = if self.check_read(&n.acl, perms::ADMIN, ids).is_ok() { n.acl.clone() } else { mask_digests(&n.acl) };
        Ok(Response::Acl { acl, stat })
    }

    // --------------------------------------------------- server-made requests

    /// Sessions whose time is up: each gets a closeSession request.
    pub fn expired_sessions(&mut self, now: Instant, out: &mut Effects<Zk>) -> Vec<PipelineRequest> {
        let ids = self.sessions.expire_due(ms(now));
        ids.into_iter()
            .map(|session| {
                emit(out, ServerEvent::SessionExpired { session });
                PipelineRequest {
                    conn: None,
                    session,
                    xid: 0,
                    op: PipelineOp::Client(Request::CloseSession),
                    auth: Vec::new(),
                    arrived_ms: ms(now),
                    prepared: None,
                }
            })
            .collect()
    }

    /// `ContainerManager.getCandidates`: empty containers that once had a
    /// child (or were never used for longer than allowed) and TTL nodes
    /// without children idle past their TTL.
    pub fn container_candidates(&self, now: Instant) -> Vec<String> {
        let wall = self.cfg.wall_ms(now);
        let tree = &self.db.tree;
        let mut out = Vec::new();
        for p in tree.containers() {
            let Some(n) = tree.node(p) else { continue };
            if !n.children.is_empty() {
                continue;
            }
            let never_used = self.cfg.container_max_never_used_interval_ms;
            let idle = wall.saturating_sub(n.stat.mtime);
            if n.stat.cversion > 0 || (never_used > 0 && idle > never_used) {
                out.push(p.clone());
            }
        }
        for p in tree.ttls() {
            let Some(n) = tree.node(p) else { continue };
            if let znode::EphemeralKind::Ttl(ttl) = n.kind() {
                if n.children.is_empty() && wall.saturating_sub(n.stat.mtime) > ttl {
                    out.push(p.clone());
                }
            }
        }
        out
    }

    pub fn delete_container_request(&self, path: String, now: Instant) -> PipelineRequest {
        PipelineRequest {
            conn: None,
            session: 0,
            xid: 0,
            op: PipelineOp::DeleteContainer { path },
            auth: Vec::new(),
            arrived_ms: ms(now),
            prepared: None,
        }
    }

    /// Watches as seen by one kind of manager (for views and 4lw).
    pub fn watcher_session(&self, w: znode::WatcherId) -> Option<SessionId> {
        self.cnxns.by_watcher(w).and_then(|c| c.session)
    }

    pub fn watch_kind_name(kind: WatcherType) -> &'static str {
        match kind {
            WatcherType::Children => "child",
            WatcherType::Data => "data",
            WatcherType::Any => "any",
        }
    }
}

/// A multi's reply: one result per op.
fn multi_results(rc: &ApplyResult) -> Vec<OpResult> {
    rc.multi
        .iter()
        .map(|s| match s.txn {
            SubKind::Create(op) => OpResult::Create {
                path: s.path.clone().unwrap_or_default(),
                stat: if op.returns_stat() { s.stat } else { None },
            },
            SubKind::Delete => OpResult::Delete,
            SubKind::SetData => OpResult::SetData(s.stat.unwrap_or_default()),
            SubKind::Check => OpResult::Check,
            SubKind::Error => OpResult::Error(s.err),
        })
        .collect()
}

/// `AuthUtil.getClientInfos`: scheme and user name per id.
fn client_infos(ids: &[Id]) -> Vec<ClientInfo> {
    ids.iter()
        .map(|id| ClientInfo {
            auth_scheme: id.scheme.clone(),
            user: if id.scheme == "digest" { id.id.split(':').next().unwrap_or("").to_string() } else { id.id.clone() },
        })
        .collect()
}
