//! Single-decree Paxos in the deterministic world: the scenarios of
//! PROTOCOL.md §11, each checked by `paxos::single::Checker`.

use actor::{Duration, Instant, NodeId};
use paxos::single::{Backoff, Call, Checker, Config, Event, Paxos, PaxosNode, ViolationKind};
use paxos::Ballot;
use sim::{Fault, LinkSpec, Network, Record, World};

const ACCEPTORS: [NodeId; 3] = [NodeId(1), NodeId(2), NodeId(3)];
const P: NodeId = NodeId(11);
const Q: NodeId = NodeId(12);

struct Setup {
    seed: u64,
    link: LinkSpec,
    backoff: Backoff,
    retry: Duration,
    /// Acceptors' sync latency.
    disk: Duration,
    /// Proposers' sync latency.
    proposer_disk: Duration,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            seed: 1,
            link: LinkSpec { latency_us: 1_000, ..LinkSpec::default() },
            backoff: Backoff::Randomized { base_ms: 10, max_ms: 400 },
            retry: Duration::from_millis(100),
            disk: Duration::from_millis(1),
            proposer_disk: Duration::from_millis(1),
        }
    }
}

/// Three acceptor-learners (1, 2, 3) and two proposers (11, 12), booted.
fn world(s: &Setup) -> World<Paxos> {
    let mut w = World::new(s.seed, Network { default: s.link, ..Network::default() });
    let all = ACCEPTORS.to_vec();
    for a in ACCEPTORS {
        let cfg = Config::new(a, all.clone(), all.clone()).acceptor().learner();
        w.add_node(a, Box::new(PaxosNode::new(cfg)), s.disk);
    }
    for p in [P, Q] {
        let cfg = Config::new(p, all.clone(), all.clone())
            .proposer()
            .seed(s.seed.wrapping_mul(1_000) + u64::from(p.0))
            .backoff(s.backoff)
            .retry_timeout(s.retry);
        w.add_node(p, Box::new(PaxosNode::new(cfg)), s.proposer_disk);
    }
    for n in ACCEPTORS.into_iter().chain([P, Q]) {
        w.boot(n);
    }
    w.run_to(Instant(1)).expect("boots");
    w
}

fn events(w: &World<Paxos>) -> Vec<(Instant, NodeId, Event)> {
    sim::emitted(w.log()).map(|(at, node, e)| (at, node, e.clone())).collect()
}

/// Run the checker over the trace; panic with the violations if any.
fn check(w: &World<Paxos>) -> Checker {
    let mut c = Checker::new(ACCEPTORS.len());
    for (at, node, e) in events(w) {
        c.observe(at, node, &e);
    }
    assert!(c.violations().is_empty(), "safety violations: {:#?}", c.violations());
    c
}

fn learned(w: &World<Paxos>) -> Vec<(NodeId, String)> {
    events(w)
        .into_iter()
        .filter_map(|(_, n, e)| if let Event::Chosen { v, .. } = e { Some((n, v)) } else { None })
        .collect()
}

fn run_for(w: &mut World<Paxos>, d: Duration) {
    let t = w.now() + d;
    w.run_to(t).expect("runs");
}

fn propose(w: &mut World<Paxos>, p: NodeId, v: &str) {
    w.call(p, Call::Propose(v.to_string()));
}

/// Whether node `n` has emitted an event matching `f`.
fn emitted(w: &World<Paxos>, n: NodeId, f: impl Fn(&Event) -> bool) -> bool {
    w.log().iter().any(|e| matches!(&e.what, Record::Emit { node, event } if *node == n && f(event)))
}

#[test]
fn a_single_proposer_gets_its_value_chosen_and_learners_agree() {
    let mut w = world(&Setup::default());
    propose(&mut w, P, "x");
    run_for(&mut w, Duration::from_secs(1));
    let c = check(&w);
    assert_eq!(c.chosen().map(String::as_str), Some("x"));
    let l = learned(&w);
    assert_eq!(l.len(), 3, "every learner learns: {l:?}");
    assert!(l.iter().all(|(_, v)| v == "x"));
    assert!(emitted(&w, P, |e| matches!(e, Event::Succeeded { v, .. } if v == "x")));
}

