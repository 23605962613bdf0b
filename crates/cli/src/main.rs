//! `zooscope`: ZooScope from the command line.

mod bench;
mod campaign;
mod cfg;
mod check;
mod conformance;
mod link_cmd;
mod run;
mod scenario_arg;
mod zkcli;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "zooscope", version, about = "A ZooKeeper ensemble in a deterministic world")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay every zk-trace/1 file in DIR against our own servers and
    /// compare results and watch events with the recording.
    Conformance {
        /// Directory of *.json traces (e.g. ../shared/conformance/traces).
        dir: PathBuf,
        /// Servers to replay on: an ensemble of N voters (3, as the traces
        /// were recorded), or 1 for a standalone server. A trace's server
        /// index k means server k+1, taken modulo N.
        #[arg(long, default_value_t = 3)]
        servers: usize,
    },
    /// Run a scenario (a JSON file, a URL or a #v<N>. link) to its end and
    /// print a summary.
    Run {
        scenario: String,
        /// Write the whole trace as JSON lines.
        #[arg(long)]
        trace: Option<PathBuf>,
        /// Stop with an error after this many steps.
        #[arg(long)]
        max_steps: Option<u64>,
    },
    /// Check a trace (JSON lines, as `run --trace` writes it; `-` for
    /// standard input) against ZooKeeper's client guarantees: write
    /// linearizability, FIFO and monotonic zxids per session, sync then
    /// read, watch events before data; counts stale reads. Exits 1 on a
    /// violation, 2 on input that is not a trace.
    Check { trace: String },
    /// Randomized fault campaigns: one drawn scenario per seed (an
    /// ensemble, clients, faults), then healing; every invariant must hold
    /// and the ensemble must recover. Failures print a reproducing link.
    Campaign {
        /// Seeds to run: A..B (both included) or one seed.
        #[arg(long, default_value = "1..20")]
        seeds: String,
        /// Turn on a known ZooKeeper bug (ZOOKEEPER-1154, -1549, -4646,
        /// -4394, -2845) or the teaching variant BROKEN-LOCAL-WRITES; may
        /// be repeated.
        #[arg(long = "bug")]
        bugs: Vec<String>,
        /// Servers per ensemble (default: 3 or 5, by seed).
        #[arg(long)]
        servers: Option<u32>,
        /// Seconds of faults (the safety phase).
        #[arg(long, default_value_t = 40)]
        safety: u64,
        /// Seconds to recover after healing (the liveness phase).
        #[arg(long, default_value_t = 60)]
        liveness: u64,
        /// Most faults per seed.
        #[arg(long, default_value_t = 12)]
        max_faults: u32,
        /// Seeds run at once (default: the machine's cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Measure how fast the world runs (events per second of wall time,
    /// simulated seconds per wall second) on named workloads.
    Bench {
        /// Only the workloads whose name contains this; `fidelity` runs the
        /// timing table of real ZooKeeper instead, `checker` the speed of
        /// the consistency checker on a 10,000-operation history.
        filter: Option<String>,
        /// Seeds for `fidelity`: A..B (both included).
        #[arg(long, default_value = "1..5")]
        seeds: String,
    },
    /// Encode a scenario file as a link, or decode a link.
    Link {
        #[command(subcommand)]
        action: LinkAction,
    },
    /// zoo.cfg: read a ZooKeeper 3.8 configuration file as a scenario, or
    /// write a scenario's servers and settings as one.
    Cfg {
        #[command(subcommand)]
        action: CfgAction,
    },
    /// Classic Paxos beside ZAB: the single-decree presets (a value chosen,
    /// duelling proposers livelocking, and the cures), the exhaustive
    /// model check, and ZAB against Multi-Paxos on the same network.
    Paxos {
        #[command(subcommand)]
        action: PaxosAction,
    },
    /// zkCli against a standalone server in the world, in virtual time.
    /// Reads commands from --script or standard input; a line `b> cmd`
    /// goes to client b.
    Zkcli {
        /// A file of commands, one per line.
        #[arg(long)]
        script: Option<PathBuf>,
        /// Names of the clients (each its own session).
        #[arg(long, value_delimiter = ',', default_value = "a")]
        clients: Vec<String>,
        /// Print one transcript on stdout: prompts with the commands, and
        /// both output streams in order.
        #[arg(long)]
        transcript: bool,
    },
}

