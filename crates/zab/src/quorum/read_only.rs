//! Read-only mode (`ReadOnlyZooKeeperServer`, PROTOCOL.md §4.7): a peer
//! that has been LOOKING for `max(2000 ms, tickTime)` with
//! `readonlymode.enabled` serves its current — possibly stale — tree to
//! clients that allow read-only connections, until an election ends.
//!
//! Since 3.7 it creates only local sessions: with `localSessionsEnabled`
//! off, no session can be opened here at all. Writes and `sync` answer
//! NOTREADONLY; a global session may not reconnect here.

use super::leader::arm_expiry;
use super::peer::{emit, Shared};
use crate::server::core::{ms, Incoming, PipelineOp};
use crate::server::sessions::{Owner, SessionTracker};
use crate::server::ServerEvent;
use crate::wire::{ClientMsg, ServerMsg, Zk, ZkMsg};
use actor::{ConnId, Effect, Effects, Instant};
use znode::{Code, Request};

/// A running read-only server.
#[derive(Debug, Default)]
pub struct ReadOnlyServer {
    expiry_armed: Option<u64>,
}

fn reply_error(out: &mut Effects<Zk>, conn: ConnId, xid: i32, zxid: u64, err: Code) {
    out.push(Effect::Send { conn, msg: ZkMsg::Server(ServerMsg::Reply { xid, zxid, err, body: None }) });
}

/// What a read-only server refuses to do (`ReadOnlyRequestProcessor`).
fn refused(r: &Request) -> bool {
    match r {
        Request::CloseSession => false,
        Request::Sync { .. } => true,
        other => other.is_write(),
    }
}

impl ReadOnlyServer {
    /// Start serving read-only on the tree as it is.
    pub fn start(s: &mut Shared, now: Instant, out: &mut Effects<Zk>) -> Self {
        s.core.read_only = true;
        s.core.touches = None;
        s.core.prep.clear();
        // A fresh tracker: only the sessions opened here, all local.
        s.core.sessions = SessionTracker::new(u64::from(s.cfg.tick_time), s.sid, s.cfg.wall_ms(now).max(0) as u64);
        emit(out, ServerEvent::ReadOnly { serving: true });
        ReadOnlyServer::default()
    }

    /// The election ended: stop, dropping every client.
    pub fn stop(self, s: &mut Shared, out: &mut Effects<Zk>) {
        s.core.read_only = false;
        s.close_clients(out);
        out.push(Effect::CancelTimer { timer: super::peer::timer(crate::server::ServerTimer::SessionExpiry) });
        emit(out, ServerEvent::ReadOnly { serving: false });
    }

    /// A client's packet.
    pub fn client(&mut self, s: &mut Shared, conn: ConnId, m: ClientMsg, now: Instant, out: &mut Effects<Zk>) {
        if let ClientMsg::Connect(req) = &m {
            let refusal = if !req.read_only {
                Some("Refusing session request for not-read-only client")
            } else if req.session_id != 0 && s.core.db.sessions.contains_key(&req.session_id) {
                Some("Refusing global session reconnection in RO mode")
            } else {
                None
            };
            if let Some(reason) = refusal {
                emit(out, ServerEvent::ConnectionRefused { conn, reason: reason.into() });
                s.core.close(conn, out);
                return;
            }
        }
        let last = s.last_processed();
        match s.core.received(conn, m, now, out) {
            Some(Incoming::Request(mut req)) => match &req.op {
                PipelineOp::CreateSession { .. } if s.cfg.local_sessions_enabled => {
                    s.core.finish_session_init(conn, true, out);
                }
                PipelineOp::CreateSession { .. } => {
                    // Only local sessions here, and they are off: a bare
                    // error header instead of a ConnectResponse.
                    s.core.sessions.remove(req.session);
                    reply_error(out, conn, 0, last, Code::NotReadOnly);
                    s.core.close(conn, out);
                }
                PipelineOp::Client(Request::CloseSession) => {
                    s.core.sessions.remove(req.session);
                    out.push(Effect::Send {
                        conn,
                        msg: ZkMsg::Server(ServerMsg::Reply {
                            xid: req.xid,
                            zxid: last,
                            err: Code::Ok,
                            body: Some(znode::Response::Empty),
                        }),
                    });
                    s.core.close(conn, out);
                }
                PipelineOp::Client(r) if refused(r) => reply_error(out, conn, req.xid, last, Code::NotReadOnly),
                _ => {
                    s.core.prepare(&mut req, Owner::Local, now);
                    s.core.finish(req, now, out);
                }
            },
            Some(Incoming::Revalidate { conn, session, .. }) => {
                let valid = s.core.sessions.touch(session, ms(now));
                s.core.finish_session_init(conn, valid, out);
            }
            Some(Incoming::FourLetter { .. }) | None => {}
        }
        arm_expiry(&mut self.expiry_armed, &s.core, out);
    }

    /// Local sessions that expired: their connections close; nothing is
    /// logged (a local session has no ephemerals to remove).
    pub fn expire(&mut self, s: &mut Shared, now: Instant, out: &mut Effects<Zk>) {
        self.expiry_armed = None;
        for req in s.core.expired_sessions(now, out) {
            s.core.sessions.remove(req.session);
            for c in s.core.cnxns.of_session(req.session) {
                s.core.close(c, out);
            }
        }
        arm_expiry(&mut self.expiry_armed, &s.core, out);
    }
}