#[test]
fn loss_and_duplication_still_choose_a_value() {
    for seed in 0..8 {
        let link = LinkSpec { latency_us: 1_000, jitter_us: 1_000, loss_ppm: 50_000, dup_ppm: 50_000 };
        let mut w = world(&Setup { seed, link, ..Setup::default() });
        propose(&mut w, P, "x");
        run_for(&mut w, Duration::from_secs(5));
        let c = check(&w);
        assert_eq!(c.chosen().map(String::as_str), Some("x"), "seed {seed}");
        assert!(emitted(&w, P, |e| matches!(e, Event::Succeeded { .. })), "seed {seed}: the proposer learns");
        let l = learned(&w);
        assert!(l.len() >= 2 && l.iter().all(|(_, v)| v == "x"), "seed {seed}: {l:?}");
        let dups = w
            .log()
            .iter()
            .filter(|e| matches!(&e.what, Record::SendDatagram { arrive, .. } if arrive.len() == 2))
            .count();
        let lost = w
            .log()
            .iter()
            .filter(|e| matches!(&e.what, Record::SendDatagram { arrive, .. } if arrive.is_empty()))
            .count();
        assert!(dups + lost > 0 || seed > 0, "the network misbehaves");
    }
}

/// The duel of §11.2: each proposer's Prepare lands between the other's
/// Prepare and its Accept. Links L = 10 ms, acceptor disks Da = 5 ms,
/// proposer disks Dp = 1 ms, the second proposer d = 23 ms behind: its
/// Prepare reaches the acceptors before the first one's Accept when
/// d < 2L + Da, and the first one's next Prepare (Nack, sync, send) beats
/// its Accept when d > 2L + Dp. Both then cycle with the same period
/// (Dp + 4L + Da), so the offset — and the duel — lasts forever.
fn duel(backoff: Backoff, seed: u64) -> World<Paxos> {
    let link = LinkSpec { latency_us: 10_000, ..LinkSpec::default() };
    let s = Setup {
        seed,
        link,
        backoff,
        retry: Duration::from_secs(2),
        disk: Duration::from_millis(5),
        proposer_disk: Duration::from_millis(1),
    };
    let mut w = world(&s);
    propose(&mut w, P, "p");
    w.schedule_call(w.now() + Duration::from_millis(23), Q, Call::Propose("q".into()));
    w
}

fn phase1_rounds(w: &World<Paxos>, until: Instant) -> Vec<u64> {
    events(w)
        .into_iter()
        .filter(|(at, _, _)| *at <= until)
        .filter_map(|(_, _, e)| if let Event::Phase1 { b } = e { Some(b.round) } else { None })
        .collect()
}

#[test]
fn duelling_proposers_without_backoff_livelock() {
    let mut w = duel(Backoff::None, 1);
    run_for(&mut w, Duration::from_secs(1));
    let early = phase1_rounds(&w, w.now());
    run_for(&mut w, Duration::from_secs(9));
    let all = phase1_rounds(&w, w.now());
    check(&w);
    assert!(learned(&w).is_empty(), "nothing is ever chosen");
    assert!(!emitted(&w, P, |e| matches!(e, Event::Succeeded { .. })));
    assert!(!emitted(&w, Q, |e| matches!(e, Event::Succeeded { .. })));
    let (e_max, a_max) = (early.iter().max().copied().unwrap_or(0), all.iter().max().copied().unwrap_or(0));
    eprintln!("duel: round {e_max} after 1 s, {a_max} after 10 s, {} Prepare rounds", all.len());
    assert!(e_max >= 10, "ballots rise quickly: round {e_max} after 1 s");
    assert!(a_max >= 9 * e_max, "and keep rising: {e_max} after 1 s, {a_max} after 10 s");
    assert!(all.windows(2).all(|p| p[1] >= p[0]), "each Prepare is above the last");
    let preempted = events(&w).iter().filter(|(_, _, e)| matches!(e, Event::Preempted { .. })).count();
    assert!(preempted >= all.len() - 2, "every ballot but the last two was pre-empted");
}

#[test]
fn randomized_backoff_breaks_the_duel() {
    for seed in 0..6 {
        let mut w = duel(Backoff::Randomized { base_ms: 20, max_ms: 1_000 }, seed);
        run_for(&mut w, Duration::from_secs(10));
        let c = check(&w);
        let v = c.chosen().cloned();
        assert!(v.is_some(), "seed {seed}: a value is chosen");
        let l = learned(&w);
        assert_eq!(l.len(), 3, "seed {seed}: {l:?}");
        assert!(l.iter().all(|(_, x)| Some(x) == v.as_ref()));
        assert!(
            events(&w).iter().any(|(_, _, e)| matches!(e, Event::Retrying { after_ms, .. } if *after_ms > 0)),
            "seed {seed}: it backed off"
        );
    }
}

#[test]
fn a_distinguished_proposer_gets_its_value_chosen_under_loss() {
    for seed in 0..4 {
        let link = LinkSpec { latency_us: 2_000, jitter_us: 2_000, loss_ppm: 100_000, dup_ppm: 20_000 };
        let mut w = world(&Setup { seed, link, backoff: Backoff::None, ..Setup::default() });
        propose(&mut w, Q, "leader");
        run_for(&mut w, Duration::from_secs(5));
        let c = check(&w);
        assert_eq!(c.chosen().map(String::as_str), Some("leader"), "seed {seed}");
        assert!(!emitted(&w, P, |_| true), "the other proposer never acts");
    }
}

