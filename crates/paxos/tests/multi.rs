//! Multi-Paxos in the deterministic world: election, steady state, loss,
//! leader crash with a gap, partitions, restarts; the safety checker runs
//! on every trace.

use actor::{Duration, Instant, NodeId};
use paxos::multi::{Call, Checker, Command, Config, Event, Kv, MultiPaxos, Replica, Rule, Slot};
use paxos::Ballot;
use sim::{Fault, LinkSpec, Network, Record, World};
use std::collections::BTreeMap;

type W = World<MultiPaxos>;

fn ids(n: u32) -> Vec<NodeId> {
    (1..=n).map(NodeId).collect()
}

fn cluster(n: u32, seed: u64, spec: LinkSpec, tune: impl Fn(&mut Config)) -> W {
    let mut w = World::new(seed, Network { default: spec, ..Network::default() });
    for id in ids(n) {
        let mut cfg = Config::new(id, ids(n), seed);
        tune(&mut cfg);
        w.add_node(id, Box::new(Replica::new(cfg)), Duration::from_millis(1));
        w.boot(id);
    }
    w
}

fn link(latency_us: u64) -> LinkSpec {
    LinkSpec { latency_us, ..LinkSpec::default() }
}

fn run_for(w: &mut W, d: Duration) {
    let t = w.now() + d;
    w.run_to(t).expect("world runs");
}

fn events(w: &W) -> Vec<(Instant, NodeId, Event)> {
    sim::emitted(w.log()).map(|(at, node, e)| (at, node, e.clone())).collect()
}

/// Run the safety checker over the whole trace; panic on any violation.
fn check(w: &W) {
    let evs = events(w);
    let v = Checker::check(evs.iter().map(|(at, n, e)| (*at, *n, e)));
    assert!(v.is_empty(), "safety violations:\n{}", v.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
}

/// Run until some replica leads and every running replica follows it (or
/// is it); returns the leader and its ballot.
fn wait_leader(w: &mut W, within: Duration) -> (NodeId, Ballot) {
    let deadline = w.now() + within;
    while w.now() < deadline {
        run_for(w, Duration::from_millis(10));
        if let Some(l) = stable_leader(w) {
            return l;
        }
    }
    panic!("no stable leader by {}", w.now());
}

fn stable_leader(w: &W) -> Option<(NodeId, Ballot)> {
    let mut view: BTreeMap<NodeId, (NodeId, Ballot)> = BTreeMap::new();
    for (_, n, e) in events(w) {
        match e {
            Event::Leading { b, .. } => {
                view.insert(n, (n, b));
            }
            Event::Following { leader, b } => {
                view.insert(n, (leader, b));
            }
            Event::Electing { .. } | Event::Booted { .. } => {
                view.remove(&n);
            }
            _ => {}
        }
    }
    let running: Vec<NodeId> = w.nodes().filter(|n| w.is_running(*n)).collect();
    let first = view.get(running.first()?).copied()?;
    let all = running.iter().all(|n| view.get(n) == Some(&first));
    (all && w.is_running(first.0) && view.get(&first.0) == Some(&first)).then_some(first)
}

/// What `node` executed since its last boot, in order.
fn executed(w: &W, node: NodeId) -> Vec<(Slot, Command)> {
    let mut out = Vec::new();
    for (_, n, e) in events(w) {
        if n != node {
            continue;
        }
        match e {
            Event::Booted { .. } => out.clear(),
            Event::Executed { slot, cmd, .. } => out.push((slot, cmd)),
            _ => {}
        }
    }
    out
}

fn kv(w: &W, node: NodeId) -> BTreeMap<String, String> {
    let mut kv = Kv::default();
    for (_, c) in executed(w, node) {
        kv.apply(&c);
    }
    kv.map
}

fn put_ids(exec: &[(Slot, Command)]) -> Vec<u64> {
    exec.iter().filter_map(|(_, c)| if let Command::Put { id, .. } = c { Some(*id) } else { None }).collect()
}

fn put(w: &mut W, at: NodeId, id: u64) {
    w.call(at, Call::Put { key: format!("k{}", id % 7), value: format!("v{id}"), id });
}

/// Every running replica executed the same sequence and holds the same
/// store; returns that sequence.
fn converged(w: &W) -> Vec<(Slot, Command)> {
    let running: Vec<NodeId> = w.nodes().filter(|n| w.is_running(*n)).collect();
    let first = executed(w, running[0]);
    for n in &running {
        assert_eq!(executed(w, *n), first, "replica {n} executed a different log");
        assert_eq!(kv(w, *n), kv(w, running[0]), "replica {n} holds a different store");
    }
    first
}

fn datagrams(w: &W, kind: &str, from: Instant) -> usize {
    w.log()
        .iter()
        .filter(|e| e.at >= from && matches!(&e.what, Record::SendDatagram { msg, .. } if msg.kind() == kind))
        .count()
}

fn chosen_at(w: &W, node: NodeId, slot: Slot) -> Option<Command> {
    events(w).into_iter().find_map(|(_, n, e)| match e {
        Event::Chosen { slot: s, cmd, .. } if n == node && s == slot => Some(cmd),
        _ => None,
    })
}

/// When, who, ballot, re-proposed slots, no-op slots.
type Lead = (Instant, NodeId, Ballot, Vec<Slot>, Vec<Slot>);

fn last_leading(w: &W) -> Option<Lead> {
    events(w).into_iter().rev().find_map(|(at, n, e)| match e {
        Event::Leading { b, reproposed, noops, .. } => Some((at, n, b, reproposed, noops)),
        _ => None,
    })
}

/// Figures for a stable leader: messages per chosen command (without and
/// with heartbeats) and mean commit latency (call → reply at the replica
/// called: the leader, or a follower that forwards), for `n` replicas on
/// links of `latency_us` with 1 ms disk syncs; one command every 10 ms.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub commands: usize,
    pub messages_per_command: f64,
    pub messages_per_command_with_heartbeats: f64,
    pub mean_latency_ms: f64,
}

