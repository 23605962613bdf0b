//! Scenarios end to end: determinism (the same scenario and seed give the
//! same trace hash every time, in any profile, and as pinned in the golden
//! file the wasm build checks too), links that replay the identical trace,
//! servers hosted remotely, and the timing of cuts and expiry.

use actor::{Effect, Instant, Node, NodeId};
use sim::zk::{Progress, Scenario, ScenarioRun};
use sim::{link, Record};
use std::collections::BTreeMap;
use std::path::PathBuf;
use zab::{ClientEvent, ClientState, ServerEvent, Zk, ZkEvent};

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/scenario-hashes.json")
}

fn examples() -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    let mut files: Vec<_> =
        std::fs::read_dir(scenarios_dir()).expect("scenarios/").filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for f in files.into_iter().filter(|f| f.extension().is_some_and(|x| x == "json")) {
        let text = std::fs::read_to_string(&f).expect("readable");
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push((name, link::scenario_from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()))));
    }
    out
}

fn hash_of(s: &Scenario) -> String {
    let mut run = ScenarioRun::new(s).expect("valid");
    run.run(&mut |_| {}).expect("runs to the end");
    run.world.trace_hash()
}

#[test]
fn every_example_scenario_runs_and_replays_to_the_same_hash() {
    let list = examples();
    assert!(list.len() >= 5, "the example scenarios");
    let mut hashes = BTreeMap::new();
    for (name, s) in &list {
        let h = hash_of(s);
        assert_eq!(h, hash_of(s), "{name} is not deterministic");
        hashes.insert(name.clone(), h);
    }
    let golden = golden_path();
    if std::env::var_os("ZOOSCOPE_BLESS").is_some() {
        let json = serde_json::to_string_pretty(&hashes).expect("json") + "\n";
        std::fs::write(&golden, json).expect("write golden hashes");
        return;
    }
    let text = std::fs::read_to_string(&golden).expect("golden hashes (ZOOSCOPE_BLESS=1 writes them)");
    let want: BTreeMap<String, String> = serde_json::from_str(&text).expect("golden json");
    assert_eq!(
        hashes, want,
        "trace hashes changed; if the change is intended, rerun with ZOOSCOPE_BLESS=1 (and bump the link format if old links no longer replay)"
    );
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let (_, s) = examples().into_iter().find(|(n, _)| n == "lossy-network.json").expect("lossy-network");
    let mut other = s.clone();
    other.seed += 1;
    assert_ne!(hash_of(&s), hash_of(&other));
}

