//! Realistic zkCli sessions against a real (simulated) standalone server:
//! a small host loop runs the shells over `zab::Client` nodes in a `World`.

use actor::{Duration, NodeId};
use sim::{Record, World};
use zab::{
    Client, ClientCall, ClientConfig, ClientEvent, ClientState, ServerConfig, StandaloneServer, Zk, ZkCall, ZkEvent,
};
use zkcli::{Line, Reaction, Shell};

const SERVER: NodeId = NodeId(1);
const CONNECT_STRING: &str = "127.0.0.1:2181";
/// 2019-03-07 11:19:07 UTC, so Stat times are easy to read.
const WALL_CLOCK_BASE_MS: i64 = 1_551_957_547_000;

struct Console {
    shell: Shell,
    node: NodeId,
    state: ClientState,
    lines: Vec<Line>,
    quit: bool,
}

struct Lab {
    world: World<Zk>,
    consoles: Vec<Console>,
}

fn out(s: &str) -> Line {
    Line::Out(s.to_string())
}

fn err(s: &str) -> Line {
    Line::Err(s.to_string())
}

/// The WATCHER block a node event prints.
fn watcher(kind: &str, path: &str) -> Vec<Line> {
    vec![out(""), out("WATCHER::"), out(""), out(&format!("WatchedEvent state:SyncConnected type:{kind} path:{path}"))]
}

fn session_event(state: &str) -> Vec<Line> {
    vec![out(""), out("WATCHER::"), out(""), out(&format!("WatchedEvent state:{state} type:None path:null"))]
}

fn stdout(lines: &[Line]) -> Vec<String> {
    lines.iter().filter_map(|l| if let Line::Out(s) = l { Some(s.clone()) } else { None }).collect()
}

impl Lab {
    /// A server and `n` connected consoles; their connection output is
    /// dropped.
    fn new(n: u32) -> Lab {
        let mut world = World::with_latency(Duration::from_millis(1));
        let cfg = ServerConfig {
            extended_types_enabled: true,
            wall_clock_base_ms: WALL_CLOCK_BASE_MS,
            ..ServerConfig::sample()
        };
        world.add_node(SERVER, Box::new(StandaloneServer::new(SERVER, cfg)), Duration::from_millis(1));
        world.boot(SERVER);
        let mut lab = Lab { world, consoles: Vec::new() };
        for i in 0..n {
            let node = NodeId(100 + i);
            let cfg = ClientConfig {
                me: node,
                servers: vec![SERVER],
                session_timeout_ms: 30_000,
                can_be_read_only: false,
                addr: "127.0.0.1".into(),
                seed: u64::from(node.0),
            };
            lab.world.add_node(node, Box::new(Client::new(cfg)), Duration::ZERO);
            lab.world.boot(node);
            let shell = Shell::new(CONNECT_STRING);
            lab.consoles.push(Console {
                shell,
                node,
                state: ClientState::NotConnected,
                lines: Vec::new(),
                quit: false,
            });
        }
        lab.settle();
        for c in 0..lab.consoles.len() {
            assert_eq!(lab.take(c), session_event("SyncConnected"));
            assert_eq!(lab.consoles[c].state, ClientState::Connected);
        }
        lab
    }

    fn act(&mut self, c: usize, r: Reaction) {
        let node = self.consoles[c].node;
        self.consoles[c].lines.extend(r.lines);
        for call in r.calls {
            self.world.call(node, ZkCall::Client(call));
        }
        self.consoles[c].quit |= r.quit;
        if r.connect.is_some() {
            self.world.call(node, ZkCall::Client(ClientCall::Connect { servers: None }));
        }
    }

    /// Step the world, feeding client events to their shells, until no
    /// shell is busy and nothing is on the wire (or 20 s pass).
    fn settle(&mut self) {
        let deadline = self.world.now() + Duration::from_millis(20_000);
        loop {
            for e in self.world.take_log() {
                let Record::Emit { node, event: ZkEvent::Client(ev) } = e.what else { continue };
                let Some(c) = self.consoles.iter().position(|c| c.node == node) else { continue };
                if let ClientEvent::State { state, .. } = &ev {
                    self.consoles[c].state = *state;
                }
                let state = self.consoles[c].state;
                let r = self.consoles[c].shell.on_event(&ev, state);
                self.act(c, r);
            }
            if !self.consoles.iter().any(|c| c.shell.busy()) && !self.world.in_flight() {
                return;
            }
            match self.world.next_time() {
                Some(t) if t <= deadline => {
                    self.world.step();
                }
                _ => return,
            }
        }
    }