pub fn messages_per_command(n: u32, latency_us: u64, commands: u64, seed: u64, via_follower: bool) -> Measure {
    let mut w = cluster(n, seed, link(latency_us), |_| {});
    let (leader, _) = wait_leader(&mut w, Duration::from_secs(3));
    let client = if via_follower { ids(n).into_iter().find(|r| *r != leader).unwrap_or(leader) } else { leader };
    run_for(&mut w, Duration::from_millis(50));
    let start = w.now();
    for i in 0..commands {
        w.schedule_call(
            start + Duration::from_millis(10 * i),
            client,
            Call::Put { key: format!("k{i}"), value: format!("v{i}"), id: i + 1 },
        );
    }
    run_for(&mut w, Duration::from_millis(10 * commands + 200));
    check(&w);
    let called = |id: u64| start + Duration::from_millis(10 * (id - 1));
    let mut replied: BTreeMap<u64, Instant> = BTreeMap::new();
    for e in w.log().iter().filter(|e| e.at >= start) {
        if let Record::Emit { node, event: Event::Replied { id, ok: true } } = &e.what {
            if *node == client {
                replied.insert(*id, e.at);
            }
        }
    }
    assert_eq!(replied.len() as u64, commands, "every command committed");
    let end = replied.values().max().copied().unwrap_or(start);
    let sent: Vec<&str> = w
        .log()
        .iter()
        .filter(|e| e.at >= start && e.at <= end)
        .filter_map(|e| match &e.what {
            Record::SendDatagram { msg, .. } => Some(msg.kind()),
            _ => None,
        })
        .collect();
    let all = sent.len() as f64;
    let beats = sent.iter().filter(|k| **k == "heartbeat").count() as f64;
    let lat: u64 = replied.iter().map(|(id, at)| at.saturating_since(called(*id)).as_micros()).sum();
    let c = commands as f64;
    Measure {
        commands: commands as usize,
        messages_per_command: (all - beats) / c,
        messages_per_command_with_heartbeats: all / c,
        mean_latency_ms: lat as f64 / c / 1000.0,
    }
}