/// Run until proposer `p` sends Accept, cut its links to `cut`, crash it.
fn crash_proposer_mid_phase2(w: &mut World<Paxos>, p: NodeId, cut: &[NodeId]) {
    let deadline = w.now() + Duration::from_secs(1);
    let reached = w.run_until(deadline, |w| emitted(w, p, |e| matches!(e, Event::Proposing { .. })));
    assert!(reached, "phase 2 starts");
    for &a in cut {
        w.fault(Fault::Cut { from: p, to: a, both: false });
    }
    w.fault(Fault::Crash { node: p });
}

#[test]
fn a_proposer_crashing_after_a_majority_accepted_cannot_lose_its_value() {
    let mut w = world(&Setup::default());
    propose(&mut w, P, "first");
    crash_proposer_mid_phase2(&mut w, P, &[NodeId(3)]);
    run_for(&mut w, Duration::from_millis(50));
    let accepted = events(&w).iter().filter(|(_, _, e)| matches!(e, Event::AcceptedValue { .. })).count();
    assert_eq!(accepted, 2, "only acceptors 1 and 2 got the Accept");
    propose(&mut w, Q, "second");
    run_for(&mut w, Duration::from_secs(2));
    let c = check(&w);
    assert_eq!(c.chosen().map(String::as_str), Some("first"), "a majority accepted it: it stays");
    assert!(emitted(&w, Q, |e| matches!(e, Event::Proposing { v, adopted: true, .. } if v == "first")));
    assert!(learned(&w).iter().all(|(_, v)| v == "first"));
}

#[test]
fn a_proposer_crashing_after_a_minority_accepted_leaves_either_value_safe() {
    for seed in 0..4 {
        let mut w = world(&Setup { seed, ..Setup::default() });
        propose(&mut w, P, "first");
        crash_proposer_mid_phase2(&mut w, P, &[NodeId(2), NodeId(3)]);
        run_for(&mut w, Duration::from_millis(50));
        propose(&mut w, Q, "second");
        run_for(&mut w, Duration::from_secs(2));
        let c = check(&w);
        let v = c.chosen().cloned().expect("the second proposer finishes");
        assert!(v == "first" || v == "second");
        assert!(learned(&w).iter().all(|(_, x)| *x == v), "seed {seed}");
    }
}

#[test]
fn an_acceptor_restart_keeps_its_promise_from_disk() {
    let mut w = world(&Setup::default());
    propose(&mut w, P, "p");
    let deadline = w.now() + Duration::from_secs(1);
    let a = NodeId(1);
    assert!(w.run_until(deadline, |w| emitted(w, a, |e| matches!(e, Event::Promised { .. }))));
    let promised = events(&w)
        .into_iter()
        .filter(|(_, n, _)| *n == a)
        .find_map(|(_, _, e)| if let Event::Promised { b, .. } = e { Some(b) } else { None })
        .expect("a promise");
    // Power off, losing unsynced writes: the promise was synced before it
    // was sent, so it survives.
    w.crash(a, true);
    propose(&mut w, Q, "q");
    run_for(&mut w, Duration::from_millis(30));
    w.restart(a);
    run_for(&mut w, Duration::from_secs(3));
    let restored = events(&w)
        .into_iter()
        .filter(|(_, n, _)| *n == a)
        .filter_map(|(_, _, e)| if let Event::Restored { promised, .. } = e { Some(promised) } else { None })
        .next_back()
        .expect("restored");
    assert!(restored >= promised, "restored {restored} >= promised {promised}");
    assert!(restored > Ballot::ZERO);
    let c = check(&w);
    assert!(c.chosen().is_some());
}

