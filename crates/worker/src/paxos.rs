//! A Web Worker hosting one single-decree Paxos node: the same shape as
//! the ZooKeeper host (create, then step inputs in order and answer each
//! with its effects), with Paxos's vocabulary.

use crate::{decode, encode, step_each};
use actor::{Effect, Input, Instant, Node, NodeId};
use paxos::single::{Config, Paxos, PaxosNode};
use serde::{Deserialize, Serialize};

/// Page → Paxos worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToPaxosWorker {
    Create { node: NodeId, config: Config },
    Step { items: Vec<(Instant, Input<Paxos>)> },
}

/// Paxos worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FromPaxosWorker {
    Ready,
    Created { node: NodeId },
    Effects { node: NodeId, items: Vec<Vec<Effect<Paxos>>> },
    Failed { error: String },
}

#[derive(Default)]
pub struct PaxosHost {
    node: Option<(NodeId, Box<dyn Node<P = Paxos>>, Config)>,
}

impl PaxosHost {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn handle(&mut self, msg: ToPaxosWorker) -> FromPaxosWorker {
        match msg {
            ToPaxosWorker::Create { node, config } => {
                if config.me != node {
                    return FromPaxosWorker::Failed { error: format!("a config for node {} sent to node {node}", config.me) };
                }
                self.node = Some((node, Box::new(PaxosNode::new(config.clone())), config));
                FromPaxosWorker::Created { node }
            }
            ToPaxosWorker::Step { items } => {
                let Some((id, node, config)) = self.node.as_mut() else {
                    return FromPaxosWorker::Failed { error: "no node has been created in this worker".into() };
                };
                let out = step_each(node, items, || Some(Box::new(PaxosNode::new(config.clone())) as Box<dyn Node<P = Paxos>>));
                FromPaxosWorker::Effects { node: *id, items: out }
            }
        }
    }

    pub fn handle_bytes(&mut self, bytes: &[u8]) -> Vec<u8> {
        let answer = match decode::<ToPaxosWorker>(bytes) {
            Ok(msg) => self.handle(msg),
            Err(error) => FromPaxosWorker::Failed { error },
        };
        encode(&answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paxos_worker_boots_its_node_and_refuses_garbage() {
        let mut host = PaxosHost::new();
        let ids = vec![NodeId(1), NodeId(2), NodeId(3)];
        let config = Config::new(NodeId(1), ids.clone(), ids).proposer().acceptor().learner();
        assert!(matches!(host.handle(ToPaxosWorker::Create { node: NodeId(1), config }), FromPaxosWorker::Created { .. }));
        let step = ToPaxosWorker::Step { items: vec![(Instant::ZERO, Input::Boot { disk: vec![], life: 0 })] };
        match decode::<FromPaxosWorker>(&host.handle_bytes(&encode(&step))) {
            Ok(FromPaxosWorker::Effects { node, items }) => assert_eq!((node, items.len()), (NodeId(1), 1)),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(decode::<FromPaxosWorker>(&host.handle_bytes(&[0xff, 0xfe])), Ok(FromPaxosWorker::Failed { .. })));
    }
}