    /// Type `line` on console `c`; everything that console printed until
    /// things settled.
    fn run(&mut self, c: usize, line: &str) -> Vec<Line> {
        self.consoles[c].lines.clear();
        let state = self.consoles[c].state;
        let r = self.consoles[c].shell.submit(line, state);
        self.act(c, r);
        self.settle();
        self.take(c)
    }

    fn take(&mut self, c: usize) -> Vec<Line> {
        std::mem::take(&mut self.consoles[c].lines)
    }

    fn prompt(&self, c: usize) -> String {
        self.consoles[c].shell.prompt(self.consoles[c].state)
    }

    /// Let virtual time pass (pings, timers) with no one typing.
    fn wait(&mut self, ms: u64) {
        let until = self.world.now() + Duration::from_millis(ms);
        self.world.run_until(until, |_| false);
        self.settle();
    }
}

#[test]
fn create_get_set_with_stat_and_versions() {
    let mut lab = Lab::new(1);
    assert_eq!(lab.prompt(0), "[zk: 127.0.0.1:2181(CONNECTED) 0] ");
    assert_eq!(lab.run(0, "create /app \"first value\""), vec![err("Created /app")]);
    assert_eq!(lab.run(0, "create /app x"), vec![err("Node already exists: /app")]);
    assert_eq!(lab.run(0, "get /app"), vec![out("first value")]);
    let stat = lab.run(0, "get -s /app");
    let text = stdout(&stat);
    assert_eq!(text.len(), 12);
    assert_eq!(text[0], "first value");
    assert_eq!(text[1], "cZxid = 0x2");
    assert!(text[2].starts_with("ctime = Thu Mar 07 11:19:"), "{}", text[2]);
    assert!(text[2].ends_with(" UTC 2019"), "{}", text[2]);
    assert_eq!(text[7], "dataVersion = 0");
    assert_eq!(text[9], "ephemeralOwner = 0x0");
    assert_eq!(text[10], "dataLength = 11");

    assert_eq!(lab.run(0, "set -v 5 /app v2"), vec![err("version No is not valid : /app")]);
    assert!(lab.run(0, "set -v 0 /app v2").is_empty());
    let s = stdout(&lab.run(0, "set -s /app v3"));
    assert_eq!(s.len(), 11);
    assert_eq!(s[6], "dataVersion = 2");
    assert_eq!(lab.run(0, "get /app"), vec![out("v3")]);
    assert_eq!(lab.run(0, "create /app/child"), vec![err("Created /app/child")]);
    assert_eq!(lab.run(0, "get /app/child"), vec![out("null")]);
    assert_eq!(lab.run(0, "create -s /app/seq- a"), vec![err("Created /app/seq-0000000001")]);
    assert_eq!(lab.run(0, "ls /app"), vec![out("[child, seq-0000000001]")]);
    assert_eq!(lab.run(0, "stat /nope"), vec![err("Node does not exist: /nope")]);
    assert_eq!(lab.run(0, "delete /app"), vec![err("Node not empty: /app")]);
    assert_eq!(lab.run(0, "delete -v 3 /app/child"), vec![err("version No is not valid : /app/child")]);
    assert!(lab.run(0, "delete /app/child").is_empty());
    assert_eq!(
        lab.run(0, "ls /x//y"),
        vec![err("Invalid path string \"/x//y\" caused by empty node name specified @3")]
    );
    assert_eq!(lab.run(0, "create -t 60000 /ttl"), vec![err("Created /ttl")]);
    assert_eq!(lab.run(0, "getAllChildrenNumber /app"), vec![out("1")]);
    assert_eq!(lab.run(0, "sync /app"), vec![out("Sync is OK")]);
    assert_eq!(lab.prompt(0), "[zk: 127.0.0.1:2181(CONNECTED) 20] ");
}

