//! Replaying a trace: every client of the trace is a real client node in a
//! world with the trace's servers, and each step's result and events are
//! turned back into the trace's JSON shapes.

use super::format::{AclEntry, Op, Step, TraceFile};
use crate::trace::Record;
use crate::world::World;
use actor::{Duration, Instant, NodeId};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use zab::quorum::{Members, QuorumPeer};
use zab::{
    Client, ClientCall, ClientConfig, ClientEvent, ClientState, ServerConfig, ServerEvent, StandaloneServer, Zk,
    ZkCall, ZkEvent,
};
use znode::{Acl, AddWatchMode, Code, CreateMode, CreateOp, EventType, MultiOp, OpResult, Request, Response, Stat};

/// What one step produced, in the trace's shapes (zxids not yet normalized).
#[derive(Clone, Debug)]
pub struct StepOutcome {
    pub result: Value,
    pub events: BTreeMap<String, Vec<Value>>,
}

/// How long a step may take in virtual time before the replay gives up.
const STEP_DEADLINE: Duration = Duration::from_secs(60);
/// How long an ensemble may take to elect a leader and have every
/// follower serving before the replay gives up.
const FORM_DEADLINE: Duration = Duration::from_secs(60);
/// The recording ensemble's tickTime (start-ensemble.sh).
const RECORDED_TICK_MS: u32 = 200;
const LINK_LATENCY: Duration = Duration::from_micros(100);
const DISK_LATENCY: Duration = Duration::from_micros(50);

/// A world set up for a trace, and the names of its sessions.
pub struct Replayer {
    world: World<Zk>,
    servers: Vec<NodeId>,
    clients: BTreeMap<String, NodeId>,
    node_names: BTreeMap<NodeId, String>,
    session_names: BTreeMap<u64, String>,
    sessions_opened: BTreeMap<String, usize>,
    next_node: u32,
    next_tag: u64,
}

/// The server settings a replay uses: defaults, TTL nodes on, container
/// and TTL clean-up off (FORMAT.md, "Replaying").
pub fn replay_server_config() -> ServerConfig {
    ServerConfig { extended_types_enabled: true, container_cleanup: false, ..ServerConfig::sample() }
}

/// An ensemble member's settings in a replay: [`replay_server_config`]
/// with the recording ensemble's tickTime (initLimit 10 and syncLimit 5 as
/// in the sample zoo.cfg and in start-ensemble.sh).
pub fn ensemble_server_config() -> ServerConfig {
    ServerConfig { tick_time: RECORDED_TICK_MS, init_limit: 10, sync_limit: 5, ..replay_server_config() }
}

impl Replayer {
    /// A fresh standalone server for every client of the trace.
    pub fn standalone() -> Self {
        let mut world = World::with_latency(LINK_LATENCY);
        let id = NodeId(1);
        world.add_node(id, Box::new(StandaloneServer::new(id, replay_server_config())), DISK_LATENCY);
        world.boot(id);
        world.run_until(Instant::ZERO + STEP_DEADLINE, |w| !w.in_flight());
        Replayer {
            world,
            servers: vec![id],
            clients: BTreeMap::new(),
            node_names: BTreeMap::new(),
            session_names: BTreeMap::new(),
            sessions_opened: BTreeMap::new(),
            next_node: 100,
            next_tag: 0,
        }
    }

    /// A fresh ensemble of `n` voters (node ids and sids 1..=n), run until
    /// its leader is established and every follower serves.
    ///
    /// The settings are [`replay_server_config`] with the recording
    /// ensemble's quorum settings (start-ensemble.sh): tickTime 200 ms,
    /// initLimit 10, syncLimit 5.
    pub fn ensemble(n: usize) -> Result<Self, String> {
        if n == 0 || n > 9 {
            return Err(format!("{n} servers: an ensemble has 1 to 9"));
        }
        let ids: Vec<NodeId> = (1..=n as u32).map(NodeId).collect();
        let voters = ids.iter().map(|id| u64::from(id.0)).collect();
        Self::form(Members { voters, observers: Default::default() }, &ids)
    }

