//! The ensemble in the world, scenario by scenario: elections pick the most
//! up-to-date server, a lost leader is replaced and clients carry on,
//! learners are brought back by DIFF, TRUNC or SNAP, a minority stops
//! taking writes, and a read-only server answers stale reads. Every run's
//! invariant checker must stay quiet.

use actor::{Instant, NodeId};
use sim::fault::Fault;
use sim::net::LinkSpec;
use sim::trace::{Entry, Record};
use sim::zk::{Command, Scenario, ScenarioRun, TimedFault, Workload};
use std::collections::BTreeMap;
use zab::quorum::packet::ServerState;
use zab::wire::ConsoleOutput;
use zab::{ClientEvent, ServerEvent, Zk, ZkEvent};

fn ms(t: u64) -> Instant {
    Instant(t * 1000)
}

fn at(t_ms: u64, fault: Fault) -> TimedFault {
    TimedFault { at_ms: t_ms, fault }
}

fn node(id: u32) -> NodeId {
    NodeId(id)
}

fn client(i: usize) -> NodeId {
    sim::zk::scenario::client_node(i)
}

/// Run a scenario to its end; the invariants must all hold.
fn run(s: &Scenario) -> Vec<Entry<Zk>> {
    let mut run = ScenarioRun::new(s).expect("a valid scenario");
    let mut entries = Vec::new();
    run.run(&mut |e| entries.push(e.clone())).expect("runs to the end");
    assert!(run.checker.ok(), "invariants broken:\n{}", run.report());
    entries
}

fn server_events(entries: &[Entry<Zk>]) -> Vec<(Instant, NodeId, &ServerEvent)> {
    entries
        .iter()
        .filter_map(|e| match &e.what {
            Record::Emit { node, event: ZkEvent::Server(ev) } => Some((e.at, *node, ev)),
            _ => None,
        })
        .collect()
}

/// (when, leader, epoch) for every established epoch.
fn established(entries: &[Entry<Zk>]) -> Vec<(Instant, NodeId, u64)> {
    server_events(entries)
        .into_iter()
        .filter_map(|(t, n, ev)| match ev {
            ServerEvent::Established { epoch } => Some((t, n, *epoch)),
            _ => None,
        })
        .collect()
}

/// Each server's last announced state at `t`.
fn states_at(entries: &[Entry<Zk>], t: Instant) -> BTreeMap<NodeId, ServerState> {
    let mut out = BTreeMap::new();
    for (when, n, ev) in server_events(entries) {
        if when > t {
            break;
        }
        if let ServerEvent::PeerState { state, .. } = ev {
            out.insert(n, *state);
        }
    }
    out
}

/// The sync modes the leader chose: (when, learner, mode).
fn syncs(entries: &[Entry<Zk>]) -> Vec<(Instant, u64, String)> {
    server_events(entries)
        .into_iter()
        .filter_map(|(t, _, ev)| match ev {
            ServerEvent::SyncChosen { learner, mode, .. } => Some((t, *learner, mode.clone())),
            _ => None,
        })
        .collect()
}

/// What a client's console printed after `from`, in order.
fn console(entries: &[Entry<Zk>], who: NodeId, from: Instant) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.at >= from)
        .filter_map(|e| match &e.what {
            Record::Emit { node, event: ZkEvent::Console(line) } if *node == who => match line {
                ConsoleOutput::Input(s) | ConsoleOutput::Out(s) | ConsoleOutput::Err(s) => Some(s.clone()),
                ConsoleOutput::Prompt(_) => None,
            },
            _ => None,
        })
        .collect()
}

/// How many of a client's writes succeeded, by when the answer came.
fn acked_writes(entries: &[Entry<Zk>], who: NodeId) -> Vec<Instant> {
    let mut writes = BTreeMap::new();
    let mut acked = Vec::new();
    for e in entries {
        if let Record::Emit { node, event: ZkEvent::Client(ev) } = &e.what {
            if *node != who {
                continue;
            }
            match ev {
                ClientEvent::Invoked { tag, req } if req.is_write() => {
                    writes.insert(*tag, ());
                }
                ClientEvent::Result { tag, result: Ok(_), .. } if writes.remove(tag).is_some() => acked.push(e.at),
                _ => {}
            }
        }
    }
    acked
}

fn workload(start_ms: u64, rate: u32, prefix: &str) -> Workload {
    Workload { start_ms, rate_per_sec: rate, prefix: prefix.into(), ..Workload::default() }
}

fn ensemble(n: u32, clients: &[&str], end_ms: u64) -> Scenario {
    Scenario::ensemble(1, n, clients, end_ms)
}

