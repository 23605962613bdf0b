//! The consistency checker on whole runs: a server variant that breaks the
//! client guarantees is caught (and the same scenario on the real protocol
//! is clean), the stale-read example shows exactly its one stale read and
//! fresh reads after sync, a partitioned follower's clients read stale
//! without a violation, and fault campaigns hold every guarantee.

use actor::Instant;
use sim::link;
use sim::zk::campaign::{run_scenario, scenario_for, CampaignConfig};
use sim::zk::consistency::{ConsistencyReport, OpClass, ViolationKind};
use sim::zk::scenario::OpMix;
use sim::zk::{Command, Scenario, ScenarioRun, Workload};
use std::path::PathBuf;

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn example(name: &str) -> Scenario {
    let path = scenarios_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    link::scenario_from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run(s: &Scenario) -> ScenarioRun {
    let mut run = ScenarioRun::new(s).expect("a valid scenario");
    run.run(&mut |_| {}).expect("runs to the end");
    run
}

/// The report's tally of the client named `name`.
fn tally<'a>(r: &'a ConsistencyReport, name: &str) -> &'a sim::zk::consistency::ClientTally {
    r.clients.values().find(|t| t.name == name).unwrap_or_else(|| panic!("client {name} in\n{}", r.render_clients()))
}

/// Three servers (server 3 leads); client `a` writes through follower 1,
/// client `b` through the leader, and client `r` on follower 2 syncs
/// before each read of the same keys.
fn local_writes(broken: bool) -> Scenario {
    let mut s = Scenario::ensemble(7, 3, &["a", "b", "r"], 12_000);
    if broken {
        s.config.bugs.enable("BROKEN-LOCAL-WRITES").expect("the teaching variant");
    }
    let writes = OpMix { create: 3, set: 6, get: 0, delete: 1, exists: 0, children: 0 };
    let reads = OpMix { create: 0, set: 0, get: 5, delete: 0, exists: 1, children: 0 };
    let spec = |mix: OpMix, sync_before_reads: bool| Workload {
        start_ms: 2_000,
        stop_ms: Some(10_000),
        rate_per_sec: 20,
        mix,
        keys: 6,
        prefix: "/w".into(),
        value_bytes: 8,
        max_outstanding: 4,
        sync_before_reads,
    };
    for (c, server, w) in [(0, 1, spec(writes, false)), (1, 3, spec(writes, false)), (2, 2, spec(reads, true))] {
        s.clients[c].connect = vec![server];
        s.clients[c].workload = Some(w);
    }
    s
}

#[test]
fn local_writes_on_a_follower_break_the_client_guarantees_and_the_real_protocol_does_not() {
    let broken = run(&local_writes(true));
    let r = broken.consistency.report();
    assert!(r.total_violations > 0, "BROKEN-LOCAL-WRITES must be caught:\n{}", r.render());
    let caught = [
        ViolationKind::WriteOrder,
        ViolationKind::DuplicateZxid,
        ViolationKind::SyncThenRead,
        ViolationKind::ZxidWentBack,
    ];
    assert!(
        r.violations.iter().any(|v| caught.contains(&v.kind)),
        "a write-order, duplicate-zxid, sync-then-read or monotonic-zxid violation:\n{}",
        r.render()
    );
    // Every counterexample names operations.
    assert!(r.violations.iter().all(|v| !v.ops.is_empty()));

    let safe = run(&local_writes(false));
    let r = safe.consistency.report();
    assert!(r.ok(), "the real protocol holds every guarantee:\n{}\n{}", r.render(), r.render_clients());
    assert_eq!(r.total_violations, 0);
    // And the workload did run: writes committed on both writers, reads
    // after sync checked on r.
    assert!(tally(r, "a").writes_committed > 20, "{}", r.render_clients());
    assert!(tally(r, "b").writes_committed > 20, "{}", r.render_clients());
    let reader = tally(r, "r");
    assert!(reader.syncs > 20 && reader.reads_fresh > 20, "{}", r.render_clients());
}

