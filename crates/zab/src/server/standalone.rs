//! A one-server ZooKeeper: Prep → Sync → Final, all in order. A write is
//! appended to the log when prepared and answered once a disk sync covers
//! it; reads queued behind a write wait for it, as in
//! `SyncRequestProcessor`.

use super::core::{Incoming, PipelineRequest, ServerCore};
use super::fourlw::ServingMode;
use super::sessions::Owner;
use super::{ServerCall, ServerConfig, ServerEvent, ServerTimer, ServerWrite};
use crate::wire::{Zk, ZkCall, ZkEvent, ZkMsg, ZkTimer};
use actor::{Duration, Effect, Effects, Input, Instant, Node, NodeId};
use std::collections::VecDeque;

/// A standalone ZooKeeper server.
pub struct StandaloneServer {
    cfg: ServerConfig,
    me: NodeId,
    /// `None` until the process boots.
    core: Option<ServerCore>,
    /// Requests past prepare, each with the number of log writes that
    /// must be durable before it may finish.
    queue: VecDeque<(PipelineRequest, u64)>,
    logged: u64,
    durable: u64,
    sync_in_flight: bool,
    expiry_armed: Option<u64>,
}

impl StandaloneServer {
    pub fn new(me: NodeId, cfg: ServerConfig) -> Self {
        StandaloneServer {
            cfg,
            me,
            core: None,
            queue: VecDeque::new(),
            logged: 0,
            durable: 0,
            sync_in_flight: false,
            expiry_armed: None,
        }
    }

    /// The server's state, once booted (for views and tests).
    pub fn core(&self) -> Option<&ServerCore> {
        self.core.as_ref()
    }

    fn boot(&mut self, disk: Vec<ServerWrite>, now: Instant, out: &mut Effects<Zk>) {
        let (db, loaded) = crate::quorum::disk::DiskState::replay(&disk, false).load_db();
        let replayed = disk.len();
        let core = ServerCore::new(self.cfg.clone(), self.me, db, now);
        let last_zxid = core.db.last_processed_zxid();
        let sessions = core.db.sessions.iter().map(|(id, t)| (*id, *t)).collect();
        self.core = Some(core);
        self.queue.clear();
        self.logged = 0;
        self.durable = 0;
        self.sync_in_flight = false;
        self.expiry_armed = None;
        out.push(Effect::Emit {
            event: ZkEvent::Server(ServerEvent::Booted { last_zxid, replayed, sessions, loaded }),
        });
        if self.cfg.container_cleanup {
            let at = now + Duration::from_millis(self.cfg.container_check_interval_ms);
            out.push(Effect::SetTimer { timer: ZkTimer::Server(ServerTimer::ContainerCheck), at });
        }
        self.arm_expiry(out);
    }

    fn arm_expiry(&mut self, out: &mut Effects<Zk>) {
        let Some(core) = &self.core else { return };
        let next = core.sessions.next_expiry_ms();
        if next == self.expiry_armed {
            return;
        }
        self.expiry_armed = next;
        let timer = ZkTimer::Server(ServerTimer::SessionExpiry);
        match next {
            Some(t) => out.push(Effect::SetTimer { timer, at: Instant(t.saturating_mul(1000)) }),
            None => out.push(Effect::CancelTimer { timer }),
        }
    }

    fn submit(&mut self, mut req: PipelineRequest, now: Instant, out: &mut Effects<Zk>) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        core.prepare(&mut req, Owner::Local, now);
        if let Some(t) = req.logged() {
            self.logged += 1;
            out.push(Effect::Write { write: ServerWrite::Txn(t) });
        }
        self.queue.push_back((req, self.logged));
        self.pump(now, out);
    }

    /// Finish every request whose writes are durable, then ask for a sync
    /// if logged writes are waiting for one.
    fn pump(&mut self, now: Instant, out: &mut Effects<Zk>) {
        while self.queue.front().is_some_and(|(_, need)| *need <= self.durable) {
            if let (Some((req, _)), Some(core)) = (self.queue.pop_front(), self.core.as_mut()) {
                core.finish(req, now, out);
            }
        }
        if !self.sync_in_flight && self.logged > self.durable {
            self.sync_in_flight = true;
            out.push(Effect::Sync { token: self.logged });
        }
        self.arm_expiry(out);
    }

    fn on_timer(&mut self, timer: ServerTimer, now: Instant, out: &mut Effects<Zk>) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        let requests = match timer {
            ServerTimer::SessionExpiry => {
                self.expiry_armed = None;
                core.expired_sessions(now, out)
            }
            ServerTimer::ContainerCheck => {
                let at = now + Duration::from_millis(self.cfg.container_check_interval_ms);
                out.push(Effect::SetTimer { timer: ZkTimer::Server(ServerTimer::ContainerCheck), at });
                core.container_candidates(now).into_iter().map(|p| core.delete_container_request(p, now)).collect()
            }
            _ => Vec::new(),
        };
        for r in requests {
            self.submit(r, now, out);
        }
        self.arm_expiry(out);
    }
}

impl Node for StandaloneServer {
    type P = Zk;

    fn step(&mut self, now: Instant, input: Input<Zk>, out: &mut Effects<Zk>) {
        if let Input::Boot { disk, .. } = input {
            self.boot(disk, now, out);
            return;
        }
        let Some(core) = self.core.as_mut() else {
            return;
        };
        match input {
            Input::Boot { .. } => {}
            Input::Accepted { conn, .. } => core.accepted(conn, now),
            Input::Closed { conn, .. } => core.closed(conn),
            Input::Received { conn, msg: ZkMsg::Client(m) } => match core.received(conn, m, now, out) {
                Some(Incoming::Request(req)) => self.submit(req, now, out),
                Some(Incoming::FourLetter { conn, word }) => {
                    let mut view = core.four_letter_view(now, ServingMode::Standalone, conn);
                    view.outstanding_requests = self.queue.len() as u64;
                    core.answer_four_letter(conn, &word, view, out);
                }
                Some(Incoming::Revalidate { .. }) | None => {}
            },
            Input::Received { .. } | Input::Connected { .. } | Input::Datagram { .. } => {}
            Input::Timer(ZkTimer::Server(t)) => self.on_timer(t, now, out),
            Input::Timer(ZkTimer::Client(_) | ZkTimer::Workload) => {}
            Input::Synced { token } => {
                self.sync_in_flight = false;
                self.durable = self.durable.max(token);
                self.pump(now, out);
            }
            Input::Call(ZkCall::Server(ServerCall::CheckContainers)) => {
                let reqs: Vec<_> =
                    core.container_candidates(now).into_iter().map(|p| core.delete_container_request(p, now)).collect();
                for r in reqs {
                    self.submit(r, now, out);
                }
            }
            Input::Call(ZkCall::Client(_) | ZkCall::Console(_)) => {}
        }
    }
}