#[test]
fn the_checker_flags_an_unsafe_trace() {
    let b1 = Ballot { round: 1, node: 11 };
    let b2 = Ballot { round: 2, node: 12 };
    let (a1, a2, a3) = (NodeId(1), NodeId(2), NodeId(3));
    let t = Instant(0);
    let trace = vec![
        (t, P, Event::Requested { v: "a".into() }),
        (t, Q, Event::Requested { v: "b".into() }),
        (t, a1, Event::Promised { b: b2, accepted: None }),
        (t, a1, Event::AcceptedValue { b: b1, v: "a".into() }),
        (t, a2, Event::AcceptedValue { b: b1, v: "a".into() }),
        (t, a2, Event::AcceptedValue { b: b2, v: "b".into() }),
        (t, a3, Event::AcceptedValue { b: b2, v: "b".into() }),
        (t, a1, Event::Chosen { v: "a".into(), b: b1 }),
        (t, a3, Event::Chosen { v: "b".into(), b: b2 }),
        (t, a3, Event::Chosen { v: "zzz".into(), b: b2 }),
        (t, a2, Event::Promised { b: b1, accepted: None }),
    ];
    let v = Checker::check(3, trace.iter().map(|(at, n, e)| (*at, *n, e)));
    let kinds: Vec<ViolationKind> = v.iter().map(|v| v.kind).collect();
    for k in [
        ViolationKind::AcceptBelowPromise,
        ViolationKind::HigherBallotOtherValue,
        ViolationKind::TwoValuesChosen,
        ViolationKind::LearnersDisagree,
        ViolationKind::LearnedUnchosen,
        ViolationKind::UnproposedValue,
        ViolationKind::PromiseDecreased,
    ] {
        assert!(kinds.contains(&k), "{k:?} flagged: {v:#?}");
    }
    // The same checker passes a safe run.
    let safe = [
        (t, P, Event::Requested { v: "a".into() }),
        (t, a1, Event::Promised { b: b1, accepted: None }),
        (t, a1, Event::AcceptedValue { b: b1, v: "a".into() }),
        (t, a2, Event::AcceptedValue { b: b1, v: "a".into() }),
        (t, a3, Event::Chosen { v: "a".into(), b: b1 }),
        (t, a2, Event::AcceptedValue { b: b2, v: "a".into() }),
    ];
    assert_eq!(Checker::check(3, safe.iter().map(|(at, n, e)| (*at, *n, e))), vec![]);
}

#[test]
fn runs_are_deterministic() {
    let run = || {
        let link = LinkSpec { latency_us: 1_000, jitter_us: 3_000, loss_ppm: 50_000, dup_ppm: 50_000 };
        let mut w = duel(Backoff::Randomized { base_ms: 20, max_ms: 1_000 }, 7);
        w.fault(Fault::SetLink { from: None, to: None, spec: link });
        run_for(&mut w, Duration::from_secs(5));
        w.trace_hash()
    };
    assert_eq!(run(), run());
}

#[test]
fn the_checker_catches_broken_acceptors_in_a_real_run() {
    let mut flagged = 0;
    for seed in 0..4 {
        let mut w = World::new(
            seed,
            Network { default: LinkSpec { latency_us: 10_000, ..LinkSpec::default() }, ..Network::default() },
        );
        let all = ACCEPTORS.to_vec();
        for a in ACCEPTORS {
            let cfg = Config::new(a, all.clone(), all.clone()).acceptor().learner().broken();
            w.add_node(a, Box::new(PaxosNode::new(cfg)), Duration::from_millis(5));
        }
        for p in [P, Q] {
            let cfg = Config::new(p, all.clone(), all.clone()).proposer().retry_timeout(Duration::from_secs(2));
            w.add_node(p, Box::new(PaxosNode::new(cfg)), Duration::from_millis(1));
        }
        for n in ACCEPTORS.into_iter().chain([P, Q]) {
            w.boot(n);
        }
        propose(&mut w, P, "p");
        w.schedule_call(Instant(23_000), Q, Call::Propose("q".into()));
        run_for(&mut w, Duration::from_secs(2));
        let ev = events(&w);
        let v = Checker::check(3, ev.iter().map(|(at, n, e)| (*at, *n, e)));
        if v.iter().any(|v| v.kind == ViolationKind::AcceptBelowPromise) {
            flagged += 1;
        }
    }
    assert!(flagged > 0, "broken acceptors accept below their promise and the checker says so");
}

#[test]
fn nodes_playing_all_three_roles_agree() {
    for seed in 0..4 {
        let link = LinkSpec { latency_us: 2_000, jitter_us: 2_000, loss_ppm: 50_000, dup_ppm: 50_000 };
        let mut w = World::new(seed, Network { default: link, ..Network::default() });
        let all = ACCEPTORS.to_vec();
        for a in ACCEPTORS {
            let cfg = Config::new(a, all.clone(), all.clone())
                .proposer()
                .acceptor()
                .learner()
                .seed(seed * 10 + u64::from(a.0))
                .backoff(Backoff::Randomized { base_ms: 10, max_ms: 500 });
            w.add_node(a, Box::new(PaxosNode::new(cfg)), Duration::from_millis(1));
            w.boot(a);
        }
        for a in ACCEPTORS {
            propose(&mut w, a, &format!("v{a}"));
        }
        run_for(&mut w, Duration::from_secs(10));
        let c = check(&w);
        let v = c.chosen().cloned().expect("chosen");
        let l = learned(&w);
        assert!(l.len() >= 2 && l.iter().all(|(_, x)| *x == v), "seed {seed}: {l:?}");
    }
}