#[test]
fn the_stale_read_example_has_one_stale_read_and_fresh_reads_after_sync() {
    let s = example("stale-read-and-sync.json");
    let mut run = ScenarioRun::new(&s).expect("a valid scenario");
    // Up to r's first sync (issued at 8.1 s): its read at 8.01 s, right
    // after w's set, is the stale one.
    run.run_to(Instant(8_099_000), &mut |_| {}).expect("runs");
    let before = tally(run.consistency.report(), "r").clone();
    assert_eq!((before.reads_stale, before.reads_fresh, before.syncs), (1, 0, 0), "{}", before.line());
    run.run(&mut |_| {}).expect("runs to the end");
    let r = run.consistency.report();
    assert!(r.ok(), "{}", r.render());
    assert_eq!(r.total_violations, 0);
    assert_eq!(r.stale_reads, 1, "{}", r.render_clients());
    assert_eq!(r.allowed_1675, 0);
    let reader = tally(r, "r");
    assert_eq!(reader.reads_stale, 1, "{}", reader.line());
    assert_eq!(reader.stale_by_max, 1, "it missed w's set to new: {}", reader.line());
    // Both reads after a sync are fresh (the pipelined one too, last).
    assert_eq!(reader.reads_fresh, 2, "{}", reader.line());
    assert_eq!(reader.syncs, 2, "{}", reader.line());
    let last = reader.latest.as_ref().expect("r's last operation");
    assert_eq!(last.class, OpClass::ReadFresh, "{}", last.text);
    assert_eq!(last.op.op, "getData /x");
    assert_eq!(tally(r, "w").writes_committed, 3);
}

/// The minority-partition example, with client m (on servers 1 and 2, cut
/// off from the leader at 4 s) reading while big's write at 8 s commits on
/// the majority, and syncing then reading while its followers still follow
/// a leader they cannot reach.
fn minority_reads() -> Scenario {
    let mut s = example("ensemble-minority-partition.json");
    let m = s.clients.iter_mut().find(|c| c.name == "m").expect("client m");
    for (at_ms, line) in [(9_000, "get /side"), (11_000, "sync /side"), (11_001, "get /side")] {
        m.commands.push(Command { at_ms, line: line.into() });
    }
    m.commands.sort_by_key(|c| c.at_ms);
    s
}

#[test]
fn a_partitioned_followers_clients_read_stale_without_a_violation() {
    let run = run(&minority_reads());
    let r = run.consistency.report();
    assert!(r.ok(), "{}", r.render());
    assert_eq!(r.total_violations, 0);
    let m = tally(r, "m");
    assert!(r.stale_reads > 0, "{}", r.render_clients());
    assert_eq!(m.reads_stale, 1, "m reads the minority's old /side at 9 s: {}", m.line());
    assert_eq!(m.stale_by_max, 1, "missing big's set: {}", m.line());
    // The sync cannot reach the leader: it and the read behind it fail
    // (when the followers give up on the leader) rather than return the
    // old value.
    assert_eq!((m.syncs, m.reads_refused), (1, 1), "{}", m.line());
    // After the heal m reads the majority's value.
    let last = m.latest.as_ref().expect("m's last operation");
    assert_eq!(last.class, OpClass::ReadFresh, "{}", last.text);
}

#[test]
fn a_read_only_servers_clients_read_stale_without_a_violation() {
    let run = run(&example("read-only-mode.json"));
    let r = run.consistency.report();
    assert!(r.ok(), "{}", r.render());
    let ro = tally(r, "ro");
    assert_eq!((ro.reads_stale, ro.stale_by_max), (1, 1), "{}", ro.line());
    assert_eq!(r.stale_reads, 1);
    assert_eq!(ro.writes_failed, 1, "set is refused with NOTREADONLY: {}", ro.line());
}

#[test]
fn campaign_seeds_hold_every_client_guarantee() {
    // Seeds 1..=12 run in tests/campaign.rs; these are others.
    let cfg = CampaignConfig::default();
    for seed in 13..=18 {
        let o = run_scenario(seed, &scenario_for(seed, &cfg), cfg.safety_ms);
        assert!(o.faults > 0, "seed {seed} injected no fault");
        assert!(o.checked_ops > 500, "seed {seed}: only {} operations checked", o.checked_ops);
        let text: Vec<String> = o.consistency.iter().map(|v| v.to_string()).collect();
        assert!(o.consistency.is_empty(), "seed {seed}: consistency violations:\n{}", text.join("\n"));
    }
}
