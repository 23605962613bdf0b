//! `zooscope bench`: how fast the world runs, for named workloads. Numbers
//! are measured, never asserted; run it with a release build.

use sim::zk::{Scenario, ScenarioRun, Workload};
use sim::LinkSpec;
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