// ------------------------------------------------------------------ tests

#[test]
fn three_replicas_elect_one_leader_and_choose_twenty_puts_in_order() {
    let mut w = cluster(3, 1, link(1000), |_| {});
    let (leader, b) = wait_leader(&mut w, Duration::from_secs(3));
    let leadings: Vec<_> = events(&w).into_iter().filter(|(_, _, e)| matches!(e, Event::Leading { .. })).collect();
    assert_eq!(leadings.len(), 1, "one leader elected: {leadings:?}");
    let elected_at = leadings[0].0;
    let prepares_at_election = datagrams(&w, "prepare", Instant::ZERO);
    assert!(prepares_at_election >= 2, "phase 1 ran once to elect");
    for id in 1..=20 {
        put(&mut w, leader, id);
        run_for(&mut w, Duration::from_millis(5));
    }
    run_for(&mut w, Duration::from_millis(500));
    check(&w);
    let log = converged(&w);
    assert_eq!(put_ids(&log), (1..=20).collect::<Vec<_>>(), "chosen and executed in order");
    assert_eq!(log.iter().map(|(s, _)| *s).collect::<Vec<_>>(), (1..=20).collect::<Vec<_>>());
    assert_eq!(datagrams(&w, "prepare", elected_at + Duration::from_micros(1)), 0, "no phase 1 per command");
    assert_eq!(stable_leader(&w), Some((leader, b)), "the leader stayed");
    let replies =
        events(&w).iter().filter(|(_, n, e)| *n == leader && matches!(e, Event::Replied { ok: true, .. })).count();
    assert_eq!(replies, 20);
    assert_eq!(kv(&w, leader).len(), 7);
    let follower = ids(3).into_iter().find(|n| *n != leader).expect("a follower");
    w.call(follower, Call::Get { key: "k6".into(), id: 21 });
    run_for(&mut w, Duration::from_millis(50));
    let read = events(&w).into_iter().find_map(|(_, n, e)| match e {
        Event::Executed { cmd: Command::Get { id: 21, .. }, result, .. } if n == follower => Some(result),
        _ => None,
    });
    assert_eq!(read, Some(Some("v20".to_string())), "a read through the log sees the last put");
    assert!(events(&w).iter().any(|(_, n, e)| *n == follower && *e == Event::Replied { id: 21, ok: true }));
    check(&w);
}

#[test]
fn five_replicas_converge_with_loss_and_duplication() {
    let spec = LinkSpec { latency_us: 1000, jitter_us: 1000, loss_ppm: 50_000, dup_ppm: 50_000 };
    let mut w = cluster(5, 7, spec, |_| {});
    wait_leader(&mut w, Duration::from_secs(5));
    run_for(&mut w, Duration::from_millis(100));
    let mut refused = Vec::new();
    for id in 1..=30u64 {
        let at = NodeId(1 + (id % 5) as u32);
        put(&mut w, at, id);
        run_for(&mut w, Duration::from_millis(10));
    }
    run_for(&mut w, Duration::from_secs(5));
    for (_, _, e) in events(&w) {
        if let Event::NotLeader { id } = e {
            refused.push(id);
        }
    }
    check(&w);
    let log = converged(&w);
    let mut done = put_ids(&log);
    done.sort_unstable();
    done.dedup();
    let want: Vec<u64> = (1..=30).filter(|id| !refused.contains(id)).collect();
    assert_eq!(done, want, "every accepted call executed exactly once (refused: {refused:?})");
    let dup = w.log().iter().filter(|e| matches!(&e.what, Record::SendDatagram { arrive, .. } if arrive.len() == 2));
    assert!(dup.count() > 0, "the network duplicated");
}

