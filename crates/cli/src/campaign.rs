//! `zooscope campaign --seeds A..B`: randomized fault campaigns, one
//! scenario per seed, run on every core; each failure prints its seed and a
//! link that replays it.

use sim::zk::campaign::{describe, run_seed, CampaignConfig, SeedOutcome};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;

pub struct Options {
    pub seeds: (u64, u64),
    pub config: CampaignConfig,
    pub jobs: usize,
}

/// `A..B` (both ends included) or a single seed `A`.
pub fn parse_seeds(s: &str) -> Result<(u64, u64), String> {
    let num = |t: &str| t.trim().parse::<u64>().map_err(|_| format!("'{t}' is not a seed (a whole number)"));
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (num(a)?, num(b.strip_prefix('=').unwrap_or(b))?),
        None => (num(s)?, num(s)?),
    };
    if b < a {
        return Err(format!("the seed range {s} is empty: {b} is below {a}"));
    }
    Ok((a, b))
}

pub fn run(opts: &Options) -> Result<ExitCode, String> {
    let (first, last) = opts.seeds;
    let count = last - first + 1;
    let jobs = opts.jobs.clamp(1, 64).min(count.min(64) as usize);
    let bugs = &opts.config.bugs;
    println!(
        "campaign: seeds {first}..{last} ({count}), {} s of faults then {} s to heal, {} job(s){}",
        opts.config.safety_ms / 1000,
        opts.config.liveness_ms / 1000,
        jobs,
        if bugs.any() { format!(", bugs on: {bugs:?}") } else { String::new() }
    );
    let started = Instant::now();
    let next = AtomicU64::new(first);
    let (tx, rx) = mpsc::channel::<SeedOutcome>();
    let mut outcomes: Vec<SeedOutcome> = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            let cfg = &opts.config;
            scope.spawn(move || loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed > last {
                    break;
                }
                if tx.send(run_seed(seed, cfg)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Print in seed order as results come in.
        let mut waiting: BTreeMap<u64, SeedOutcome> = BTreeMap::new();
        let mut print_next = first;
        for o in rx {
            waiting.insert(o.seed, o);
            while let Some(o) = waiting.remove(&print_next) {
                println!("{}", describe(&o));
                outcomes.push(o);
                print_next += 1;
            }
        }
    });
    let failed: Vec<u64> = outcomes.iter().filter(|o| !o.passed()).map(|o| o.seed).collect();
    let sum = |f: fn(&SeedOutcome) -> u64| outcomes.iter().map(f).sum::<u64>();
    println!(
        "campaign: {} seeds, {} passed, {} failed; {} faults injected, {} client operations checked ({} acknowledged writes; {} checked for consistency), {} commits, {} epochs, {} assertions; {:.1} s",
        outcomes.len(),
        outcomes.len() - failed.len(),
        failed.len(),
        sum(|o| o.faults as u64),
        sum(|o| o.ops),
        sum(|o| o.acked_writes),
        sum(|o| o.checked_ops),
        sum(|o| o.commits),
        sum(|o| o.epochs),
        sum(|o| o.assertions),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        let list: Vec<String> = failed.iter().map(u64::to_string).collect();
        println!("failed seeds: {}", list.join(" "));
        Ok(ExitCode::from(1))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_seeds;

    #[test]
    fn ranges_include_both_ends() {
        assert_eq!(parse_seeds("1..20"), Ok((1, 20)));
        assert_eq!(parse_seeds("7"), Ok((7, 7)));
        assert_eq!(parse_seeds("3..=4"), Ok((3, 4)));
        assert!(parse_seeds("5..2").is_err());
        assert!(parse_seeds("x..2").is_err());
    }
}
