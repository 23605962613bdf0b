//! One node in a Web Worker. The page sends [`ToWorker`] messages and the
//! worker answers each with a [`FromWorker`], both as postcard bytes. All of
//! the logic is here and platform-free, so it is tested natively; the wasm
//! entry in `src/bin/server_worker.rs` only moves bytes.

pub mod paxos;

use actor::{Effect, Input, Instant, Node, NodeId, Protocol};
use serde::{Deserialize, Serialize};
use zab::quorum::{Members, QuorumPeer};
use zab::{ServerConfig, StandaloneServer, Zk};

/// Which node a worker hosts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum NodeSpec {
    /// A one-server ZooKeeper.
    Standalone { config: ServerConfig },
    /// A member of an ensemble.
    Quorum { config: ServerConfig, members: Members },
}

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToWorker {
    /// Create the node this worker hosts (replacing any earlier one).
    Create { node: NodeId, spec: NodeSpec },
    /// Step the node on each input in order, at the given local times.
    Step { items: Vec<(Instant, Input<Zk>)> },
    /// Answer at once (measures the postMessage round trip).
    Ping { n: u64 },
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker's wasm is running; messages sent before this are lost.
    Ready,
    /// The node exists.
    Created {
        node: NodeId,
    },
    /// One list of effects per input of the `Step`, in order.
    Effects {
        node: NodeId,
        items: Vec<Vec<actor::Effect<Zk>>>,
    },
    /// A message the worker could not act on.
    Failed {
        error: String,
    },
    Pong {
        n: u64,
    },
}

/// The wasm entry of a worker binary: hand every message's bytes to
/// `handle` and post its answer back; say `ready` first, because messages
/// the page posts before the wasm is instantiated are lost.
#[cfg(target_arch = "wasm32")]
pub fn serve(mut handle: impl FnMut(&[u8]) -> Vec<u8> + 'static, ready: Vec<u8>) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let bytes = js_sys::Uint8Array::new(&e.data()).to_vec();
        let answer = handle(&bytes);
        let array = js_sys::Uint8Array::from(answer.as_slice());
        let _ = reply_scope.post_message(&array);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&js_sys::Uint8Array::from(ready.as_slice()));
}

/// Step a hosted node on each input in turn and collect each one's
/// effects. A boot is a new process: it starts from `fresh()`.
pub fn step_each<P: Protocol>(
    node: &mut Box<dyn Node<P = P>>,
    items: Vec<(Instant, Input<P>)>,
    fresh: impl Fn() -> Option<Box<dyn Node<P = P>>>,
) -> Vec<Vec<Effect<P>>> {
    items
        .into_iter()
        .map(|(now, input)| {
            if matches!(input, Input::Boot { .. }) {
                if let Some(f) = fresh() {
                    *node = f;
                }
            }
            let mut effects = Vec::new();
            node.step(now, input, &mut effects);
            effects
        })
        .collect()
}

/// Encode a message for postMessage.
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // Serializing our own enums into a Vec cannot fail.
    postcard::to_allocvec(msg).unwrap_or_default()
}

/// Decode a message from postMessage.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("undecodable message ({} bytes): {e}", bytes.len()))
}

fn build(node: NodeId, spec: &NodeSpec) -> Result<Box<dyn Node<P = Zk>>, String> {
    match spec {
        NodeSpec::Standalone { config } => {
            config.validate().map_err(|e| format!("bad server config: {e}"))?;
            Ok(Box::new(StandaloneServer::new(node, config.clone())))
        }
        NodeSpec::Quorum { config, members } => {
            config.validate_quorum().map_err(|e| format!("bad server config: {e}"))?;
            if !members.is_server(node) {
                return Err(format!("server {node} is not a member of the ensemble"));
            }
            Ok(Box::new(QuorumPeer::new(node, config.clone(), members.clone())))
        }
    }
}