#[test]
fn a_new_leader_reproposes_accepted_slots_and_fills_a_gap_with_a_noop() {
    let mut w = cluster(3, 3, link(1000), |c| {
        c.heartbeat_ms = 50;
        c.leader_timeout_ms = 300;
    });
    let (l, _) = wait_leader(&mut w, Duration::from_secs(5));
    let others: Vec<NodeId> = ids(3).into_iter().filter(|n| *n != l).collect();
    let (b, c) = (others[0], others[1]);
    for id in 1..=3 {
        put(&mut w, l, id);
    }
    run_for(&mut w, Duration::from_millis(100));
    assert_eq!(put_ids(&converged(&w)), vec![1, 2, 3]);
    // Slot 4 reaches only the leader; slot 5 also reaches b, whose answer is cut.
    w.fault(Fault::Cut { from: l, to: b, both: false });
    w.fault(Fault::Cut { from: l, to: c, both: false });
    put(&mut w, l, 4);
    run_for(&mut w, Duration::from_millis(5));
    w.fault(Fault::Restore { from: l, to: b, both: false });
    w.fault(Fault::Cut { from: b, to: l, both: false });
    put(&mut w, l, 5);
    run_for(&mut w, Duration::from_millis(5));
    w.fault(Fault::Crash { node: l });
    let accepted = |w: &W, slot: Slot| -> Vec<NodeId> {
        events(w)
            .into_iter()
            .filter_map(|(_, n, e)| matches!(e, Event::Accepted { slot: s, .. } if s == slot).then_some(n))
            .collect()
    };
    assert_eq!(accepted(&w, 4), vec![l], "slot 4 accepted by a minority");
    let mut s5 = accepted(&w, 5);
    s5.sort();
    let mut want = vec![l, b];
    want.sort();
    assert_eq!(s5, want, "slot 5 accepted by l and b, never chosen");
    assert_eq!(chosen_at(&w, b, 5), None);

    let (n, _) = wait_leader(&mut w, Duration::from_secs(5));
    assert!(n != l);
    let (_, who, _, reproposed, noops) = last_leading(&w).expect("a new leader");
    assert_eq!(who, n);
    assert_eq!(noops, vec![4], "the gap became a no-op");
    assert_eq!(reproposed, vec![5], "the accepted slot was re-proposed");
    run_for(&mut w, Duration::from_millis(100));
    assert_eq!(chosen_at(&w, c, 4), Some(Command::Noop));
    assert!(matches!(chosen_at(&w, c, 5), Some(Command::Put { id: 5, .. })), "old leader's value, later slot");

    w.fault(Fault::Heal);
    put(&mut w, n, 6);
    run_for(&mut w, Duration::from_millis(200));
    w.fault(Fault::Restart { node: l });
    run_for(&mut w, Duration::from_secs(2));
    check(&w);
    let log = converged(&w);
    assert_eq!(put_ids(&log), vec![1, 2, 3, 5, 6], "4 was never chosen; commands continue");
    assert_eq!(log[3], (4, Command::Noop));
}

#[test]
fn a_minority_partition_chooses_nothing_and_converges_after_heal() {
    let mut w = cluster(5, 11, link(1000), |_| {});
    let (l, _) = wait_leader(&mut w, Duration::from_secs(5));
    for id in 1..=5 {
        put(&mut w, l, id);
    }
    run_for(&mut w, Duration::from_millis(100));
    let others: Vec<NodeId> = ids(5).into_iter().filter(|n| *n != l).collect();
    let minority = vec![l, others[0]];
    let majority: Vec<NodeId> = others[1..].to_vec();
    let cut_at = w.now();
    w.fault(Fault::Partition { groups: vec![minority.clone(), majority.clone()] });
    put(&mut w, l, 100);
    put(&mut w, others[0], 101);
    run_for(&mut w, Duration::from_millis(50));
    let (n, _) = {
        // Only the majority can elect; wait for a Leading among it.
        let deadline = w.now() + Duration::from_secs(5);
        loop {
            run_for(&mut w, Duration::from_millis(10));
            if let Some((at, who, b, _, _)) = last_leading(&w) {
                if at > cut_at && majority.contains(&who) {
                    break (who, b);
                }
            }
            assert!(w.now() < deadline, "the majority elects");
        }
    };
    for id in 6..=10 {
        put(&mut w, n, id);
    }
    run_for(&mut w, Duration::from_secs(1));
    let heal_at = w.now();
    for (at, node, e) in events(&w) {
        if at > cut_at && minority.contains(&node) {
            assert!(!matches!(e, Event::Chosen { .. } | Event::Leading { .. }), "minority chose/led: {e:?} at {at}");
        }
    }
    let majority_done = put_ids(&executed(&w, n));
    assert_eq!(majority_done, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "majority continues");
    w.fault(Fault::Heal);
    run_for(&mut w, Duration::from_secs(3));
    check(&w);
    let mut done = put_ids(&converged(&w));
    done.sort_unstable();
    assert_eq!(done, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 101], "minority calls go through after heal");
    let replied = |id: u64| {
        events(&w).iter().any(|(at, _, e)| *at > heal_at && matches!(e, Event::Replied { id: i, ok: true } if *i == id))
    };
    assert!(replied(100) && replied(101));
}

