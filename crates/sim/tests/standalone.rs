//! Scenario tests: a standalone server and its clients in the world,
//! checked through what the clients and the server report.

use actor::{Duration, Instant, NodeId};
use sim::{Record, World};
use zab::{
    Client, ClientCall, ClientConfig, ClientEvent, ClientState, ServerConfig, ServerEvent, StandaloneServer, Zk,
    ZkCall, ZkEvent,
};
use znode::{Acl, Code, CreateMode, CreateOp, EventType, Request, Response};

const SERVER: NodeId = NodeId(1);

struct Env {
    world: World<Zk>,
    tag: u64,
}

impl Env {
    fn new(cfg: ServerConfig) -> Self {
        let mut world = World::with_latency(Duration::from_micros(200));
        world.add_node(SERVER, Box::new(StandaloneServer::new(SERVER, cfg)), Duration::from_millis(1));
        world.boot(SERVER);
        Env { world, tag: 0 }
    }

    fn client(&mut self, id: u32, timeout_ms: i32) -> NodeId {
        let me = NodeId(id);
        let cfg = ClientConfig {
            me,
            servers: vec![SERVER],
            session_timeout_ms: timeout_ms,
            can_be_read_only: false,
            addr: "127.0.0.1".into(),
            seed: u64::from(id),
        };
        self.world.add_node(me, Box::new(Client::new(cfg)), Duration::ZERO);
        self.world.boot(me);
        let deadline = self.world.now() + Duration::from_secs(10);
        assert!(
            self.world.run_until(deadline, |w| state_of(w, me) == Some(ClientState::Connected)),
            "client {id} connects"
        );
        me
    }

    fn call(&mut self, node: NodeId, req: Request) -> Result<Response, Code> {
        self.tag += 1;
        let tag = self.tag;
        self.world.call(node, ZkCall::Client(ClientCall::Request { tag, req }));
        let deadline = self.world.now() + Duration::from_secs(60);
        self.world.run_until(deadline, |w| result_of(w, node, tag).is_some());
        result_of(&self.world, node, tag).expect("an answer within a minute")
    }

    fn create(&mut self, node: NodeId, path: &str, mode: CreateMode) -> Result<Response, Code> {
        let op = CreateOp::for_mode(mode, if mode.is_ttl() { Some(1000) } else { None }, false);
        self.call(node, Request::Create { path: path.into(), data: Some(b"d".to_vec()), acl: Acl::open(), mode, op })
    }

    fn exists(&mut self, node: NodeId, path: &str) -> bool {
        self.call(node, Request::Exists { path: path.into(), watch: false }).is_ok()
    }

    /// Run for `d` of virtual time.
    fn run_for(&mut self, d: Duration) {
        let until = self.world.now() + d;
        self.world.run_until(until, |_| false);
        self.world.idle_until(until);
    }
}

fn state_of(w: &World<Zk>, node: NodeId) -> Option<ClientState> {
    w.log().iter().rev().find_map(|e| match &e.what {
        Record::Emit { node: n, event: ZkEvent::Client(ClientEvent::State { state, .. }) } if *n == node => {
            Some(*state)
        }
        _ => None,
    })
}

fn result_of(w: &World<Zk>, node: NodeId, tag: u64) -> Option<Result<Response, Code>> {
    w.log().iter().find_map(|e| match &e.what {
        Record::Emit { node: n, event: ZkEvent::Client(ClientEvent::Result { tag: t, result, .. }) }
            if *n == node && *t == tag =>
        {
            Some(result.clone())
        }
        _ => None,
    })
}

/// When the first watch event of `kind` on `path` reached `node`.
fn event_at(w: &World<Zk>, node: NodeId, kind: EventType, path: &str) -> Option<Instant> {
    w.log().iter().find_map(|e| match &e.what {
        Record::Emit { node: n, event: ZkEvent::Client(ClientEvent::Watch(ev)) }
            if *n == node && ev.kind == kind && ev.path.as_deref() == Some(path) =>
        {
            Some(e.at)
        }
        _ => None,
    })
}

#[test]
fn a_crashed_clients_session_expires_on_time_and_its_ephemerals_go() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 4000);
    let b = env.client(102, 30_000);
    env.create(a, "/lock", CreateMode::Ephemeral).expect("created");
    env.call(b, Request::Exists { path: "/lock".into(), watch: true }).expect("exists");
    let crashed_at = env.world.now();
    env.world.crash(a, false);
    env.run_for(Duration::from_secs(10));
    let deleted = event_at(&env.world, b, EventType::NodeDeleted, "/lock").expect("b sees the ephemeral go");
    // Expiry comes between timeout and timeout + tickTime after the last touch.
    let after = deleted.saturating_since(crashed_at);
    assert!(after >= Duration::from_millis(4000) && after <= Duration::from_millis(6100), "expired after {after}");
    assert!(!env.exists(b, "/lock"));
}

#[test]
fn closing_a_session_deletes_its_ephemerals_at_once() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 30_000);
    let b = env.client(102, 30_000);
    env.create(a, "/e1", CreateMode::Ephemeral).expect("created");
    env.create(a, "/s-", CreateMode::EphemeralSequential).expect("created");
    env.call(b, Request::GetChildren { path: "/".into(), watch: true, with_stat: false }).expect("children");
    env.tag += 1;
    let tag = env.tag;
    env.world.call(a, ZkCall::Client(ClientCall::Close { tag }));
    env.run_for(Duration::from_millis(50));
    assert!(event_at(&env.world, b, EventType::NodeChildrenChanged, "/").is_some());
    assert!(!env.exists(b, "/e1"));
    assert_eq!(state_of(&env.world, a), Some(ClientState::Closed));
}

