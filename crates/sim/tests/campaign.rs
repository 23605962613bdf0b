//! Fault campaigns: the safe protocol holds every invariant and recovers
//! on a run of seeds, and a campaign with a known ZooKeeper bug switched on
//! finds a violation within a bounded number of seeds — the campaign can
//! fail, and its link replays the failure.

use sim::link;
use sim::zk::campaign::{run_scenario, run_seed, CampaignConfig};

#[test]
fn the_safe_protocol_holds_and_recovers_on_every_seed() {
    let cfg = CampaignConfig::default();
    let mut ops = 0;
    for seed in 1..=12 {
        let o = run_seed(seed, &cfg);
        assert!(o.passed(), "seed {seed}: {}\n{}", o.first_failure().unwrap_or_default(), o.report);
        assert!(o.faults > 0, "seed {seed} injected no fault");
        ops += o.ops;
    }
    assert!(ops > 10_000, "the workloads ran: {ops} operations");
}

#[test]
fn zookeeper_1154_is_found_within_sixty_seeds_and_its_link_replays_it() {
    let mut cfg = CampaignConfig::default();
    cfg.bugs.enable("ZOOKEEPER-1154").expect("a known bug");
    let found = (1..=60).map(|seed| run_seed(seed, &cfg)).find(|o| !o.violations.is_empty());
    let o = found.expect("a seed where ZOOKEEPER-1154 breaks an invariant");
    assert!(
        o.violations.iter().any(|v| v.invariant == "I5" || v.invariant == "I6"),
        "histories diverge or a commit is lost: {:?}",
        o.violations
    );
    // The printed link is the whole reproduction.
    let replayed = link::decode(&link::encode(&o.scenario)).expect("the link decodes");
    let again = run_scenario(o.seed, &replayed, cfg.safety_ms);
    assert_eq!(again.violations, o.violations, "the link replays the same failure");
}