    /// Boot `boot` (members all, added as nodes `sid`) and run until every
    /// booted server serves: one as the established leader, the others as
    /// followers that finished syncing.
    fn form(members: Members, boot: &[NodeId]) -> Result<Self, String> {
        let cfg = ensemble_server_config();
        let ids: Vec<NodeId> = members.all().iter().map(|sid| NodeId(*sid as u32)).collect();
        let mut world = World::with_latency(LINK_LATENCY);
        for &id in &ids {
            world.add_node(id, Box::new(QuorumPeer::new(id, cfg.clone(), members.clone())), DISK_LATENCY);
        }
        for &id in boot {
            world.boot(id);
        }
        // Who serves now, folded from the log as it grows.
        let mut serving: BTreeMap<NodeId, bool> = BTreeMap::new();
        let mut leader = None;
        let mut seen = 0;
        let mut last_reason = None;
        let formed = world.run_until(Instant::ZERO + FORM_DEADLINE, |w| {
            for e in &w.log()[seen..] {
                let Record::Emit { node, event: ZkEvent::Server(ev) } = &e.what else { continue };
                match ev {
                    ServerEvent::Established { .. } => {
                        leader = Some(*node);
                        serving.insert(*node, true);
                    }
                    ServerEvent::Serving { .. } => {
                        serving.insert(*node, true);
                    }
                    ServerEvent::ShutDown { reason } | ServerEvent::Fatal { reason } => {
                        serving.insert(*node, false);
                        if leader == Some(*node) {
                            leader = None;
                        }
                        last_reason = Some(format!("server {} {reason}", node.0));
                    }
                    _ => {}
                }
            }
            seen = w.log().len();
            leader.is_some() && boot.iter().all(|id| serving.get(id).copied().unwrap_or(false))
        });
        if !formed {
            let up: Vec<String> = serving.iter().filter(|(_, up)| **up).map(|(id, _)| id.0.to_string()).collect();
            return Err(format!(
                "the {}-server ensemble did not form within {} s of virtual time: leader {}, serving [{}]{}",
                ids.len(),
                FORM_DEADLINE.as_millis() / 1000,
                leader.map_or("none".to_string(), |l| l.0.to_string()),
                up.join(","),
                last_reason.map(|r| format!("; last shutdown: {r}")).unwrap_or_default()
            ));
        }
        let settle = world.now() + STEP_DEADLINE;
        world.run_until(settle, |w| !w.in_flight());
        world.take_log();
        Ok(Replayer {
            world,
            servers: ids,
            clients: BTreeMap::new(),
            node_names: BTreeMap::new(),
            session_names: BTreeMap::new(),
            sessions_opened: BTreeMap::new(),
            next_node: 100,
            next_tag: 0,
        })
    }

    /// The world the replay runs in (for tests and views).
    pub fn world(&self) -> &World<Zk> {
        &self.world
    }

    /// Every session opened so far, by id, with its trace name (`a#1`).
    pub fn sessions(&self) -> &BTreeMap<u64, String> {
        &self.session_names
    }

    fn deadline(&self) -> Instant {
        self.world.now() + STEP_DEADLINE
    }