/// The node a worker hosts, and what it does with each message.
#[derive(Default)]
pub struct WorkerHost {
    node: Option<(NodeId, Box<dyn Node<P = Zk>>)>,
    /// How the node was made, so a `Boot` can start a fresh process.
    spec: Option<NodeSpec>,
}

impl WorkerHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// Handle one message from the page and produce the answer.
    pub fn handle(&mut self, msg: ToWorker) -> FromWorker {
        match msg {
            ToWorker::Create { node, spec } => match build(node, &spec) {
                Ok(hosted) => {
                    self.node = Some((node, hosted));
                    self.spec = Some(spec);
                    FromWorker::Created { node }
                }
                Err(error) => FromWorker::Failed { error },
            },
            ToWorker::Ping { n } => FromWorker::Pong { n },
            ToWorker::Step { items } => {
                let Some((id, node)) = self.node.as_mut() else {
                    return FromWorker::Failed { error: "no node has been created in this worker".into() };
                };
                let (id, spec) = (*id, &self.spec);
                let out = step_each(node, items, || spec.as_ref().and_then(|s| build(id, s).ok()));
                FromWorker::Effects { node: id, items: out }
            }
        }
    }

    /// Bytes in, bytes out: what the wasm entry calls.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> Vec<u8> {
        let answer = match decode::<ToWorker>(bytes) {
            Ok(msg) => self.handle(msg),
            Err(error) => FromWorker::Failed { error },
        };
        encode(&answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_boots_its_server_and_answers_with_effects() {
        let mut host = WorkerHost::new();
        let id = NodeId(1);
        let created =
            host.handle(ToWorker::Create { node: id, spec: NodeSpec::Standalone { config: ServerConfig::sample() } });
        assert!(matches!(created, FromWorker::Created { node } if node == id));
        let answer = host.handle_bytes(&encode(&ToWorker::Step {
            items: vec![(Instant::ZERO, Input::Boot { disk: vec![], life: 0 })],
        }));
        match decode::<FromWorker>(&answer) {
            Ok(FromWorker::Effects { node, items }) => {
                assert_eq!(node, id);
                assert_eq!(items.len(), 1);
                assert!(!items[0].is_empty(), "booting arms timers and reports");
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }

    #[test]
    fn a_worker_hosts_an_ensemble_member_that_starts_an_election() {
        let mut host = WorkerHost::new();
        let members = Members { voters: [1, 2, 3].into(), observers: Default::default() };
        let spec = NodeSpec::Quorum { config: ServerConfig::sample(), members: members.clone() };
        assert!(matches!(host.handle(ToWorker::Create { node: NodeId(2), spec }), FromWorker::Created { .. }));
        let step = ToWorker::Step { items: vec![(Instant::ZERO, Input::Boot { disk: vec![], life: 0 })] };
        let FromWorker::Effects { items, .. } = host.handle(step) else { panic!("effects") };
        let dials = items[0].iter().filter(|e| matches!(e, Effect::Connect { .. })).count();
        assert_eq!(dials, 2, "it dials both peers to send its vote");
        let stranger = NodeSpec::Quorum { config: ServerConfig::sample(), members };
        assert!(matches!(host.handle(ToWorker::Create { node: NodeId(7), spec: stranger }), FromWorker::Failed { .. }));
    }

    #[test]
    fn garbage_and_steps_before_create_are_refused_not_panics() {
        let mut host = WorkerHost::new();
        assert!(matches!(decode::<FromWorker>(&host.handle_bytes(&[0xff, 0x00, 0x13])), Ok(FromWorker::Failed { .. })));
        let step = ToWorker::Step { items: vec![(Instant::ZERO, Input::Boot { disk: vec![], life: 0 })] };
        assert!(matches!(host.handle(step), FromWorker::Failed { .. }));
        let bad = ServerConfig { tick_time: 0, ..ServerConfig::sample() };
        assert!(matches!(
            host.handle(ToWorker::Create { node: NodeId(1), spec: NodeSpec::Standalone { config: bad } }),
            FromWorker::Failed { .. }
        ));
    }
}
