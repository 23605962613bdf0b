//! A scenario whose servers live in WorkerHosts (messages through postcard,
//! the inputs of a round batched per node, answers in any order across
//! nodes) gives the trace it gives in-process — what the page relies on.

use actor::NodeId;
use sim::zk::{Hosting, Progress, Scenario, ScenarioRun};
use std::collections::BTreeMap;
use worker::{decode, encode, FromWorker, NodeSpec, ToWorker, WorkerHost};

fn spec(s: &Scenario) -> NodeSpec {
    if s.servers.len() == 1 {
        NodeSpec::Standalone { config: s.config.clone() }
    } else {
        NodeSpec::Quorum { config: s.config.clone(), members: s.members() }
    }
}

fn hosted_hash(s: &Scenario) -> String {
    let mut run = ScenarioRun::with_hosting(s, Hosting::RemoteServers).expect("valid");
    let mut hosts: BTreeMap<NodeId, WorkerHost> = BTreeMap::new();
    for id in s.server_ids() {
        let mut h = WorkerHost::new();
        let answer = h.handle_bytes(&encode(&ToWorker::Create { node: id, spec: spec(s) }));
        assert!(matches!(decode::<FromWorker>(&answer), Ok(FromWorker::Created { .. })));
        hosts.insert(id, h);
    }
    let end = run.end();
    while run.advance(end, &mut |_| {}).expect("runs") == Progress::Waiting {
        let mut by_node: BTreeMap<NodeId, Vec<_>> = BTreeMap::new();
        for o in run.world.take_outbox() {
            by_node.entry(o.node).or_default().push((o.now, o.input));
        }
        let mut answers = Vec::new();
        for (id, items) in by_node {
            let Some(h) = hosts.get_mut(&id) else { continue };
            answers.push(h.handle_bytes(&encode(&ToWorker::Step { items })));
        }
        for bytes in answers.into_iter().rev() {
            match decode::<FromWorker>(&bytes).expect("an answer") {
                FromWorker::Effects { node, items } => {
                    for effects in items {
                        run.world.complete(node, effects).expect("outstanding");
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    run.world.trace_hash()
}

fn local_hash(s: &Scenario) -> String {
    let mut run = ScenarioRun::new(s).expect("valid");
    run.run(&mut |_| {}).expect("runs");
    run.world.trace_hash()
}

#[test]
fn workers_give_the_in_process_trace() {
    let mut s = Scenario::ensemble(7, 3, &["w1", "w2"], 1_000);
    s.network.default = sim::LinkSpec { latency_us: 200, jitter_us: 0, loss_ppm: 0, dup_ppm: 0 };
    for (i, c) in s.clients.iter_mut().enumerate() {
        c.workload = Some(sim::zk::Workload {
            start_ms: 500,
            rate_per_sec: 0,
            max_outstanding: 50,
            keys: 100,
            prefix: format!("/bench{i}"),
            ..Default::default()
        });
    }
    assert_eq!(hosted_hash(&s), local_hash(&s));
}