    /// Run one step and report what it produced.
    pub fn step(&mut self, step: &Step) -> Result<StepOutcome, String> {
        self.world.take_log();
        let result = match &step.op {
            Op::Connect { server } => self.connect(&step.client, *server)?,
            Op::Close {} => self.close(&step.client)?,
            Op::AddAuth { scheme, auth } => {
                let node = self.client(&step.client)?;
                self.world.call(
                    node,
                    ZkCall::Client(ClientCall::AddAuth { scheme: scheme.clone(), auth: auth.clone().into_bytes() }),
                );
                json!({"ok": null})
            }
            op => {
                let node = self.client(&step.client)?;
                let req = request_of(op)?;
                let outcome = self.request(node, req.clone())?;
                self.result_json(op, &req, outcome)
            }
        };
        let deadline = self.deadline();
        self.world.run_until(deadline, |w| !w.in_flight());
        let mut events: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for e in self.world.log() {
            if let Record::Emit { node, event: ZkEvent::Client(ClientEvent::Watch(w)) } = &e.what {
                let node_event = matches!(
                    w.kind,
                    EventType::NodeCreated
                        | EventType::NodeDeleted
                        | EventType::NodeDataChanged
                        | EventType::NodeChildrenChanged
                );
                if let (true, Some(name), Some(path)) = (node_event, self.node_names.get(node), &w.path) {
                    events.entry(name.clone()).or_default().push(json!({"type": w.kind.name(), "path": path}));
                }
            }
        }
        if matches!(step.op, Op::Close {}) {
            events.remove(&step.client);
        }
        Ok(StepOutcome { result, events })
    }

    fn client(&self, name: &str) -> Result<NodeId, String> {
        self.clients.get(name).copied().ok_or_else(|| format!("client {name} has no session"))
    }

    /// A new session for `name` on the trace's server `server` (0-based:
    /// the recorder's server k is `server.(k+1)`, our node k+1). A trace
    /// recorded on more servers than the replay has wraps around.
    fn connect(&mut self, name: &str, server: usize) -> Result<Value, String> {
        let n = self.servers.len().max(1);
        let target = self.servers.get(server % n).copied().ok_or("no servers")?;
        self.next_node += 1;
        let me = NodeId(self.next_node);
        let cfg = ClientConfig {
            me,
            servers: vec![target],
            session_timeout_ms: 30_000,
            can_be_read_only: false,
            addr: "127.0.0.1".into(),
            seed: u64::from(me.0),
        };
        self.world.add_node(me, Box::new(Client::new(cfg)), Duration::ZERO);
        self.world.boot(me);
        let deadline = self.deadline();
        let mut session = None;
        let connected = self.world.run_until(deadline, |w| {
            w.log().iter().any(|e| {
                matches!(&e.what, Record::Emit { node, event: ZkEvent::Client(ClientEvent::State { state: ClientState::Connected, .. }) } if *node == me)
            })
        });
        for e in self.world.log() {
            if let Record::Emit { node, event: ZkEvent::Client(ClientEvent::Session { id, .. }) } = &e.what {
                if *node == me {
                    session = Some(*id);
                }
            }
        }
        let (true, Some(id)) = (connected, session) else {
            return Err(format!("client {name} could not connect"));
        };
        let n = self.sessions_opened.entry(name.to_string()).or_insert(0);
        *n += 1;
        self.session_names.insert(id, format!("{name}#{n}"));
        self.clients.insert(name.to_string(), me);
        self.node_names.insert(me, name.to_string());
        Ok(json!({"ok": null}))
    }

    fn close(&mut self, name: &str) -> Result<Value, String> {
        let node = self.client(name)?;
        self.next_tag += 1;
        let tag = self.next_tag;
        self.world.call(node, ZkCall::Client(ClientCall::Close { tag }));
        // kazoo reports nothing for a close, whatever the server said.
        let _ = self.wait_result(node, tag)?;
        self.clients.remove(name);
        Ok(json!({"ok": null}))
    }

    fn request(&mut self, node: NodeId, req: Request) -> Result<Result<Response, Code>, String> {
        self.next_tag += 1;
        let tag = self.next_tag;
        self.world.call(node, ZkCall::Client(ClientCall::Request { tag, req }));
        self.wait_result(node, tag)
    }

