//! The world's network, faults, disks and clocks, checked with a small test
//! protocol: nodes that connect, send, write, sync and tick on command.

use actor::{CloseReason, ConnId, Duration, Effect, Effects, Input, Instant, Node, NodeId, Protocol};
use serde::{Deserialize, Serialize};
use sim::{Fault, LinkSpec, Network, Record, Stepped, World, WorldError};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
struct T;

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Call {
    Connect(NodeId),
    Stream(u64),
    Datagram(NodeId, u64),
    Write(u64),
    Sync(u64),
    /// Tick every this many µs.
    Tick(u64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Event {
    Booted(Vec<u64>),
    Connected,
    Accepted,
    Closed(CloseReason),
    Got(u64),
    Dgram(u64),
    Tick(u64),
    Synced(u64),
}

impl Protocol for T {
    type Msg = u64;
    type Timer = u8;
    type Write = u64;
    type Call = Call;
    type Event = Event;
}

#[derive(Default)]
struct TNode {
    me: u32,
    conn: Option<ConnId>,
    seq: u32,
    life: u32,
    ticks: u64,
    period: u64,
}

fn emit(out: &mut Effects<T>, e: Event) {
    out.push(Effect::Emit { event: e });
}

impl Node for TNode {
    type P = T;
    fn step(&mut self, now: Instant, input: Input<T>, out: &mut Effects<T>) {
        match input {
            Input::Boot { disk, life } => {
                *self = TNode { me: self.me, life, ..TNode::default() };
                emit(out, Event::Booted(disk));
            }
            Input::Call(Call::Connect(to)) => {
                self.seq += 1;
                let conn = ConnId { opener: NodeId(self.me), life: self.life, seq: self.seq };
                self.conn = Some(conn);
                out.push(Effect::Connect { conn, to });
            }
            Input::Call(Call::Stream(n)) => {
                if let Some(conn) = self.conn {
                    out.push(Effect::Send { conn, msg: n });
                }
            }
            Input::Call(Call::Datagram(to, n)) => out.push(Effect::SendDatagram { to, msg: n }),
            Input::Call(Call::Write(w)) => out.push(Effect::Write { write: w }),
            Input::Call(Call::Sync(t)) => out.push(Effect::Sync { token: t }),
            Input::Call(Call::Tick(period)) => {
                self.period = period;
                out.push(Effect::SetTimer { timer: 0, at: now + Duration::from_micros(period) });
            }
            Input::Timer(_) => {
                self.ticks += 1;
                emit(out, Event::Tick(self.ticks));
                out.push(Effect::SetTimer { timer: 0, at: now + Duration::from_micros(self.period) });
            }
            Input::Connected { .. } => emit(out, Event::Connected),
            Input::Accepted { conn, .. } => {
                self.conn = Some(conn);
                emit(out, Event::Accepted);
            }
            Input::Closed { reason, .. } => {
                self.conn = None;
                emit(out, Event::Closed(reason));
            }
            Input::Received { msg, .. } => emit(out, Event::Got(msg)),
            Input::Datagram { msg, .. } => emit(out, Event::Dgram(msg)),
            Input::Synced { token } => emit(out, Event::Synced(token)),
        }
    }
}

const A: NodeId = NodeId(1);
const B: NodeId = NodeId(2);

fn world(seed: u64, spec: LinkSpec) -> World<T> {
    let mut w = World::new(seed, Network { default: spec, ..Network::default() });
    for id in [A, B] {
        w.add_node(id, Box::new(TNode { me: id.0, ..TNode::default() }), Duration::from_millis(1));
        w.boot(id);
    }
    w.run_to(Instant(1)).expect("boots");
    w
}

fn events(w: &World<T>, node: NodeId) -> Vec<(Instant, Event)> {
    w.log()
        .iter()
        .filter_map(|e| match &e.what {
            Record::Emit { node: n, event } if *n == node => Some((e.at, event.clone())),
            _ => None,
        })
        .collect()
}

fn got(w: &World<T>, node: NodeId) -> Vec<u64> {
    events(w, node).into_iter().filter_map(|(_, e)| if let Event::Got(n) = e { Some(n) } else { None }).collect()
}

fn connect(w: &mut World<T>) {
    w.call(A, Call::Connect(B));
    let t = w.now() + Duration::from_millis(50);
    w.run_to(t).expect("connects");
    assert!(events(w, A).iter().any(|(_, e)| *e == Event::Connected));
}

fn run_for(w: &mut World<T>, d: Duration) {
    let t = w.now() + d;
    w.run_to(t).expect("runs");
}

#[test]
fn streams_stay_fifo_under_jitter_and_loss() {
    let mut w = world(1, LinkSpec { latency_us: 500, jitter_us: 2000, loss_ppm: 100_000, dup_ppm: 300_000 });
    connect(&mut w);
    for n in 0..500 {
        w.call(A, Call::Stream(n));
        run_for(&mut w, Duration::from_micros(100));
    }
    run_for(&mut w, Duration::from_secs(30));
    assert_eq!(got(&w, B), (0..500).collect::<Vec<_>>(), "every message, once, in order");
}

#[test]
fn datagrams_are_lost_duplicated_and_reordered_at_the_models_rates() {
    let (mut sent, mut lost, mut dups, mut reordered) = (0, 0, 0, 0);
    for seed in 0..20 {
        let mut w = world(seed, LinkSpec { latency_us: 1000, jitter_us: 5000, loss_ppm: 100_000, dup_ppm: 50_000 });
        for n in 0..500 {
            w.call(A, Call::Datagram(B, n));
            run_for(&mut w, Duration::from_micros(200));
        }
        run_for(&mut w, Duration::from_secs(1));
        let g: Vec<u64> = events(&w, B)
            .into_iter()
            .filter_map(|(_, e)| if let Event::Dgram(n) = e { Some(n) } else { None })
            .collect();
        let distinct: std::collections::BTreeSet<u64> = g.iter().copied().collect();
        sent += 500;
        lost += 500 - distinct.len();
        dups += g.len() - distinct.len();
        reordered += g.windows(2).filter(|p| p[1] < p[0]).count();
    }
    assert!((900..1100).contains(&lost), "lost {lost} of {sent}: expected about 10%");
    assert!((380..520).contains(&dups), "duplicated {dups}: expected about 5% of 90%");
    assert!(reordered > 1000, "jitter reorders datagrams ({reordered})");
}

#[test]
fn a_cut_link_holds_stream_traffic_and_a_one_way_cut_stalls_both_directions() {
    let mut w = world(2, LinkSpec::default());
    connect(&mut w);
    w.fault(Fault::Cut { from: B, to: A, both: false });
    run_for(&mut w, Duration::from_millis(1));
    for n in 0..5 {
        w.call(A, Call::Stream(n));
    }
    run_for(&mut w, Duration::from_secs(10));
    assert!(got(&w, B).is_empty(), "A→B stalls too: B's acks cannot reach A");
    let held = w.log().iter().filter(|e| matches!(e.what, Record::Send { arrive: None, .. })).count();
    assert_eq!(held, 5);
    w.fault(Fault::Restore { from: B, to: A, both: false });
    run_for(&mut w, Duration::from_millis(10));
    assert_eq!(got(&w, B), vec![0, 1, 2, 3, 4], "delivered in order once it heals");
}

#[test]
fn a_partition_drops_datagrams_but_holds_streams() {
    let mut w = world(3, LinkSpec::default());
    connect(&mut w);
    w.fault(Fault::Partition { groups: vec![vec![A], vec![B]] });
    run_for(&mut w, Duration::from_millis(1));
    w.call(A, Call::Stream(7));
    w.call(A, Call::Datagram(B, 8));
    run_for(&mut w, Duration::from_secs(1));
    assert!(events(&w, B).iter().all(|(_, e)| !matches!(e, Event::Got(_) | Event::Dgram(_))));
    w.fault(Fault::Heal);
    run_for(&mut w, Duration::from_millis(5));
    assert_eq!(got(&w, B), vec![7]);
    assert!(events(&w, B).iter().all(|(_, e)| *e != Event::Dgram(8)), "the datagram is gone");
}

#[test]
fn a_process_crash_resets_peers_after_one_latency_and_a_power_off_is_silent() {
    let mut w = world(4, LinkSpec { latency_us: 3000, ..LinkSpec::default() });
    connect(&mut w);
    let t0 = w.now();
    w.fault(Fault::Crash { node: B });
    run_for(&mut w, Duration::from_millis(20));
    let (at, e) = events(&w, A).last().cloned().expect("an event");
    assert_eq!(e, Event::Closed(CloseReason::Reset));
    assert_eq!(at.saturating_since(t0), Duration::from_micros(3000));

    let mut w = world(4, LinkSpec { latency_us: 3000, ..LinkSpec::default() });
    connect(&mut w);
    w.fault(Fault::PowerOff { node: B, lose_unsynced: false });
    run_for(&mut w, Duration::from_secs(5));
    assert!(!events(&w, A).iter().any(|(_, e)| matches!(e, Event::Closed(_))), "nobody tells A");
    w.fault(Fault::Restart { node: B });
    run_for(&mut w, Duration::from_millis(1));
    w.call(A, Call::Stream(1));
    run_for(&mut w, Duration::from_millis(20));
    assert_eq!(
        events(&w, A).last().map(|(_, e)| e.clone()),
        Some(Event::Closed(CloseReason::Reset)),
        "the rebooted kernel resets the old connection"
    );
    assert!(got(&w, B).is_empty());
}

#[test]
fn connecting_to_a_dead_process_is_refused_and_to_a_dead_machine_unanswered() {
    let mut w = world(5, LinkSpec::default());
    w.fault(Fault::Crash { node: B });
    w.call(A, Call::Connect(B));
    run_for(&mut w, Duration::from_millis(5));
    assert_eq!(events(&w, A).last().map(|(_, e)| e.clone()), Some(Event::Closed(CloseReason::Refused)));
    let mut w = world(5, LinkSpec::default());
    w.fault(Fault::PowerOff { node: B, lose_unsynced: false });
    w.call(A, Call::Connect(B));
    run_for(&mut w, Duration::from_secs(5));
    assert!(!events(&w, A).iter().any(|(_, e)| matches!(e, Event::Closed(_) | Event::Connected)));
}

#[test]
fn losing_power_loses_exactly_the_unsynced_writes() {
    let mut w = world(6, LinkSpec::default());
    for x in 1..=3 {
        w.call(A, Call::Write(x));
    }
    w.call(A, Call::Sync(1));
    w.call(A, Call::Write(4));
    run_for(&mut w, Duration::from_millis(5));
    w.call(A, Call::Write(5));
    w.call(A, Call::Sync(2));
    run_for(&mut w, Duration::from_micros(100));
    // 1-3 synced, 4 and 5 covered by a sync still in progress.
    w.fault(Fault::PowerOff { node: A, lose_unsynced: true });
    w.fault(Fault::Restart { node: A });
    run_for(&mut w, Duration::from_millis(5));
    assert_eq!(events(&w, A).last().map(|(_, e)| e.clone()), Some(Event::Booted(vec![1, 2, 3])));

    let mut w = world(6, LinkSpec::default());
    w.call(A, Call::Write(9));
    run_for(&mut w, Duration::from_millis(1));
    w.fault(Fault::Crash { node: A });
    w.fault(Fault::Restart { node: A });
    run_for(&mut w, Duration::from_millis(1));
    assert_eq!(
        events(&w, A).last().map(|(_, e)| e.clone()),
        Some(Event::Booted(vec![9])),
        "a process crash keeps the page cache"
    );
}

#[test]
fn a_paused_node_resumes_where_it_was() {
    let mut w = world(7, LinkSpec::default());
    connect(&mut w);
    w.call(B, Call::Tick(100_000));
    run_for(&mut w, Duration::from_millis(350));
    let ticks_before = events(&w, B).iter().filter(|(_, e)| matches!(e, Event::Tick(_))).count();
    assert_eq!(ticks_before, 3);
    w.fault(Fault::Pause { node: B });
    w.call(A, Call::Stream(1));
    w.call(A, Call::Stream(2));
    run_for(&mut w, Duration::from_secs(2));
    assert!(got(&w, B).is_empty(), "nothing runs while paused");
    assert_eq!(events(&w, B).iter().filter(|(_, e)| matches!(e, Event::Tick(_))).count(), 3);
    w.fault(Fault::Resume { node: B });
    run_for(&mut w, Duration::from_millis(250));
    assert_eq!(got(&w, B), vec![1, 2], "what waited arrives in order");
    let ticks: Vec<u64> =
        events(&w, B).into_iter().filter_map(|(_, e)| if let Event::Tick(n) = e { Some(n) } else { None }).collect();
    assert_eq!(ticks, vec![1, 2, 3, 4, 5, 6], "the late timer fires on resume and the count goes on");
}

#[test]
fn a_fast_clock_fires_its_timers_early() {
    let mut w = world(8, LinkSpec::default());
    w.fault(Fault::Drift { node: B, ppm: 250_000 });
    w.call(A, Call::Tick(100_000));
    w.call(B, Call::Tick(100_000));
    run_for(&mut w, Duration::from_secs(2));
    let count = |n| events(&w, n).iter().filter(|(_, e)| matches!(e, Event::Tick(_))).count();
    assert_eq!(count(A), 20);
    assert_eq!(count(B), 25);
}

#[test]
fn a_runaway_run_stops_at_its_step_budget() {
    let mut w = world(9, LinkSpec::default());
    w.call(A, Call::Tick(1));
    w.set_step_budget(1000);
    let err = w.run_to(Instant(10_000_000_000)).unwrap_err();
    assert!(matches!(err, WorldError::StepBudget { steps: 1000, .. }), "{err:?}");
    assert!(err.to_string().contains("step budget"));
}

/// Run the same commands with `B` (and a third node) hosted remotely, the
/// answers computed by real nodes but handed back in reverse order: the
/// trace is the same as with everything in-process.
#[test]
fn remote_nodes_answering_in_any_order_give_the_same_trace() {
    let script = |w: &mut World<T>| {
        w.call(A, Call::Connect(B));
        w.call(A, Call::Tick(700));
        w.call(B, Call::Tick(900));
        w.call(NodeId(3), Call::Tick(500));
        for n in 0..30 {
            w.schedule_call(Instant(2_000 + n * 300), A, Call::Stream(n));
            w.schedule_call(Instant(2_000 + n * 310), NodeId(3), Call::Datagram(A, n));
        }
    };
    let net = Network {
        default: LinkSpec { latency_us: 400, jitter_us: 300, loss_ppm: 50_000, dup_ppm: 20_000 },
        ..Network::default()
    };
    let mut local = World::new(11, net.clone());
    for id in [A, B, NodeId(3)] {
        local.add_node(id, Box::new(TNode { me: id.0, ..TNode::default() }), Duration::from_micros(300));
        local.boot(id);
    }
    script(&mut local);
    local.run_to(Instant(50_000)).expect("runs");

    let mut remote = World::new(11, net);
    remote.add_node(A, Box::new(TNode { me: 1, ..TNode::default() }), Duration::from_micros(300));
    let mut hosts: BTreeMap<NodeId, TNode> = Default::default();
    for id in [B, NodeId(3)] {
        remote.add_remote_node(id, Duration::from_micros(300));
        hosts.insert(id, TNode { me: id.0, ..TNode::default() });
    }
    for id in [A, B, NodeId(3)] {
        remote.boot(id);
    }
    script(&mut remote);
    let mut batched = 0;
    loop {
        match remote.step() {
            Stepped::Ran => {}
            Stepped::Waiting => {
                let out = remote.take_outbox();
                batched = batched.max(out.len());
                let answers: Vec<(NodeId, Vec<Effect<T>>)> = out
                    .into_iter()
                    .map(|o| {
                        let mut effects = Vec::new();
                        if let Some(n) = hosts.get_mut(&o.node) {
                            n.step(o.now, o.input, &mut effects);
                        }
                        (o.node, effects)
                    })
                    .collect();
                // Across nodes in reverse; one node's answers in order.
                let mut by_node: BTreeMap<NodeId, Vec<Vec<Effect<T>>>> = BTreeMap::new();
                for (node, effects) in answers {
                    by_node.entry(node).or_default().push(effects);
                }
                for (node, list) in by_node.into_iter().rev() {
                    for effects in list {
                        remote.complete(node, effects).expect("an outstanding input");
                    }
                }
            }
            Stepped::Idle | Stepped::OverBudget => break,
        }
        if remote.next_time().is_none_or(|t| t > Instant(50_000)) && remote.awaiting().is_empty() {
            break;
        }
    }
    remote.idle_until(Instant(50_000));
    assert_eq!(remote.trace_hash(), local.trace_hash());
    assert!(batched >= 2, "rounds carried several remote inputs at once ({batched})");
}