// ------------------------------------------------------------- elections

#[test]
fn fresh_ensembles_of_three_and_five_elect_the_highest_sid() {
    for n in [3u32, 5] {
        let entries = run(&ensemble(n, &[], 3_000));
        let est = established(&entries);
        assert_eq!(est.len(), 1, "{n} servers: one epoch established: {est:?}");
        let (when, leader, epoch) = est[0];
        assert_eq!((leader, epoch), (node(n), 1), "{n} servers: the highest sid leads epoch 1");
        assert!(when < ms(1_000), "{n} servers: established at {when}");
        let states = states_at(&entries, ms(2_900));
        for id in 1..=n {
            let want = if id == n { ServerState::Leading } else { ServerState::Following };
            assert_eq!(states.get(&node(id)), Some(&want), "{n} servers: server {id}");
        }
    }
}

/// (currentEpoch, last zxid, sid) of every server as it booted after `t`.
fn boot_votes(entries: &[Entry<Zk>], t: Instant) -> BTreeMap<NodeId, (u64, u64, u32)> {
    let mut last = BTreeMap::new();
    let mut votes = BTreeMap::new();
    for (when, n, ev) in server_events(entries) {
        if when < t {
            continue;
        }
        match ev {
            ServerEvent::Booted { last_zxid, .. } => {
                last.insert(n, *last_zxid);
            }
            ServerEvent::PeerState { current_epoch, .. } if last.contains_key(&n) && !votes.contains_key(&n) => {
                votes.insert(n, (*current_epoch, last[&n], n.0));
            }
            _ => {}
        }
    }
    votes
}

#[test]
fn after_a_full_restart_the_server_with_the_highest_epoch_zxid_and_sid_leads() {
    for n in [3u32, 5] {
        // The first leader (the highest sid) dies early; the next one takes
        // writes; then everyone stops and starts again together.
        let mut s = ensemble(n, &["w"], 20_000);
        s.clients[0].workload = Some(Workload { stop_ms: Some(8_000), ..workload(1_000, 20, "/w") });
        s.faults.push(at(3_000, Fault::Crash { node: node(n) }));
        for id in 1..n {
            s.faults.push(at(9_000, Fault::Crash { node: node(id) }));
        }
        for id in 1..=n {
            s.faults.push(at(10_000, Fault::Restart { node: node(id) }));
        }
        let entries = run(&s);
        let votes = boot_votes(&entries, ms(10_000));
        assert_eq!(votes.len(), n as usize, "{n} servers: every one restarted");
        let best = votes.iter().max_by_key(|(_, v)| **v).map(|(n, _)| *n).expect("some vote");
        assert_ne!(best, node(n), "{n} servers: the old leader is behind, so it must not win");
        let after: Vec<_> = established(&entries).into_iter().filter(|(t, _, _)| *t >= ms(10_000)).collect();
        assert_eq!(after.first().map(|e| e.1), Some(best), "{n} servers: votes {votes:?}, established {after:?}");
    }
}

// ------------------------------------------------------------ leader loss

#[test]
fn a_leader_crash_elects_a_new_leader_and_clients_carry_on() {
    let mut s = ensemble(5, &["a", "b"], 20_000);
    s.clients[0].workload = Some(Workload { stop_ms: Some(15_000), ..workload(500, 20, "/a") });
    s.clients[1].workload = Some(Workload { stop_ms: Some(15_000), ..workload(500, 20, "/b") });
    s.faults.push(at(5_000, Fault::Crash { node: node(5) }));
    let entries = run(&s);
    let est = established(&entries);
    let next = est.iter().find(|(t, _, _)| *t > ms(5_000)).copied().expect("a new leader");
    assert_ne!(next.1, node(5));
    assert_eq!(next.2, 2, "epoch 2");
    assert!(next.0 < ms(8_000), "the new leader serves within 3 s of the crash: {}", next.0);
    for c in [client(0), client(1)] {
        let late = acked_writes(&entries, c).into_iter().filter(|t| *t > ms(9_000)).count();
        assert!(late > 20, "client {c} writes after the crash: {late}");
    }
}

// ------------------------------------------------------------------ sync

