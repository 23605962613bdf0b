//! `zooscope bench`: how fast the world runs, for named workloads. Numbers
//! are measured, never asserted; run it with a release build.

use sim::zk::consistency::ConsistencyChecker;
use actor::NodeId;
use sim::zk::{Scenario, ScenarioRun, TimedFault, Workload};
use sim::{Entry, Fault, LinkSpec};
use zab::Zk;
use std::time::Instant as Wall;

/// A named benchmark scenario.
pub struct Case {
    pub name: &'static str,
    pub what: &'static str,
    pub scenario: Scenario,
}

fn with_clients(seed: u64, n: usize, end_ms: u64, workload: Option<Workload>) -> Scenario {
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut s = Scenario::standalone(seed, &refs, end_ms);
    for c in &mut s.clients {
        c.workload = workload.clone();
    }
    s
}

/// The benchmark cases.
pub fn cases() -> Vec<Case> {
    let closed = Workload { rate_per_sec: 0, max_outstanding: 50, keys: 1000, ..Workload::default() };
    let light = Workload { rate_per_sec: 5, keys: 100, ..Workload::default() };
    let mut lossy = with_clients(3, 4, 60_000, Some(Workload { rate_per_sec: 200, keys: 500, ..Workload::default() }));
    lossy.network.default = LinkSpec { latency_us: 2000, jitter_us: 2000, loss_ppm: 20_000, dup_ppm: 0 };
    vec![
        Case {
            name: "idle-sessions",
            what: "1 server, 20 idle sessions pinging, 1 hour",
            scenario: with_clients(1, 20, 3_600_000, None),
        },
        Case {
            name: "closed-loop-writes",
            what: "1 server, 4 clients with 50 requests in flight each, 5 s",
            scenario: with_clients(2, 4, 5_000, Some(closed)),
        },
        Case {
            name: "lossy-network",
            what: "1 server, 4 clients at 200 ops/s over 2 ms ±2 ms links with 2% loss, 60 s",
            scenario: lossy,
        },
        Case {
            name: "many-sessions",
            what: "1 server, 64 clients at 5 ops/s each, 120 s",
            scenario: with_clients(4, 64, 120_000, Some(light)),
        },
    ]
}

fn fmt_value(v: f64, unit: &str) -> String {
    match unit {
        "s" => format!("{v:.2}"),
        "ms" => format!("{v:.2}"),
        _ => format!("{v:.0}"),
    }
}

fn fmt_range(lo: f64, hi: f64, unit: &str) -> String {
    if (lo - hi).abs() < f64::EPSILON {
        format!("{} {unit}", fmt_value(lo, unit))
    } else {
        format!("{}–{} {unit}", fmt_value(lo, unit), fmt_value(hi, unit))
    }
}

/// `zooscope bench fidelity`: the timing table's setups in virtual time,
/// beside real ZooKeeper's figures.
pub fn fidelity(seeds: (u64, u64)) -> Result<(), String> {
    println!(
        "timing fidelity: 3 servers, sample zoo.cfg (tickTime 2000, initLimit 10, syncLimit 5), \
         0.2 ms ±0.1 ms links, 1 ms disk syncs; seeds {}..{}",
        seeds.0, seeds.1
    );
    let rows = sim::zk::fidelity::measure(seeds.0..=seeds.1)?;
    println!("{:<46} {:>20} {:>22} {:>9}", "setup", "simulated", "real ZooKeeper 3.8", "within 2×");
    let mut notes = Vec::new();
    for r in &rows {
        let sim = match (r.min(), r.max()) {
            (Some(lo), Some(hi)) => fmt_range(lo, hi, r.unit),
            _ => "never".to_string(),
        };
        let mut verdict = if r.within_factor_two() { "yes".to_string() } else { "no".to_string() };
        if !r.note.is_empty() {
            notes.push(r.note);
            verdict.push_str(&format!(" [{}]", notes.len()));
        }
        println!("{:<46} {:>20} {:>22} {:>9}", r.setup, sim, fmt_range(r.real.0, r.real.1, r.unit), verdict);
    }
    for (i, n) in notes.iter().enumerate() {
        println!("[{}] {n}", i + 1);
    }
    Ok(())
}