#[test]
fn a_restarted_replica_restores_acceptor_state_and_a_full_restart_loses_nothing() {
    let mut w = cluster(3, 5, link(1000), |_| {});
    let (l, b) = wait_leader(&mut w, Duration::from_secs(3));
    for id in 1..=10 {
        put(&mut w, l, id);
        run_for(&mut w, Duration::from_millis(5));
    }
    run_for(&mut w, Duration::from_millis(100));
    let f = ids(3).into_iter().find(|n| *n != l).expect("a follower");
    w.fault(Fault::PowerOff { node: f, lose_unsynced: true });
    for id in 11..=15 {
        put(&mut w, l, id);
        run_for(&mut w, Duration::from_millis(5));
    }
    run_for(&mut w, Duration::from_millis(100));
    w.fault(Fault::Restart { node: f });
    run_for(&mut w, Duration::from_millis(5));
    let booted = events(&w).into_iter().rev().find_map(|(_, n, e)| match e {
        Event::Booted { promised, accepted } if n == f => Some((promised, accepted)),
        _ => None,
    });
    assert_eq!(booted, Some((b, 10)), "promise and the 10 accepted slots come back from disk");
    run_for(&mut w, Duration::from_millis(500));
    assert_eq!(put_ids(&converged(&w)), (1..=15).collect::<Vec<_>>(), "the restarted replica caught up");

    // Everyone dies at once; only the acceptors' disks remain.
    for n in ids(3) {
        w.fault(Fault::Crash { node: n });
    }
    run_for(&mut w, Duration::from_millis(10));
    for n in ids(3) {
        w.fault(Fault::Restart { node: n });
    }
    let (l2, b2) = wait_leader(&mut w, Duration::from_secs(5));
    assert!(b2 > b);
    put(&mut w, l2, 16);
    run_for(&mut w, Duration::from_millis(300));
    check(&w);
    assert_eq!(put_ids(&converged(&w)), (1..=16).collect::<Vec<_>>(), "chosen slots survive a full restart");
    let (_, _, _, reproposed, _) = last_leading(&w).expect("leading");
    assert_eq!(reproposed, (1..=15).collect::<Vec<_>>(), "recovered from promises");
}

#[test]
fn an_acceptor_answers_only_after_its_write_is_durable() {
    let mut w = cluster(3, 9, link(1000), |_| {});
    let (l, b) = wait_leader(&mut w, Duration::from_secs(3));
    let f = ids(3).into_iter().find(|n| *n != l).expect("a follower");
    w.fault(Fault::DiskLatency { node: f, latency_us: 50_000 });
    run_for(&mut w, Duration::from_millis(1));
    put(&mut w, l, 1);
    run_for(&mut w, Duration::from_millis(10));
    let got_accept = w.log().iter().any(
        |e| matches!(&e.what, Record::DeliverDatagram { to, msg: paxos::multi::Msg::Accept { .. }, .. } if *to == f),
    );
    assert!(got_accept, "the follower received the accept");
    assert!(!events(&w).iter().any(|(_, n, e)| *n == f && matches!(e, Event::Accepted { .. })), "not yet durable");
    assert!(chosen_at(&w, l, 1).is_some(), "the other two chose it");
    w.fault(Fault::PowerOff { node: f, lose_unsynced: true });
    run_for(&mut w, Duration::from_millis(10));
    w.fault(Fault::DiskLatency { node: f, latency_us: 1000 });
    w.fault(Fault::Restart { node: f });
    run_for(&mut w, Duration::from_millis(5));
    let booted = events(&w).into_iter().rev().find_map(|(_, n, e)| match e {
        Event::Booted { promised, accepted } if n == f => Some((promised, accepted)),
        _ => None,
    });
    assert_eq!(booted, Some((b, 0)), "the unsynced accept is gone, and nobody was told about it");
    run_for(&mut w, Duration::from_millis(300));
    check(&w);
    assert_eq!(put_ids(&converged(&w)), vec![1]);
}