#[test]
fn a_follower_partitioned_for_a_while_comes_back_with_a_diff() {
    let mut s = ensemble(3, &["w"], 30_000);
    s.clients[0].connect = vec![3];
    s.clients[0].workload = Some(workload(1_000, 10, "/w"));
    s.faults.push(at(5_000, Fault::Partition { groups: vec![vec![node(1)], vec![node(2), node(3), client(0)]] }));
    s.faults.push(at(20_000, Fault::Heal));
    let entries = run(&s);
    let back: Vec<_> = syncs(&entries).into_iter().filter(|(t, l, _)| *t > ms(20_000) && *l == 1).collect();
    assert_eq!(back.first().map(|b| b.2.as_str()), Some("DIFF"), "{back:?}");
    // And it caught up: it went LOOKING and is following again.
    assert_eq!(states_at(&entries, ms(29_000)).get(&node(1)), Some(&ServerState::Following));
}

#[test]
fn a_learner_holding_proposals_nobody_committed_is_truncated() {
    // Server 3 leads. Its proposals to the others are slowed down; it logs
    // one, is cut off before they get it, and its machine dies. The others
    // elect a new leader, and 3 comes back before anything is committed in
    // the new epoch: its extra proposal must be truncated away.
    let mut s = ensemble(3, &["w", "b"], 50_000);
    s.clients[0].connect = vec![3];
    s.clients[0].commands = vec![Command { at_ms: 5_000, line: "create /lost data".into() }];
    s.clients[1].connect = vec![1];
    s.clients[1].commands = vec![
        Command { at_ms: 25_000, line: "create /kept data".into() },
        Command { at_ms: 40_000, line: "ls /".into() },
    ];
    let slow = LinkSpec { latency_us: 50_000, ..LinkSpec::default() };
    for to in [1, 2] {
        s.faults.push(at(4_000, Fault::SetLink { from: Some(node(3)), to: Some(node(to)), spec: slow }));
    }
    let cut_off = vec![vec![node(3), client(0)], vec![node(1), node(2), client(1)]];
    s.faults.push(at(5_010, Fault::Partition { groups: cut_off }));
    s.faults.push(at(5_020, Fault::PowerOff { node: node(3), lose_unsynced: false }));
    s.faults.push(at(17_000, Fault::Heal));
    s.faults.push(at(18_000, Fault::Restart { node: node(3) }));
    let entries = run(&s);
    let est = established(&entries);
    assert!(est.iter().any(|(t, n, e)| *t < ms(17_000) && *n == node(2) && *e == 2), "2 leads epoch 2: {est:?}");
    let back: Vec<_> = syncs(&entries).into_iter().filter(|(t, l, _)| *t > ms(18_000) && *l == 3).collect();
    assert_eq!(back.first().map(|b| b.2.as_str()), Some("TRUNC"), "{back:?}");
    let ls = console(&entries, client(1), ms(40_000));
    assert!(ls.iter().any(|l| l.contains("kept") && !l.contains("lost")), "the uncommitted create is gone: {ls:?}");
}

#[test]
fn a_follower_far_behind_gets_a_snapshot() {
    let mut s = ensemble(3, &["w"], 30_000);
    s.clients[0].connect = vec![3];
    s.clients[0].workload = Some(Workload { keys: 5, ..workload(500, 200, "/w") });
    s.faults.push(at(2_000, Fault::Crash { node: node(1) }));
    s.faults.push(at(12_000, Fault::Restart { node: node(1) }));
    let entries = run(&s);
    let back: Vec<_> = syncs(&entries).into_iter().filter(|(t, l, _)| *t > ms(12_000) && *l == 1).collect();
    assert_eq!(back.first().map(|b| b.2.as_str()), Some("SNAP"), "{back:?}");
}

// ------------------------------------------------------------- partitions

#[test]
fn a_minority_stops_taking_writes_and_the_majority_goes_on() {
    // Servers 1 and 2 (and client m) are cut off from 3, 4 and the leader 5.
    let mut s = ensemble(5, &["m", "big"], 40_000);
    s.clients[0].connect = vec![1, 2];
    s.clients[0].workload = Some(workload(1_000, 10, "/m"));
    s.clients[1].connect = vec![3, 4];
    s.clients[1].workload = Some(workload(1_000, 10, "/big"));
    let minority = vec![node(1), node(2), client(0)];
    let majority = vec![node(3), node(4), node(5), client(1)];
    s.faults.push(at(5_000, Fault::Partition { groups: vec![minority, majority] }));
    let entries = run(&s);
    let window = |c| acked_writes(&entries, c).into_iter().filter(|t| *t > ms(6_000) && *t < ms(40_000)).count();
    assert_eq!(window(client(0)), 0, "no write succeeds on the minority side");
    let big = window(client(1));
    assert!(big > 50, "the majority keeps writing: {big}");
    let states = states_at(&entries, ms(30_000));
    assert_eq!(states.get(&node(1)), Some(&ServerState::Looking));
    assert_eq!(states.get(&node(2)), Some(&ServerState::Looking));
    assert_eq!(states.get(&node(5)), Some(&ServerState::Leading));
}