#[derive(Subcommand)]
enum PaxosAction {
    /// Run a single-decree preset: one-proposer, duel (two proposers that
    /// retry at once: the livelock), duel-backoff (randomized back-off),
    /// distinguished (only one proposes). Prints each proposer's ballots,
    /// what was chosen and the safety checker's verdict; exits 1 if safety
    /// broke.
    Run {
        preset: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Virtual milliseconds to run.
        #[arg(long, default_value_t = 2000)]
        ms: u64,
    },
    /// Explore every state of a small single-decree configuration
    /// (breadth first) and check safety in each: at most one value chosen,
    /// learners agree, promises never go back. Exits 1 with a
    /// counterexample if safety breaks.
    ModelCheck {
        #[arg(long, default_value_t = 3)]
        acceptors: u32,
        #[arg(long, default_value_t = 2)]
        proposers: u32,
        /// Ballots each proposer may try.
        #[arg(long, default_value_t = 1)]
        ballots: u32,
        /// Datagrams the network may lose (a bag of messages in flight);
        /// without --loss and --dup, every datagram ever sent may be
        /// delivered any number of times, in any order, or never.
        #[arg(long)]
        loss: Option<u32>,
        /// Datagrams the network may duplicate (with --loss).
        #[arg(long)]
        dup: Option<u32>,
        /// Stop (not exhaustive) after this many states.
        #[arg(long, default_value_t = 5_000_000)]
        max_states: usize,
        /// Make the acceptors accept below their promise (to see a
        /// counterexample).
        #[arg(long)]
        broken: bool,
    },
    /// Run ZAB and Multi-Paxos on the same network and workload, cut the
    /// leader off, heal, and print the two side by side.
    Compare {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Servers (replicas), 3 to 9.
        #[arg(long, default_value_t = 3)]
        servers: u32,
        /// One-way latency of every link, µs.
        #[arg(long, default_value_t = 1000)]
        latency_us: u64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CfgAction {
    /// Print the scenario a zoo.cfg describes (JSON); settings the
    /// simulator does not model are listed on stderr as `note:` lines.
    Import {
        /// The zoo.cfg (`-` for standard input).
        file: String,
        /// The id of the server this file belongs to (its dataDir/myid):
        /// checked against the server list and peerType.
        #[arg(long)]
        myid: Option<u32>,
        /// Write the scenario to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print a scenario (a JSON file, a URL or a #v<N>. link) as zoo.cfg.
    Export { scenario: String },
}

#[derive(Subcommand)]
enum LinkAction {
    /// Print the link of a scenario file (its last line).
    Encode {
        file: String,
        /// Print a whole URL on this page address instead of the fragment.
        #[arg(long)]
        base: Option<String>,
    },
    /// Print the scenario a link (URL or fragment) holds.
    Decode { link: String },
}

fn paxos_model_check(
    acceptors: u32,
    proposers: u32,
    ballots: u32,
    loss: Option<u32>,
    dup: Option<u32>,
    max_states: usize,
    broken: bool,
) -> Result<ExitCode, String> {
    use paxos::model::{explore, ModelConfig, Network};
    if !(1..=5).contains(&acceptors) || !(1..=3).contains(&proposers) || !(1..=4).contains(&ballots) {
        return Err("model-check takes 1–5 acceptors, 1–3 proposers and 1–4 ballots each".into());
    }
    let acc: Vec<actor::NodeId> = (1..=acceptors).map(actor::NodeId).collect();
    let cfg = ModelConfig {
        broken: if broken { acc.clone() } else { vec![] },
        acceptors: acc,
        proposers: (0..proposers).map(|i| (actor::NodeId(acceptors + 1 + i), ((b'a' + i as u8) as char).to_string())).collect(),
        network: match (loss, dup) {
            (None, None) => Network::Set,
            (l, d) => Network::Bag { loss: l.unwrap_or(0), dup: d.unwrap_or(0) },
        },
        max_attempts: ballots,
        max_states,
    };
    let started = std::time::Instant::now();
    let r = explore(&cfg);
    println!(
        "{proposers} proposer(s), {acceptors} acceptor(s), {ballots} ballot(s) each, network {:?}: {} states, {} transitions, depth {}, {} in {:.1} s",
        cfg.network,
        r.states,
        r.transitions,
        r.max_depth,
        match (&r.counterexample, r.exhaustive) {
            (Some(_), _) => "stopped at a violation",
            (None, true) => "exhaustive",
            (None, false) => "NOT exhaustive (state cap reached)",
        },
        started.elapsed().as_secs_f64()
    );
    match &r.counterexample {
        None => {
            println!("safe: at most one value chosen, learners agree, promises never go back");
            Ok(ExitCode::SUCCESS)
        }
        Some(c) => {
            println!("VIOLATION: {:?}", c.violation);
            for (i, step) in c.trace.iter().enumerate() {
                println!("  {:>3}. {step}", i + 1);
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Conformance { dir, servers } => conformance::run(&dir, servers),
        Command::Run { scenario, trace, max_steps } => run::run(&run::Options { scenario, trace, max_steps }),
        Command::Check { trace } => check::run(&trace),
        Command::Campaign { seeds, bugs, servers, safety, liveness, max_faults, jobs } => {
            campaign_options(&seeds, &bugs, servers, safety, liveness, max_faults, jobs).and_then(|o| campaign::run(&o))
        }
        Command::Bench { filter, seeds } => match filter.as_deref() {
            Some("fidelity") => campaign::parse_seeds(&seeds).and_then(bench::fidelity).map(|()| ExitCode::SUCCESS),
            Some("checker") => bench::checker().map(|()| ExitCode::SUCCESS),
            other => bench::run(other).map(|()| ExitCode::SUCCESS),
        },
        Command::Paxos { action: PaxosAction::Run { preset, seed, ms } } => {
            sim::paxos::single::Preset::parse(&preset).and_then(|p| {
                let mut lab = sim::paxos::single::Lab::new(p, seed);
                lab.run_to(actor::Instant::ZERO + actor::Duration::from_millis(ms))?;
                print!("{}", lab.summary());
                Ok(if lab.violations().is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
            })
        }
        Command::Paxos { action: PaxosAction::ModelCheck { acceptors, proposers, ballots, loss, dup, max_states, broken } } => {
            paxos_model_check(acceptors, proposers, ballots, loss, dup, max_states, broken)
        }
        Command::Paxos { action: PaxosAction::Compare { seed, servers, latency_us, json } } => {
            let p = sim::paxos::CompareParams { seed, servers, latency_us, ..Default::default() };
            sim::paxos::compare(&p).and_then(|r| {
                if json {
                    serde_json::to_string_pretty(&r).map(|j| println!("{j}")).map_err(|e| e.to_string())
                } else {
                    print!("{}", r.render());
                    Ok(())
                }
            })
            .map(|()| ExitCode::SUCCESS)
        }
        Command::Link { action: LinkAction::Encode { file, base } } => {
            link_cmd::encode(&file, base.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Command::Link { action: LinkAction::Decode { link } } => link_cmd::decode(&link).map(|()| ExitCode::SUCCESS),
        Command::Cfg { action: CfgAction::Import { file, myid, out } } => {
            cfg::import(&cfg::ImportOptions { file, myid, out }).map(|()| ExitCode::SUCCESS)
        }
        Command::Cfg { action: CfgAction::Export { scenario } } => cfg::export(&scenario).map(|()| ExitCode::SUCCESS),
        Command::Zkcli { script, clients, transcript } => {
            let opts = zkcli::Options { clients, transcript };
            match script {
                Some(path) => std::fs::File::open(&path)
                    .map_err(|e| format!("cannot open {}: {e}", path.display()))
                    .and_then(|f| zkcli::run(&opts, std::io::BufReader::new(f))),
                None => zkcli::run(&opts, std::io::stdin().lock()),
            }
            .map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zooscope: {e}");
            ExitCode::from(2)
        }
    }
}

fn campaign_options(
    seeds: &str,
    bugs: &[String],
    servers: Option<u32>,
    safety: u64,
    liveness: u64,
    max_faults: u32,
    jobs: Option<usize>,
) -> Result<campaign::Options, String> {
    let mut config = sim::zk::campaign::CampaignConfig {
        servers,
        safety_ms: safety.saturating_mul(1000),
        liveness_ms: liveness.saturating_mul(1000),
        max_faults,
        ..Default::default()
    };
    for b in bugs {
        config.bugs.enable(b)?;
    }
    if servers.is_some_and(|n| !(1..=9).contains(&n)) {
        return Err("--servers must be 1 to 9".into());
    }
    if config.safety_ms == 0 || config.liveness_ms == 0 || config.safety_ms + config.liveness_ms > 24 * 3600 * 1000 {
        return Err("--safety and --liveness must be positive and together at most 24 hours".into());
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    Ok(campaign::Options { seeds: campaign::parse_seeds(seeds)?, config, jobs })
}