#[test]
fn a_link_replays_the_identical_trace() {
    for (name, s) in examples() {
        let decoded = link::decode(&link::encode(&s)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(hash_of(&decoded), hash_of(&s), "{name}");
    }
}

/// The page hosts servers in Web Workers: the world waits for their answers.
/// Answered in reverse order by real servers, the trace is the same.
#[test]
fn servers_hosted_remotely_give_the_same_trace() {
    for (name, s) in examples() {
        let mut run = ScenarioRun::with_hosting(&s, sim::zk::Hosting::RemoteServers).expect("valid");
        let mut servers: BTreeMap<NodeId, Box<dyn Node<P = Zk>>> =
            s.server_ids().into_iter().map(|id| (id, sim::zk::server_node(&s, id))).collect();
        let end = run.end();
        while run.advance(end, &mut |_| {}).expect("runs") == Progress::Waiting {
            let out = run.world.take_outbox();
            let mut answers: Vec<(NodeId, Vec<Effect<Zk>>)> = Vec::new();
            for o in out {
                let Some(server) = servers.get_mut(&o.node) else { continue };
                if matches!(o.input, actor::Input::Boot { .. }) {
                    *server = sim::zk::server_node(&s, o.node);
                }
                let mut effects = Vec::new();
                server.step(o.now, o.input, &mut effects);
                answers.push((o.node, effects));
            }
            // Nodes answer in any order; one node answers its inputs in the
            // order they went out (a worker steps them in turn).
            let mut by_node: BTreeMap<NodeId, Vec<Vec<Effect<Zk>>>> = BTreeMap::new();
            for (node, effects) in answers {
                by_node.entry(node).or_default().push(effects);
            }
            for (node, list) in by_node.into_iter().rev() {
                for effects in list {
                    run.world.complete(node, effects).expect("outstanding");
                }
            }
        }
        assert_eq!(run.world.trace_hash(), hash_of(&s), "{name}");
    }
}

fn events(s: &Scenario) -> Vec<(Instant, NodeId, ZkEvent)> {
    let mut run = ScenarioRun::new(s).expect("valid");
    let mut out = Vec::new();
    run.run(&mut |e| {
        if let Record::Emit { node, event } = &e.what {
            out.push((e.at, *node, event.clone()));
        }
    })
    .expect("runs");
    out
}

#[test]
fn a_partitioned_clients_session_expires_on_time_and_it_learns_so_after_the_heal() {
    let (_, s) = examples().into_iter().find(|(n, _)| n == "session-expiry.json").expect("session-expiry");
    let ev = events(&s);
    let a = NodeId(101);
    // The last packet the server got from a before the partition at 2 s.
    let expired = ev
        .iter()
        .find_map(|(t, _, e)| matches!(e, ZkEvent::Server(ServerEvent::SessionExpired { .. })).then_some(*t))
        .expect("the server expires a's session");
    assert!(
        expired >= Instant(2_000_000 + 6_000_000 - 2_000_000) && expired <= Instant(2_000_000 + 6_000_000 + 2_000_000),
        "expired at {expired}"
    );
    let deleted_seen_by_b = ev.iter().any(|(t, n, e)| {
        *n == NodeId(102)
            && *t >= expired
            && matches!(e, ZkEvent::Client(ClientEvent::Watch(w)) if w.kind == znode::EventType::NodeDeleted)
    });
    assert!(deleted_seen_by_b, "b's watch on the ephemeral fires");
    let disconnected = ev.iter().find_map(|(t, n, e)| {
        (*n == a && matches!(e, ZkEvent::Client(ClientEvent::Watch(w)) if w.state == znode::KeeperState::Disconnected))
            .then_some(*t)
    });
    let disconnected = disconnected.expect("a notices the silence");
    // Read timeout: 2/3 of 6 s after the last thing it heard (a ping reply at most ~2 s before).
    assert!(disconnected <= Instant(2_000_000 + 4_000_000 + 100_000), "a noticed at {disconnected}");
    let told = ev.iter().find_map(|(t, n, e)| {
        (*n == a && matches!(e, ZkEvent::Client(ClientEvent::Watch(w)) if w.state == znode::KeeperState::Expired))
            .then_some(*t)
    });
    let told = told.expect("a learns its session expired");
    assert!(told >= Instant(15_000_000), "only after the partition heals ({told})");
    let last_state = ev.iter().rev().find_map(|(_, n, e)| match e {
        ZkEvent::Client(ClientEvent::State { state, .. }) if *n == a => Some(*state),
        _ => None,
    });
    assert_eq!(last_state, Some(ClientState::Closed));
}

#[test]
fn a_short_cut_makes_the_client_reconnect_to_its_session() {
    let mut s = Scenario::standalone(9, &["a"], 20_000);
    s.clients[0].session_timeout_ms = 10_000;
    s.clients[0].commands.push(sim::zk::Command { at_ms: 500, line: "create -e /e x".into() });
    s.faults.push(sim::zk::TimedFault {
        at_ms: 2_000,
        fault: sim::Fault::Cut { from: NodeId(101), to: NodeId(1), both: true },
    });
    s.faults.push(sim::zk::TimedFault {
        at_ms: 9_000,
        fault: sim::Fault::Restore { from: NodeId(101), to: NodeId(1), both: true },
    });
    let ev = events(&s);
    let states: Vec<(Instant, znode::KeeperState)> = ev
        .iter()
        .filter_map(|(t, n, e)| match e {
            ZkEvent::Client(ClientEvent::Watch(w)) if *n == NodeId(101) && w.kind == znode::EventType::None => {
                Some((*t, w.state))
            }
            _ => None,
        })
        .collect();
    let kinds: Vec<_> = states.iter().map(|(_, k)| *k).collect();
    use znode::KeeperState::*;
    assert_eq!(kinds, vec![SyncConnected, Disconnected, SyncConnected], "{states:?}");
    assert!(states[2].0 >= Instant(9_000_000), "reconnects after the link is restored");
    let expired = ev.iter().any(|(_, _, e)| matches!(e, ZkEvent::Server(ServerEvent::SessionExpired { .. })));
    assert!(!expired, "7 s of silence is within the 10 s timeout");
}