#[test]
fn ephemerals_belong_to_the_session() {
    let mut lab = Lab::new(1);
    assert_eq!(lab.run(0, "create -e /e1"), vec![err("Created /e1")]);
    assert_eq!(lab.run(0, "create -e /e1/c"), vec![err("Ephemerals cannot have children: /e1/c")]);
    let s = stdout(&lab.run(0, "stat /e1"));
    assert_ne!(s[8], "ephemeralOwner = 0x0");
    assert_eq!(lab.run(0, "getEphemerals"), vec![out("[/e1]")]);
    assert_eq!(lab.run(0, "create -c /box"), vec![err("Created /box")]);
    assert_eq!(
        lab.run(0, "create -c -e /box2"),
        vec![err("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.")]
    );
}

#[test]
fn watches_fire_across_two_shells() {
    let mut lab = Lab::new(2);
    lab.run(0, "create /w data");
    assert_eq!(lab.run(1, "get -w /w"), vec![out("data")]);
    assert_eq!(lab.run(1, "ls -w /w"), vec![out("[]")]);
    assert!(lab.run(0, "set /w changed").is_empty());
    assert_eq!(lab.take(1), watcher("NodeDataChanged", "/w"));
    lab.run(0, "create /w/kid");
    assert_eq!(lab.take(1), watcher("NodeChildrenChanged", "/w"));
    // One-shot: a second change is not reported.
    lab.run(0, "set /w again");
    assert!(lab.take(1).is_empty());

    // The deprecated form still sets a watch, after its warning.
    assert_eq!(
        lab.run(1, "stat /later watch"),
        vec![
            err("'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead."),
            err("Node does not exist: /later")
        ]
    );
    lab.run(0, "create /later");
    assert_eq!(lab.take(1), watcher("NodeCreated", "/later"));

    // Persistent recursive watches keep firing; printwatches off hides them.
    assert!(lab.run(1, "addWatch /w").is_empty());
    lab.run(0, "set /w/kid 1");
    assert_eq!(lab.take(1), watcher("NodeDataChanged", "/w/kid"));
    lab.run(1, "printwatches off");
    lab.run(0, "set /w/kid 2");
    assert!(lab.take(1).is_empty());
    lab.run(1, "printwatches on");
    lab.run(0, "delete /w/kid");
    assert_eq!(lab.take(1), watcher("NodeDeleted", "/w/kid"));
}

#[test]
fn removewatches_reports_removal_and_missing_watches() {
    let mut lab = Lab::new(2);
    lab.run(0, "create /r");
    lab.run(0, "get -w /r");
    assert_eq!(lab.run(0, "removewatches /r -c"), vec![err("KeeperErrorCode = No such watcher for /r")]);
    assert_eq!(lab.run(0, "removewatches /r -d"), watcher("DataWatchRemoved", "/r"));
    lab.run(1, "set /r x");
    assert!(lab.take(0).is_empty(), "the removed watch does not fire");
    assert_eq!(lab.run(0, "removewatches /r"), vec![err("KeeperErrorCode = No such watcher for /r")]);
    lab.run(0, "addWatch -m PERSISTENT /r");
    assert_eq!(lab.run(0, "removewatches /r -a"), watcher("PersistentWatchRemoved", "/r"));
}

#[test]
fn deleteall_removes_a_subtree() {
    let mut lab = Lab::new(1);
    for p in ["/t", "/t/a", "/t/b", "/t/a/x", "/t/a/y", "/t/b/z"] {
        assert_eq!(lab.run(0, &format!("create {p}")), vec![err(&format!("Created {p}"))]);
    }
    assert_eq!(stdout(&lab.run(0, "ls -R /t")), vec!["/t", "/t/a", "/t/b", "/t/a/x", "/t/a/y", "/t/b/z"]);
    assert!(lab.run(0, "deleteall /t -b 2").is_empty());
    assert_eq!(lab.run(0, "ls /t"), vec![err("Node does not exist: /t")]);
    assert_eq!(lab.run(0, "deleteall /t"), vec![err("Node does not exist: /t")]);
    // A node we may not delete under: the multi fails.
    lab.run(0, "create /locked");
    lab.run(0, "create /locked/in");
    lab.run(0, "setAcl /locked world:anyone:rw");
    assert_eq!(lab.run(0, "deleteall /locked"), vec![err("Failed to delete some node(s) in the subtree!")]);
    assert_eq!(lab.run(0, "ls /locked"), vec![out("[in]")]);
}