/// Run every case (or those whose name contains `filter`) and print a table.
pub fn run(filter: Option<&str>) -> Result<(), String> {
    println!(
        "{:<20} {:>10} {:>11} {:>12} {:>13} {:>10} {:>11}",
        "workload", "sim time", "wall time", "entries/s", "rounds/s", "sim s/s", "ops done"
    );
    let mut any = false;
    for case in cases() {
        if filter.is_some_and(|f| !case.name.contains(f)) {
            continue;
        }
        any = true;
        let mut run = ScenarioRun::new(&case.scenario)?;
        let started = Wall::now();
        run.run(&mut |_| {}).map_err(|e| format!("{}: {e}", case.name))?;
        let wall = started.elapsed().as_secs_f64().max(1e-9);
        let sim = case.scenario.end_ms as f64 / 1000.0;
        let ops: u64 = run.summary.clients.values().map(|c| c.ok + c.errors.values().sum::<u64>()).sum();
        println!(
            "{:<20} {:>9.0}s {:>10.3}s {:>12.0} {:>13.0} {:>10.1} {:>11}",
            case.name,
            sim,
            wall,
            run.world.trace_len() as f64 / wall,
            run.world.steps() as f64 / wall,
            sim / wall,
            ops
        );
        println!("  {}", case.what);
    }
    if !any {
        return Err(format!(
            "no benchmark matches {:?}; try one of: {}",
            filter.unwrap_or(""),
            cases().iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(())
}

/// The history `bench checker` checks: three servers over 2 ms ±1 ms
/// links, the leader's (server 3's) link to server 2 taking 30 ms from 2 s
/// on so that server 2 lags and its reads can be stale; ten clients spread
/// over the servers at 100 operations per second each for 11 s, half of
/// them syncing before every read — over 10,000 operations.
pub fn checker_scenario() -> Scenario {
    let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut s = Scenario::ensemble(11, 3, &refs, 13_500);
    s.name = "consistency checker benchmark".into();
    s.network.default = LinkSpec { latency_us: 2000, jitter_us: 1000, loss_ppm: 0, dup_ppm: 0 };
    // Slowed once the ensemble has formed, so the election is the usual one.
    let slow = LinkSpec { latency_us: 30_000, ..s.network.default };
    let fault = Fault::SetLink { from: Some(NodeId(3)), to: Some(NodeId(2)), spec: slow };
    s.faults.push(TimedFault { at_ms: 2_000, fault });
    for (i, c) in s.clients.iter_mut().enumerate() {
        c.connect = vec![1 + (i as u32 % 3)];
        c.workload = Some(Workload {
            start_ms: 2_500,
            rate_per_sec: 100,
            keys: 50,
            prefix: format!("/b{i}"),
            max_outstanding: 20,
            sync_before_reads: i % 2 == 0,
            ..Workload::default()
        });
    }
    s
}

/// `zooscope bench checker`: the consistency checker alone, on a recorded
/// history of at least 10,000 operations (the best of five passes).
pub fn checker() -> Result<(), String> {
    let scenario = checker_scenario();
    let mut run = ScenarioRun::new(&scenario)?;
    let mut entries: Vec<Entry<Zk>> = Vec::new();
    run.run(&mut |e| entries.push(e.clone())).map_err(|e| e.to_string())?;
    let mut best = f64::INFINITY;
    let mut verdict = String::new();
    let mut ops = 0;
    for _ in 0..5 {
        let started = Wall::now();
        let mut c = ConsistencyChecker::new();
        for e in &entries {
            c.observe(e);
        }
        best = best.min(started.elapsed().as_secs_f64().max(1e-9));
        ops = c.report().ops;
        verdict = c.report().verdict();
    }
    if ops < 10_000 {
        return Err(format!("the benchmark history has only {ops} operations"));
    }
    println!("{verdict}");
    println!(
        "checker: {ops} operations ({} trace entries) of {} clients in {:.1} ms: {:.0} operations/s, {:.0} entries/s",
        entries.len(),
        scenario.clients.len(),
        best * 1e3,
        ops as f64 / best,
        entries.len() as f64 / best
    );
    Ok(())
}
