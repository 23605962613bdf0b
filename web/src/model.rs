//! The page's state, in one place: a reducer over the world's log. It keeps
//! a replica of the server's tree (rebuilt from `Applied` events), one
//! console per client driving a zkCli shell, the server's sessions and a
//! log of every watch event. Nothing here touches the DOM or a clock, so it
//! is tested natively.

use actor::{Instant, NodeId};
use sim::{Entry, Record};
use std::collections::BTreeMap;
use zab::{ClientEvent, ServerEvent, Zk, ZkCall, ZkEvent};
use zkcli::{connect_string, Console};
use znode::{DataTree, SessionId, WatchedEvent};

/// How many watch events the log keeps.
const WATCH_LOG_LEN: usize = 1000;

/// A watch event as a client received it.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchLogEntry {
    pub at: Instant,
    pub console: String,
    pub session: Option<SessionId>,
    pub event: WatchedEvent,
}

/// What the page shows of the server.
#[derive(Clone, Debug, Default)]
pub struct ServerView {
    pub booted: bool,
    pub sessions: BTreeMap<SessionId, i32>,
    pub last_zxid: u64,
}

/// A call the host must make for the model.
#[derive(Clone, Debug)]
pub struct Command {
    pub node: NodeId,
    pub call: ZkCall,
}

/// The whole state of the standalone page.
pub struct Model {
    pub server: NodeId,
    pub server_view: ServerView,
    pub tree: DataTree,
    pub consoles: Vec<Console>,
    pub watch_log: Vec<WatchLogEntry>,
    pub selected: Option<String>,
    /// Bumped on every change, so views know when to redraw.
    pub version: u64,
}

impl Model {
    pub fn new(server: NodeId, consoles: &[(&str, NodeId)]) -> Self {
        Model {
            server,
            server_view: ServerView::default(),
            tree: DataTree::new(),
            consoles: consoles
                .iter()
                .map(|(name, client)| Console::new(name, *client, &connect_string(server)))
                .collect(),
            watch_log: Vec::new(),
            selected: None,
            version: 0,
        }
    }

    /// Which console owns a session, for labels.
    pub fn console_of_session(&self, s: SessionId) -> Option<&str> {
        self.consoles.iter().find(|c| c.session == Some(s)).map(|c| c.name.as_str())
    }

    fn commands(node: NodeId, calls: Vec<zab::ClientCall>) -> Vec<Command> {
        calls.into_iter().map(|call| Command { node, call: ZkCall::Client(call) }).collect()
    }

    /// The user typed `line` into console `i`.
    pub fn submit(&mut self, i: usize, line: &str) -> Vec<Command> {
        let servers = [self.server];
        let Some(c) = self.consoles.get_mut(i) else { return Vec::new() };
        let calls = c.submit(line, &servers);
        self.version += 1;
        Self::commands(c.client, calls)
    }

    /// Apply the world's log; returns what the host must do next.
    pub fn apply(&mut self, entries: &[Entry<Zk>]) -> Vec<Command> {
        let mut commands = Vec::new();
        for e in entries {
            if let Record::Emit { node, event } = &e.what {
                commands.extend(self.on_emit(e.at, *node, event));
            }
        }
        if !entries.is_empty() {
            self.version += 1;
        }
        commands
    }