#[test]
fn set_acl_recursively_until_the_acl_forbids_the_next_step() {
    let mut lab = Lab::new(1);
    for p in ["/s", "/s/a", "/s/b", "/s/a/deep"] {
        lab.run(0, &format!("create {p}"));
    }
    assert_eq!(lab.run(0, "getAcl /s"), vec![out("'world,'anyone"), out(": cdrwa")]);
    // Write-only: after /s is set, listing its children needs READ.
    assert_eq!(lab.run(0, "setAcl -R /s world:anyone:w"), vec![err("Insufficient permission : /s")]);
    assert_eq!(lab.run(0, "getAcl /s"), vec![err("Insufficient permission : /s")]);
    assert_eq!(lab.run(0, "getAcl /s/a"), vec![out("'world,'anyone"), out(": cdrwa")]);
    // Read+admin goes all the way down.
    lab.run(0, "create /t");
    lab.run(0, "create /t/a");
    lab.run(0, "create /t/a/b");
    assert!(lab.run(0, "setAcl -R /t world:anyone:ra").is_empty());
    assert_eq!(lab.run(0, "getAcl /t/a/b"), vec![out("'world,'anyone"), out(": ra")]);
    assert_eq!(lab.run(0, "create /t/a/b/c"), vec![err("Insufficient permission : /t/a/b/c")]);
    let s = stdout(&lab.run(0, "getAcl -s /t/a"));
    assert_eq!(s[9], "aclVersion = 1");
    assert_eq!(lab.run(0, "setAcl -v 7 /t world:anyone:r"), vec![err("version No is not valid : /t")]);
}

#[test]
fn addauth_and_digest_acls() {
    let mut lab = Lab::new(2);
    let digest = znode::acl::generate_digest("bob:secret");
    assert_eq!(lab.run(0, &format!("create /vault v digest:{digest}:cdrwa")), vec![err("Created /vault")]);
    assert_eq!(lab.run(0, "get /vault"), vec![err("Insufficient permission : /vault")]);
    assert!(lab.run(0, "addauth digest bob:secret").is_empty());
    assert_eq!(lab.run(0, "get /vault"), vec![out("v")]);
    assert_eq!(lab.run(0, "getAcl /vault"), vec![out(&format!("'digest,'{digest}")), out(": cdrwa")]);
    let mut who = stdout(&lab.run(0, "whoami"));
    assert_eq!(who.remove(0), "Auth scheme: User");
    who.sort();
    assert_eq!(who, vec!["digest: bob", "ip: 127.0.0.1"]);
    // The other session may not read.
    assert_eq!(lab.run(1, "get /vault"), vec![err("Insufficient permission : /vault")]);
    assert_eq!(
        lab.run(1, "create /theirs x auth::cdrwa"),
        vec![err("KeeperErrorCode = InvalidACL for /theirs"), err("Acl is not valid : /theirs")]
    );
    lab.run(1, "addauth digest bob:wrong");
    assert_eq!(lab.run(1, "get /vault"), vec![err("Insufficient permission : /vault")]);
    // `auth` ACLs take the session's digest identities.
    assert_eq!(lab.run(0, "create /mine x auth::cdrwa"), vec![err("Created /mine")]);
    assert_eq!(lab.run(0, "getAcl /mine"), vec![out(&format!("'digest,'{digest}")), out(": cdrwa")]);
    // With a (wrong) digest identity, `auth` works, but the vault stays shut.
    assert_eq!(lab.run(1, "create /theirs x auth::cdrwa"), vec![err("Created /theirs")]);
}