#[test]
fn a_leader_cut_off_with_a_minority_steps_down() {
    let mut s = ensemble(5, &["m"], 40_000);
    s.clients[0].connect = vec![5];
    s.clients[0].workload = Some(workload(1_000, 10, "/m"));
    s.faults.push(at(
        5_000,
        Fault::Partition { groups: vec![vec![node(5), node(4), client(0)], vec![node(1), node(2), node(3)]] },
    ));
    let entries = run(&s);
    let states = states_at(&entries, ms(30_000));
    assert_eq!(states.get(&node(5)), Some(&ServerState::Looking), "the old leader stepped down");
    let est = established(&entries);
    assert!(est.iter().any(|(t, n, e)| *t > ms(5_000) && *n == node(3) && *e == 2), "3 leads epoch 2: {est:?}");
    let late = acked_writes(&entries, client(0)).into_iter().filter(|t| *t > ms(6_000)).count();
    assert_eq!(late, 0, "the cut-off leader acknowledged no write");
}

#[test]
fn read_only_mode_serves_stale_reads_on_the_minority_side() {
    let mut s = ensemble(3, &["w", "ro"], 45_000);
    s.config.readonly_mode_enabled = true;
    s.config.local_sessions_enabled = true;
    let cmd = |t: u64, l: &str| Command { at_ms: t, line: l.into() };
    s.clients[0].connect = vec![2];
    s.clients[0].commands = vec![cmd(3_000, "create /x old"), cmd(10_000, "set /x new"), cmd(10_500, "get /x")];
    s.clients[1].connect = vec![1];
    s.clients[1].can_be_read_only = true;
    s.clients[1].commands = vec![
        cmd(4_000, "get /x"),
        cmd(20_000, "close"),
        cmd(21_000, "connect 127.0.0.1:2181"),
        cmd(23_000, "get /x"),
        cmd(23_500, "set /x mine"),
        cmd(24_000, "echo isro | nc 127.0.0.1 2181"),
        cmd(40_000, "get /x"),
    ];
    s.faults.push(at(
        5_000,
        Fault::Partition { groups: vec![vec![node(1), client(1)], vec![node(2), node(3), client(0)]] },
    ));
    s.faults.push(at(30_000, Fault::Heal));
    let entries = run(&s);
    assert!(console(&entries, client(0), ms(10_500)).contains(&"new".to_string()));
    let ro = console(&entries, client(1), ms(21_000));
    let idx = |needle: &str| ro.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} in {ro:?}"));
    assert!(ro[idx("state:ConnectedReadOnly")..].iter().any(|l| l.contains("CONNECTEDREADONLY")));
    assert_eq!(ro[idx("get /x") + 1], "old", "a stale read: {ro:?}");
    assert_eq!(ro[idx("set /x mine") + 1], "Not a read-only call: /x");
    assert_eq!(ro[idx("echo isro") + 1], "ro");
    let last = ro.iter().rposition(|l| l.ends_with("get /x")).expect("the last get");
    assert_eq!(ro[last + 1], "new", "after healing, a read-write server: {ro:?}");
}

#[test]
fn a_frozen_leader_is_replaced_after_sync_limit_ticks() {
    // SIGSTOP: the sockets stay open, so followers wait syncLimit × tickTime
    // (10 s at the sample zoo.cfg) from the leader's last ping — sent every
    // half tick — before they look for a new leader.
    let mut s = ensemble(3, &[], 20_000);
    s.faults.push(at(5_000, Fault::Pause { node: node(3) }));
    let entries = run(&s);
    let next = established(&entries).into_iter().find(|(t, _, _)| *t > ms(5_000)).expect("a new leader");
    assert_eq!(next.1, node(2));
    let took = next.0.saturating_since(ms(5_000)).as_millis();
    assert!((9_000..11_000).contains(&took), "the new leader after {took} ms (real ZooKeeper: 10.4 s)");
}

// --------------------------------------------------------------- sessions