#[test]
fn the_checker_flags_unsafe_histories() {
    let b = |round, node| Ballot { round, node };
    let put = |id: u64, v: &str| Command::Put { id, key: "k".into(), value: v.into() };
    let (n1, n2) = (NodeId(1), NodeId(2));
    let t = Instant(1);
    let evs = vec![
        (t, n1, Event::Booted { promised: Ballot::ZERO, accepted: 0 }),
        (t, n1, Event::Promised { b: b(3, 1) }),
        (t, n1, Event::Promised { b: b(2, 2) }),
        (t, n1, Event::Accepted { slot: 1, b: b(1, 2) }),
        (t, n1, Event::Chosen { slot: 1, b: b(3, 1), cmd: put(1, "a") }),
        (t, n2, Event::Chosen { slot: 1, b: b(4, 2), cmd: put(2, "b") }),
        (t, n1, Event::Executed { slot: 1, cmd: put(1, "a"), result: None }),
        (t, n2, Event::Executed { slot: 1, cmd: put(2, "b"), result: None }),
        (t, n1, Event::Executed { slot: 3, cmd: Command::Noop, result: None }),
        (t, n1, Event::Booted { promised: b(1, 1), accepted: 0 }),
        (t, n2, Event::Accepted { slot: 4, b: b(5, 2) }),
        (t, n2, Event::Booted { promised: b(5, 2), accepted: 0 }),
        (t, n2, Event::Leading { b: b(5, 1), from_slot: 1, reproposed: vec![], noops: vec![] }),
    ];
    let v = Checker::check(evs.iter().map(|(a, n, e)| (*a, *n, e)));
    let rules: Vec<Rule> = v.iter().map(|v| v.rule).collect();
    for r in [
        Rule::PromiseMonotone,
        Rule::AcceptBelowPromise,
        Rule::OneValuePerSlot,
        Rule::ExecutedAgree,
        Rule::ExecutionOrder,
        Rule::ForeignBallot,
        Rule::LostAcceptorState,
    ] {
        assert!(rules.contains(&r), "{r:?} not flagged in {v:?}");
    }
    assert_eq!(rules.iter().filter(|r| **r == Rule::PromiseMonotone).count(), 2, "live and across a restart");
    let good = [
        (t, n1, Event::Promised { b: b(1, 1) }),
        (t, n1, Event::Accepted { slot: 1, b: b(1, 1) }),
        (t, n1, Event::Chosen { slot: 1, b: b(1, 1), cmd: Command::Noop }),
        (t, n1, Event::Executed { slot: 1, cmd: Command::Noop, result: None }),
    ];
    assert!(Checker::check(good.iter().map(|(a, n, e)| (*a, *n, e))).is_empty());
}