#[test]
fn close_then_not_connected_then_connect_again() {
    let mut lab = Lab::new(1);
    lab.run(0, "create -e /eph");
    assert_eq!(lab.run(0, "close"), session_event("Closed"));
    assert_eq!(lab.prompt(0), "[zk: 127.0.0.1:2181(CLOSED) 2] ");
    assert_eq!(lab.run(0, "ls /"), vec![out("Not connected")]);
    assert_eq!(
        lab.run(0, "history"),
        vec![out("0 - create -e /eph"), out("1 - close"), out("2 - ls /"), out("3 - history"), out("Not connected")]
    );
    assert_eq!(lab.run(0, "connect"), session_event("SyncConnected"));
    assert_eq!(lab.prompt(0), "[zk: 127.0.0.1:2181(CONNECTED) 5] ");
    let lines = lab.run(0, "ls /");
    assert_eq!(lines, vec![out("[zookeeper]")]);
    // Connecting while connected closes the old session first.
    let lines = lab.run(0, "connect 127.0.0.1:2182");
    assert_eq!(lines, [session_event("Closed"), session_event("SyncConnected")].concat());
    assert_eq!(lab.prompt(0), "[zk: 127.0.0.1:2182(CONNECTED) 7] ");
    assert_eq!(lab.run(0, "redo 5"), vec![out("[zookeeper]")]);
    assert_eq!(lab.consoles[0].shell.history()[7], "ls /");
}

#[test]
fn quit_closes_the_session() {
    let mut lab = Lab::new(2);
    lab.run(0, "create -e /bye");
    lab.run(1, "stat -w /bye");
    assert_eq!(lab.run(0, "quit"), session_event("Closed"));
    assert!(lab.consoles[0].quit);
    assert_eq!(lab.consoles[0].state, ClientState::Closed);
    assert_eq!(lab.take(1), watcher("NodeDeleted", "/bye"));
}

#[test]
fn oversized_data_loses_the_connection() {
    let mut lab = Lab::new(1);
    lab.run(0, "create /big");
    let big = "x".repeat(1 << 20);
    let lines = lab.run(0, &format!("set /big {big}"));
    assert!(lines.contains(&err("KeeperErrorCode = ConnectionLoss for /big")), "{lines:?}");
    lab.wait(5_000);
    assert_eq!(lab.consoles[0].state, ClientState::Connected);
    assert_eq!(lab.run(0, "get /big"), vec![out("null")]);
}

#[test]
fn sessions_survive_idle_time() {
    let mut lab = Lab::new(1);
    lab.wait(60_000);
    assert_eq!(lab.run(0, "ls /"), vec![out("[zookeeper]")]);
}

#[test]
#[ignore = "prints a transcript to look at"]
fn transcript() {
    let mut lab = Lab::new(1);
    for line in [
        "create /a hello",
        "get -s /a",
        "ls -s /",
        "getAcl -s /a",
        "get -x /a",
        "set",
        "ls -?",
        "foo",
        "create -e /a/b",
        "whoami",
        "version",
        "history",
    ] {
        println!("{}{line}", lab.prompt(0));
        for l in lab.run(0, line) {
            match l {
                Line::Out(s) => println!("{s}"),
                Line::Err(s) => println!("(err) {s}"),
            }
        }
    }
}

#[test]
fn a_refused_scheme_fails_the_handle() {
    let mut lab = Lab::new(1);
    let lines = lab.run(0, "addauth nosuchscheme secret");
    assert_eq!(lines, session_event("AuthFailed"));
    assert_eq!(lab.prompt(0), "[zk: 127.0.0.1:2181(AUTH_FAILED) 1] ");
    assert_eq!(lab.run(0, "ls /"), vec![out("Not connected")]);
    assert_eq!(lab.run(0, "connect"), session_event("SyncConnected"));
    assert_eq!(lab.run(0, "ls /"), vec![out("[zookeeper]")]);
}

#[test]
fn tab_completion_uses_known_paths() {
    let lab = Lab::new(1);
    let known: Vec<String> = ["/", "/zookeeper", "/zoo", "/app"].iter().map(|s| s.to_string()).collect();
    assert_eq!(lab.consoles[0].shell.complete("ls /zo", &known), vec!["/zoo", "/zookeeper"]);
    assert_eq!(lab.consoles[0].shell.complete("getE", &known), vec!["getEphemerals"]);
}