#[test]
fn an_expired_sessions_ephemeral_vanishes_from_every_server() {
    // Client e, on follower 1, makes an ephemeral and is cut off; the
    // leader expires its session and the closeSession transaction removes
    // the node everywhere. Client w, on another follower, is told.
    let mut s = ensemble(3, &["e", "w"], 40_000);
    s.clients[0].connect = vec![1];
    s.clients[0].session_timeout_ms = 6_000;
    s.clients[0].commands = vec![Command { at_ms: 1_000, line: "create -e /lock e".into() }];
    s.clients[1].connect = vec![2];
    s.clients[1].commands =
        vec![Command { at_ms: 2_000, line: "stat -w /lock".into() }, Command { at_ms: 30_000, line: "ls /".into() }];
    s.faults.push(at(
        3_000,
        Fault::Partition { groups: vec![vec![client(0)], vec![node(1), node(2), node(3), client(1)]] },
    ));
    let entries = run(&s);
    let expired: Vec<_> = server_events(&entries)
        .into_iter()
        .filter_map(|(t, n, ev)| matches!(ev, ServerEvent::SessionExpired { .. }).then_some((t, n)))
        .collect();
    assert_eq!(expired.len(), 1, "{expired:?}");
    let (t, who) = expired[0];
    assert_eq!(who, node(3), "the leader tracks global sessions");
    // Expired between timeout and timeout + tickTime after the last touch.
    assert!(t > ms(3_000 + 6_000 - 2_000) && t < ms(3_000 + 6_000 + 2_000 + 1_000), "expired at {t}");
    let w = console(&entries, client(1), ms(2_000));
    assert!(w.iter().any(|l| l.contains("type:NodeDeleted path:/lock")), "{w:?}");
    let ls = console(&entries, client(1), ms(30_000));
    assert_eq!(ls.get(1).map(String::as_str), Some("[zookeeper]"), "{ls:?}");
}

#[test]
fn a_client_moves_to_another_server_and_keeps_its_session_and_ephemeral() {
    let mut s = ensemble(3, &["e", "w"], 20_000);
    s.clients[0].connect = vec![1, 2];
    s.clients[0].commands = vec![
        Command { at_ms: 1_000, line: "create -e /me here".into() },
        Command { at_ms: 10_000, line: "get /me".into() },
    ];
    s.clients[1].connect = vec![3];
    s.clients[1].commands = vec![Command { at_ms: 12_000, line: "ls /".into() }];
    // Whichever of 1 and 2 the client settles on, kill it.
    let first = {
        let mut probe = s.clone();
        probe.end_ms = 3_000;
        for c in &mut probe.clients {
            c.commands.clear();
        }
        let entries = run(&probe);
        entries
            .iter()
            .find_map(|e| match &e.what {
                Record::Emit {
                    node,
                    event: ZkEvent::Client(ClientEvent::State { state: zab::ClientState::Connected, server }),
                } if *node == client(0) => *server,
                _ => None,
            })
            .expect("the client connects")
    };
    s.faults.push(at(5_000, Fault::Crash { node: first }));
    let entries = run(&s);
    let sessions: Vec<u64> = entries
        .iter()
        .filter_map(|e| match &e.what {
            Record::Emit { node, event: ZkEvent::Client(ClientEvent::Session { id, .. }) } if *node == client(0) => {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    assert!(sessions.len() >= 2 && sessions.iter().all(|id| *id == sessions[0]), "one session: {sessions:?}");
    assert_eq!(console(&entries, client(0), ms(10_000)).get(1).map(String::as_str), Some("here"));
    assert!(console(&entries, client(1), ms(12_000)).iter().any(|l| l.contains("me")));
}

#[test]
fn an_observer_follows_by_inform_and_serves_clients_without_voting() {
    let mut s = ensemble(4, &["o"], 15_000);
    s.servers[3].observer = true;
    s.clients[0].connect = vec![4];
    s.clients[0].commands =
        vec![Command { at_ms: 1_000, line: "create /o seen".into() }, Command { at_ms: 2_000, line: "get /o".into() }];
    // Two voters down: no quorum, whatever the observer does.
    s.faults.push(at(5_000, Fault::Crash { node: node(1) }));
    s.faults.push(at(5_000, Fault::Crash { node: node(2) }));
    let entries = run(&s);
    let est = established(&entries);
    assert_eq!(est[0].1, node(3), "the highest voter leads, not the observer");
    let informs = entries
        .iter()
        .filter(|e| matches!(&e.what, Record::Send { to, msg: zab::ZkMsg::Quorum(zab::quorum::packet::QuorumPacket::Inform(_)), .. } if *to == node(4)))
        .count();
    assert!(informs >= 2, "the observer learns commits by INFORM: {informs}");
    assert_eq!(console(&entries, client(0), ms(2_000)).get(1).map(String::as_str), Some("seen"));
    assert_eq!(states_at(&entries, ms(14_000)).get(&node(3)), Some(&ServerState::Looking), "no quorum without 1 and 2");
}