#[test]
fn a_session_outlives_a_server_restart_when_its_client_comes_back_in_time() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 4000);
    env.create(a, "/mine", CreateMode::Ephemeral).expect("created");
    env.world.crash(SERVER, false);
    env.run_for(Duration::from_secs(1));
    assert_eq!(state_of(&env.world, a), Some(ClientState::Connecting));
    // Longer than the session timeout: but a restarted server rebuilds its
    // sessions from the log with a fresh timeout, and the client, retrying
    // all along, is back well within it.
    env.run_for(Duration::from_secs(20));
    env.world.restart(SERVER);
    env.run_for(Duration::from_secs(30));
    assert_eq!(state_of(&env.world, a), Some(ClientState::Connected));
    let b = env.client(102, 30_000);
    assert!(env.exists(b, "/mine"), "the session and its ephemeral survived");
}

#[test]
fn a_restarted_server_keeps_synced_data_sessions_and_reconnecting_watches() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 30_000);
    env.create(a, "/kept", CreateMode::Persistent).expect("created");
    env.call(a, Request::GetData { path: "/kept".into(), watch: true }).expect("get");
    env.world.crash(SERVER, false);
    env.run_for(Duration::from_millis(500));
    env.world.restart(SERVER);
    env.run_for(Duration::from_secs(5));
    assert_eq!(state_of(&env.world, a), Some(ClientState::Connected), "same session, reconnected");
    let b = env.client(102, 30_000);
    env.call(b, Request::SetData { path: "/kept".into(), data: Some(b"new".to_vec()), version: -1 }).expect("set");
    env.run_for(Duration::from_millis(50));
    assert!(event_at(&env.world, a, EventType::NodeDataChanged, "/kept").is_some(), "the watch was re-registered");
}

#[test]
fn unsynced_writes_are_lost_when_the_disk_loses_them() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 30_000);
    env.create(a, "/durable", CreateMode::Persistent).expect("created");
    // Send a create and crash the server before its sync completes (the
    // disk takes 1 ms): the client never got an answer, and the node is
    // gone after the restart.
    env.tag += 1;
    let tag = env.tag;
    let req = Request::Create {
        path: "/lost".into(),
        data: None,
        acl: Acl::open(),
        mode: CreateMode::Persistent,
        op: CreateOp::Create,
    };
    env.world.call(a, ZkCall::Client(ClientCall::Request { tag, req }));
    env.run_for(Duration::from_micros(500));
    // The machine loses power: silence. The client learns of it only when
    // its next ping (within 10 s) meets the rebooted kernel's reset.
    env.world.crash(SERVER, true);
    env.run_for(Duration::from_millis(100));
    env.world.restart(SERVER);
    env.run_for(Duration::from_secs(15));
    assert_eq!(result_of(&env.world, a, tag), Some(Err(Code::ConnectionLoss)));
    let b = env.client(102, 30_000);
    assert!(env.exists(b, "/durable"));
    assert!(!env.exists(b, "/lost"));
}

#[test]
fn containers_and_ttl_nodes_are_removed_by_the_servers_sweep() {
    let cfg = ServerConfig { extended_types_enabled: true, ..ServerConfig::sample() };
    let mut env = Env::new(cfg);
    let a = env.client(101, 30_000);
    env.create(a, "/k", CreateMode::Container).expect("container");
    env.create(a, "/k/x", CreateMode::Persistent).expect("child");
    env.call(a, Request::Delete { path: "/k/x".into(), version: -1 }).expect("deleted");
    env.create(a, "/never-used", CreateMode::Container).expect("container");
    env.create(a, "/t", CreateMode::PersistentWithTtl).expect("ttl node");
    assert!(env.exists(a, "/k") && env.exists(a, "/t"));
    env.run_for(Duration::from_secs(61));
    assert!(!env.exists(a, "/k"), "an emptied container goes");
    assert!(!env.exists(a, "/t"), "an idle TTL node goes");
    assert!(env.exists(a, "/never-used"), "a never-used container stays");
    let deletions = env.world.log().iter().filter(|e| {
        matches!(&e.what, Record::Emit { event: ZkEvent::Server(ServerEvent::Applied { txn, .. }), .. }
            if matches!(txn.txn, znode::Txn::Delete { container: true, .. }))
    });
    assert_eq!(deletions.count(), 2);
}

#[test]
fn with_the_sweep_switched_off_they_stay() {
    let cfg = ServerConfig { extended_types_enabled: true, container_cleanup: false, ..ServerConfig::sample() };
    let mut env = Env::new(cfg);
    let a = env.client(101, 30_000);
    env.create(a, "/k", CreateMode::Container).expect("container");
    env.create(a, "/k/x", CreateMode::Persistent).expect("child");
    env.call(a, Request::Delete { path: "/k/x".into(), version: -1 }).expect("deleted");
    env.create(a, "/t", CreateMode::PersistentWithTtl).expect("ttl node");
    env.run_for(Duration::from_secs(300));
    assert!(env.exists(a, "/k") && env.exists(a, "/t"));
}

#[test]
fn ttl_nodes_need_extended_types() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 30_000);
    assert_eq!(env.create(a, "/t", CreateMode::PersistentWithTtl), Err(Code::Unimplemented));
}

#[test]
fn an_unknown_auth_scheme_fails_the_handle() {
    let mut env = Env::new(ServerConfig::sample());
    let a = env.client(101, 30_000);
    env.world.call(a, ZkCall::Client(ClientCall::AddAuth { scheme: "kerberos".into(), auth: b"x".to_vec() }));
    env.run_for(Duration::from_millis(20));
    assert_eq!(state_of(&env.world, a), Some(ClientState::AuthFailed));
    assert_eq!(env.call(a, Request::Sync { path: "/".into() }), Err(Code::AuthFailed));
}