    fn on_emit(&mut self, at: Instant, node: NodeId, event: &ZkEvent) -> Vec<Command> {
        match event {
            ZkEvent::Server(e) if node == self.server => {
                self.on_server(e);
                Vec::new()
            }
            ZkEvent::Client(e) => match self.consoles.iter().position(|c| c.client == node) {
                Some(i) => self.on_client(at, i, e),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn on_server(&mut self, e: &ServerEvent) {
        let v = &mut self.server_view;
        match e {
            ServerEvent::Booted { last_zxid, sessions, .. } => {
                v.booted = true;
                v.last_zxid = *last_zxid;
                v.sessions = sessions.iter().copied().collect();
            }
            ServerEvent::Applied { txn, .. } => {
                let mut ignored = Vec::new();
                self.tree.apply(&txn.header, &txn.txn, &mut ignored);
                v.last_zxid = self.tree.last_processed_zxid;
            }
            ServerEvent::SessionCreated { session, timeout } => {
                v.sessions.insert(*session, *timeout);
            }
            ServerEvent::SessionClosed { session } => {
                v.sessions.remove(session);
            }
            _ => {}
        }
    }

    fn on_client(&mut self, at: Instant, i: usize, e: &ClientEvent) -> Vec<Command> {
        let servers = [self.server];
        let c = &mut self.consoles[i];
        if let ClientEvent::Watch(w) = e {
            self.watch_log.push(WatchLogEntry { at, console: c.name.clone(), session: c.session, event: w.clone() });
            if self.watch_log.len() > WATCH_LOG_LEN {
                self.watch_log.remove(0);
            }
        }
        let calls = c.on_event(e, &servers);
        Self::commands(c.client, calls)
    }

    /// Every path in the replica tree, for completion.
    pub fn paths(&self) -> Vec<String> {
        self.tree.iter().map(|(p, _)| p.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actor::Duration;
    use sim::World;
    use zab::{Client, ClientConfig, ServerConfig, StandaloneServer};
    use zkcli::ConsoleLine;

    /// The page's set-up, with the server in-process instead of a worker.
    fn page() -> (World<Zk>, Model) {
        let server = NodeId(1);
        let mut world = World::with_latency(Duration::from_micros(200));
        world.add_node(
            server,
            Box::new(StandaloneServer::new(server, ServerConfig::sample())),
            Duration::from_millis(1),
        );
        world.boot(server);
        let mut consoles = Vec::new();
        for (i, name) in ["a", "b"].iter().enumerate() {
            let me = NodeId(101 + i as u32);
            let cfg = ClientConfig {
                me,
                servers: vec![server],
                session_timeout_ms: 30_000,
                can_be_read_only: false,
                addr: "127.0.0.1".into(),
                seed: i as u64,
            };
            world.add_node(me, Box::new(Client::new(cfg)), Duration::ZERO);
            world.boot(me);
            consoles.push((*name, me));
        }
        let model = Model::new(server, &consoles);
        (world, model)
    }

    /// What the page's runtime does: run the world, feed the model, make
    /// the calls it asks for.
    fn settle(world: &mut World<Zk>, model: &mut Model) {
        let until = world.now() + Duration::from_millis(200);
        loop {
            world.run_until(until, |w| !w.log().is_empty());
            let entries = world.take_log();
            if entries.is_empty() {
                break;
            }
            for Command { node, call } in model.apply(&entries) {
                world.call(node, call);
            }
        }
    }

    fn type_line(world: &mut World<Zk>, model: &mut Model, console: usize, line: &str) -> Vec<ConsoleLine> {
        let before = model.consoles[console].lines.len();
        for Command { node, call } in model.submit(console, line) {
            world.call(node, call);
        }
        settle(world, model);
        model.consoles[console].lines[before + 1..].to_vec()
    }

    #[test]
    fn the_replica_tree_follows_the_server_and_events_are_logged() {
        let (mut world, mut model) = page();
        settle(&mut world, &mut model);
        assert!(model.server_view.booted);
        assert_eq!(model.server_view.sessions.len(), 2);
        assert!(model.consoles.iter().all(|c| c.state == zab::ClientState::Connected));
        let out = type_line(&mut world, &mut model, 0, "create /app v1");
        assert_eq!(out, vec![ConsoleLine::Err("Created /app".into())]);
        type_line(&mut world, &mut model, 1, "get -w /app");
        type_line(&mut world, &mut model, 0, "create -e /app/lock x");
        type_line(&mut world, &mut model, 0, "set /app v2");
        let node = model.tree.node("/app").expect("replica has /app");
        assert_eq!(node.data.as_deref(), Some(&b"v2"[..]));
        assert!(model.tree.node("/app/lock").is_some());
        let last = model.watch_log.last().expect("an event");
        assert_eq!((last.console.as_str(), last.event.kind), ("b", znode::EventType::NodeDataChanged));
        let rows = crate::view::tree_rows(&model);
        let lock = rows.iter().find(|r| r.path == "/app/lock").expect("row");
        assert_eq!(lock.badge.as_deref(), Some("ephemeral · client a"));
        let detail = crate::view::node_detail(&model, "/app").expect("detail");
        assert!(detail.stat.contains(&"dataVersion = 1".to_string()));
        assert_eq!(detail.data, "v2");
    }

    #[test]
    fn a_connect_to_an_unknown_address_keeps_trying() {
        let (mut world, mut model) = page();
        settle(&mut world, &mut model);
        type_line(&mut world, &mut model, 0, "connect nowhere:9999");
        world.run_until(world.now() + Duration::from_secs(3), |_| false);
        settle(&mut world, &mut model);
        assert_eq!(model.consoles[0].state, zab::ClientState::Connecting);
        assert!(model.consoles[0].prompt().contains("nowhere:9999"));
    }
}