    fn wait_result(&mut self, node: NodeId, tag: u64) -> Result<Result<Response, Code>, String> {
        let find = |w: &World<Zk>| {
            w.log().iter().find_map(|e| match &e.what {
                Record::Emit { node: n, event: ZkEvent::Client(ClientEvent::Result { tag: t, result, .. }) }
                    if *n == node && *t == tag =>
                {
                    Some(result.clone())
                }
                _ => None,
            })
        };
        let deadline = self.deadline();
        self.world.run_until(deadline, |w| find(w).is_some());
        find(&self.world).ok_or_else(|| "no reply within 60 s of virtual time".to_string())
    }

    fn stat_json(&self, s: &Stat) -> Value {
        let owner = if s.ephemeral_owner == 0 {
            Value::Null
        } else {
            Value::from(self.session_names.get(&s.ephemeral_owner).cloned().unwrap_or_else(|| "?".into()))
        };
        json!({
            "czxid": s.czxid, "mzxid": s.mzxid, "pzxid": s.pzxid, "version": s.version,
            "cversion": s.cversion, "aversion": s.aversion, "ephemeral_owner": owner,
            "data_length": s.data_length, "num_children": s.num_children,
        })
    }

    fn result_json(&self, op: &Op, req: &Request, outcome: Result<Response, Code>) -> Value {
        let body = match (op, outcome) {
            (Op::Exists { .. }, Err(Code::NoNode)) => return json!({"ok": null}),
            (Op::Multi { .. }, Ok(Response::Multi(rs))) => return self.multi_json(req, &rs),
            (_, Err(code)) => return json!({"error": code.name()}),
            (_, Ok(body)) => body,
        };
        let ok = match body {
            Response::Create { path, stat } => match stat {
                Some(s) => json!({"path": path, "stat": self.stat_json(&s)}),
                None => json!({"path": path}),
            },
            Response::Stat(s) => self.stat_json(&s),
            Response::Data { data, stat } => json!({
                "data": String::from_utf8_lossy(data.as_deref().unwrap_or_default()),
                "stat": self.stat_json(&stat),
            }),
            Response::Children { children, stat } => {
                let mut c = children;
                c.sort();
                json!({"children": c, "stat": stat.map(|s| self.stat_json(&s))})
            }
            Response::Acl { acl, stat } => {
                json!({"acl": acl_json(&acl), "stat": self.stat_json(&stat)})
            }
            Response::Path(p) => json!({"path": p}),
            _ => Value::Null,
        };
        json!({"ok": ok})
    }

    fn multi_json(&self, req: &Request, rs: &[OpResult]) -> Value {
        if rs.iter().any(|r| matches!(r, OpResult::Error(_))) {
            let codes: Vec<&str> = rs
                .iter()
                .map(|r| match r {
                    OpResult::Error(c) => c.name(),
                    _ => "OK",
                })
                .collect();
            return json!({"error": codes});
        }
        let _ = req;
        let out: Vec<Value> = rs
            .iter()
            .map(|r| match r {
                OpResult::Create { path, .. } => json!({"path": path}),
                OpResult::SetData(s) => self.stat_json(s),
                _ => Value::Null,
            })
            .collect();
        json!({"ok": out})
    }
}

fn acl_json(acl: &[Acl]) -> Value {
    Value::Array(acl.iter().map(|a| json!({"perms": a.perms, "scheme": a.id.scheme, "id": a.id.id})).collect())
}

fn acl_of(entries: &[AclEntry]) -> Vec<Acl> {
    entries.iter().map(|e| Acl::new(e.perms, &e.scheme, &e.id)).collect()
}

fn mode_of(name: &str) -> Result<CreateMode, String> {
    CreateMode::from_snake_name(name).ok_or_else(|| format!("unknown create mode {name:?}"))
}

