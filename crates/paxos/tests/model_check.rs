//! Model checking single-decree Paxos (see `paxos::model`): breadth-first
//! search over the real `PaxosNode`s, the safety checker run in every state.

use actor::NodeId;
use paxos::model::{explore, ModelConfig, Network, Report};
use std::time::Instant;

fn run(name: &str, cfg: &ModelConfig) -> Report {
    let t = Instant::now();
    let r = explore(cfg);
    eprintln!(
        "{name}: {} states, {} transitions, max depth {}, exhaustive {}, {:.2?}",
        r.states,
        r.transitions,
        r.max_depth,
        r.exhaustive,
        t.elapsed()
    );
    if let Some(c) = &r.counterexample {
        for s in &c.trace {
            eprintln!("  {s}");
        }
        eprintln!("  => {}", c.violation);
    }
    r
}

/// Two proposers, two acceptor-learners, one ballot each, over a network
/// that may lose, duplicate and reorder any datagram any number of times.
#[test]
fn two_proposers_over_an_arbitrarily_lossy_network_are_safe_exhaustively() {
    let cfg = ModelConfig {
        acceptors: vec![NodeId(1), NodeId(2)],
        network: Network::Set,
        max_attempts: 1,
        ..ModelConfig::two_proposers()
    };
    let r = run("2 proposers × 2 acceptors, set network, 1 ballot each", &cfg);
    assert!(r.counterexample.is_none());
    assert!(r.exhaustive);
    assert!(r.states > 1_000);
}

/// One proposer retrying (two ballots) against three acceptor-learners,
/// over the same arbitrarily lossy network.
#[test]
fn a_retrying_proposer_over_an_arbitrarily_lossy_network_is_safe_exhaustively() {
    let cfg = ModelConfig {
        proposers: vec![(NodeId(4), "a".into())],
        network: Network::Set,
        max_attempts: 2,
        ..ModelConfig::two_proposers()
    };
    let r = run("1 proposer × 3 acceptors, set network, 2 ballots", &cfg);
    assert!(r.counterexample.is_none());
    assert!(r.exhaustive);
}

/// Two proposers and three acceptor-learners, one ballot each, every
/// interleaving of every delivery (a reliable network that reorders).
#[test]
fn two_proposers_three_acceptors_are_safe_exhaustively() {
    let cfg = ModelConfig { network: Network::Bag { loss: 0, dup: 0 }, max_attempts: 1, ..ModelConfig::two_proposers() };
    let r = run("2 proposers × 3 acceptors, bag loss 0 dup 0, 1 ballot each", &cfg);
    assert!(r.counterexample.is_none());
    assert!(r.exhaustive);
    assert!(r.states > 100_000, "{}", r.states);
}

/// The full configuration — two proposers, three acceptor-learners, loss 1,
/// duplication 1, two retries each — is too large to finish in a debug
/// build, so it is explored breadth first up to a state budget: every
/// state within the reached depth is safe.
#[test]
fn two_proposers_three_acceptors_with_loss_and_duplication_are_safe_up_to_a_bound() {
    let cfg = ModelConfig { max_states: 120_000, ..ModelConfig::two_proposers() };
    let r = run("2 proposers × 3 acceptors, bag loss 1 dup 1, 3 ballots each (bounded)", &cfg);
    assert!(r.counterexample.is_none());
    assert!(r.max_depth >= 6, "every interleaving of the first five steps, and more");
}

#[test]
fn a_broken_acceptor_yields_a_counterexample() {
    let cfg = ModelConfig {
        broken: vec![NodeId(1), NodeId(2), NodeId(3)],
        network: Network::Bag { loss: 0, dup: 0 },
        ..ModelConfig::two_proposers()
    };
    let r = run("broken acceptors", &cfg);
    let c = r.counterexample.expect("the model checker finds the bug");
    assert!(!c.trace.is_empty());
    assert_eq!(c.violation.kind, paxos::single::ViolationKind::AcceptBelowPromise);
}

#[test]
#[ignore = "a probe: MC_SET, MC_LOSS, MC_DUP, MC_ATT, MC_MAX, MC_ACC, MC_PROP"]
fn probe() {
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|s| s.parse().ok()).unwrap_or(d);
    let cfg = ModelConfig {
        network: if env("MC_SET", 0) == 1 {
            Network::Set
        } else {
            Network::Bag { loss: env("MC_LOSS", 1) as u32, dup: env("MC_DUP", 1) as u32 }
        },
        max_attempts: env("MC_ATT", 3) as u32,
        max_states: env("MC_MAX", 300_000) as usize,
        acceptors: (1..=env("MC_ACC", 3) as u32).map(NodeId).collect(),
        proposers: [(NodeId(4), "a".to_string()), (NodeId(5), "b".to_string())][..env("MC_PROP", 2) as usize].to_vec(),
        ..ModelConfig::two_proposers()
    };
    let r = run("probe", &cfg);
    eprintln!("{cfg:?}\n=> {} states, depth {}, exhaustive {}", r.states, r.max_depth, r.exhaustive);
}