#[test]
fn stable_leader_costs_one_round_trip_per_command() {
    let show = |what: &str, m: &Measure| {
        eprintln!(
            "multi-paxos, {what}, 1 ms links, 1 ms disk sync: {} commands, {:.2} messages/command \
             ({:.2} with heartbeats), mean commit latency {:.3} ms",
            m.commands, m.messages_per_command, m.messages_per_command_with_heartbeats, m.mean_latency_ms
        );
    };
    let m = messages_per_command(3, 1000, 50, 21, false);
    show("3 replicas, call at the leader", &m);
    // Accept ×2, Accepted ×2, Chosen ×2 per command.
    assert!((5.9..6.5).contains(&m.messages_per_command), "{m:?}");
    // One round trip (2 ms) plus the acceptor's disk sync (1 ms).
    assert!((2.9..4.0).contains(&m.mean_latency_ms), "{m:?}");
    let f = messages_per_command(3, 1000, 50, 21, true);
    show("3 replicas, call at a follower", &f);
    // A Forward more; the reply waits for the Chosen to come back.
    assert!((6.9..7.5).contains(&f.messages_per_command), "{f:?}");
    assert!((4.9..6.0).contains(&f.mean_latency_ms), "{f:?}");
    let five = messages_per_command(5, 1000, 50, 21, false);
    show("5 replicas, call at the leader", &five);
    assert!((11.9..12.5).contains(&five.messages_per_command), "{five:?}");
}

/// Random crashes, restarts, partitions and a lossy network over many
/// seeds: the checker never fires, and after healing everyone converges
/// and new commands are chosen.
#[test]
fn chaos_over_many_seeds_stays_safe_and_converges() {
    use rand_chacha::ChaCha8Rng;
    use rand_core::{RngCore, SeedableRng};
    for seed in std::env::var("CHAOS_SEED").ok().and_then(|s| s.parse().ok()).map_or(0..24u64, |s: u64| s..s + 1) {
        let spec = LinkSpec { latency_us: 800, jitter_us: 1500, loss_ppm: 80_000, dup_ppm: 50_000 };
        let mut w = cluster(5, 100 + seed, spec, |_| {});
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut id = 0;
        wait_leader(&mut w, Duration::from_secs(10));
        for _ in 0..60 {
            let node = NodeId(1 + (rng.next_u64() % 5) as u32);
            match rng.next_u64() % 12 {
                0 => w.fault(Fault::Crash { node }),
                1 => w.fault(Fault::PowerOff { node, lose_unsynced: true }),
                2 | 3 => w.fault(Fault::Restart { node }),
                4 => {
                    let other = NodeId(1 + (rng.next_u64() % 5) as u32);
                    let (a, b): (Vec<NodeId>, Vec<NodeId>) =
                        ids(5).into_iter().partition(|n| *n == node || *n == other);
                    w.fault(Fault::Partition { groups: vec![a, b] });
                }
                5 => w.fault(Fault::Heal),
                _ => {
                    // A burst, so several slots are in flight when a fault hits.
                    for _ in 0..3 {
                        id += 1;
                        put(&mut w, node, id);
                    }
                }
            }
            run_for(&mut w, Duration::from_millis(rng.next_u64() % 150));
        }
        w.fault(Fault::Heal);
        for n in ids(5) {
            w.fault(Fault::Restart { node: n });
        }
        let (l, _) = wait_leader(&mut w, Duration::from_secs(10));
        put(&mut w, l, 1000);
        run_for(&mut w, Duration::from_secs(3));
        check(&w);
        let log = converged(&w);
        assert!(put_ids(&log).contains(&1000), "seed {seed}: a command after healing is chosen");
        let elections = events(&w).iter().filter(|(_, _, e)| matches!(e, Event::Leading { .. })).count();
        let noops = log.iter().filter(|(_, c)| *c == Command::Noop).count();
        if std::env::var("CHAOS_DEBUG").is_ok() {
            for e in w.log() {
                if let Record::Fault { fault } = &e.what {
                    eprintln!("  {} fault {}", e.at, fault.label());
                }
            }
            for (at, n, e) in events(&w) {
                if matches!(
                    e,
                    Event::NotLeader { .. }
                        | Event::Forwarded { .. }
                        | Event::Replied { .. }
                        | Event::Leading { .. }
                        | Event::Booted { .. }
                ) {
                    eprintln!("  {at} {n} {e:?}");
                }
            }
        }
        eprintln!("chaos seed {seed}: {} slots ({noops} no-ops) for {id} calls, {elections} leaderships", log.len());
    }
}