/// The request the recorder's kazoo call sends for a step's op.
fn request_of(op: &Op) -> Result<Request, String> {
    Ok(match op {
        Op::Create { path, data, acl, mode, ttl } => {
            let mode = mode_of(mode)?;
            let op = if mode.is_container() {
                CreateOp::Container
            } else if mode.is_ttl() {
                CreateOp::Ttl(ttl.unwrap_or(-1))
            } else {
                CreateOp::Create2
            };
            Request::Create { path: path.clone(), data: Some(data.clone().into_bytes()), acl: acl_of(acl), mode, op }
        }
        Op::Delete { path, version } => Request::Delete { path: path.clone(), version: *version },
        Op::Exists { path, watch } => Request::Exists { path: path.clone(), watch: *watch },
        Op::Get { path, watch } => Request::GetData { path: path.clone(), watch: *watch },
        Op::Set { path, data, version } => {
            Request::SetData { path: path.clone(), data: Some(data.clone().into_bytes()), version: *version }
        }
        Op::Children { path, watch } => Request::GetChildren { path: path.clone(), watch: *watch, with_stat: true },
        Op::GetAcl { path } => Request::GetAcl { path: path.clone() },
        Op::SetAcl { path, acl, version } => {
            Request::SetAcl { path: path.clone(), acl: acl_of(acl), version: *version }
        }
        Op::Sync { path } => Request::Sync { path: path.clone() },
        Op::AddWatch { path, mode } => Request::AddWatch {
            path: path.clone(),
            mode: match mode.as_str() {
                "persistent" => AddWatchMode::Persistent,
                "persistent_recursive" => AddWatchMode::PersistentRecursive,
                m => return Err(format!("unknown watch mode {m:?}")),
            },
        },
        Op::Multi { ops } => Request::Multi(ops.iter().map(multi_op_of).collect::<Result<_, _>>()?),
        Op::Connect { .. } | Op::Close {} | Op::AddAuth { .. } | Op::Check { .. } => {
            return Err(format!("{} is not a request", op.name()))
        }
    })
}

fn multi_op_of(op: &Op) -> Result<MultiOp, String> {
    Ok(match op {
        Op::Create { path, data, acl, mode, .. } => MultiOp::Create {
            path: path.clone(),
            data: Some(data.clone().into_bytes()),
            acl: acl_of(acl),
            mode: mode_of(mode)?,
            op: CreateOp::Create,
        },
        Op::Delete { path, version } => MultiOp::Delete { path: path.clone(), version: *version },
        Op::Set { path, data, version } => {
            MultiOp::SetData { path: path.clone(), data: Some(data.clone().into_bytes()), version: *version }
        }
        Op::Check { path, version } => MultiOp::Check { path: path.clone(), version: *version },
        other => return Err(format!("{} cannot be part of a multi", other.name())),
    })
}

/// Replay a whole trace; returns each step's outcome.
///
/// `servers` is what to replay on, whatever the trace's own `servers`
/// says: 1 is a standalone server, more an ensemble of that many voters
/// (each client's server index is taken modulo `servers`).
pub fn replay(trace: &TraceFile, servers: usize) -> Result<Vec<StepOutcome>, String> {
    let mut r = match servers {
        0 => return Err("a replay needs at least one server".into()),
        1 => Replayer::standalone(),
        n => Replayer::ensemble(n)?,
    };
    trace.steps.iter().enumerate().map(|(i, s)| r.step(s).map_err(|e| format!("step {}: {e}", i + 1))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ensemble_forms_with_every_server_serving() {
        let r = Replayer::ensemble(3).expect("forms");
        assert_eq!(r.servers, vec![NodeId(1), NodeId(2), NodeId(3)]);
        assert!(r.world.now() < Instant::ZERO + Duration::from_secs(2), "formed at {:?}", r.world.now());
    }

    #[test]
    fn an_ensemble_without_a_quorum_is_a_clear_error() {
        let members = Members { voters: [1, 2, 3].into(), observers: Default::default() };
        let err = Replayer::form(members, &[NodeId(1)]).err().expect("no quorum, no leader");
        assert!(err.contains("did not form within 60 s"), "{err}");
        assert!(err.contains("leader none"), "{err}");
        assert!(Replayer::ensemble(0).is_err());
    }
}
