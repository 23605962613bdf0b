//! Classic single-decree Paxos (PROTOCOL.md §11.1–11.2, Lamport's "Paxos
//! Made Simple") as a sans-IO node of the `actor` contract.
//!
//! One [`PaxosNode`] plays any of the three roles — proposer, acceptor,
//! learner — over datagrams that the world may lose, duplicate and reorder.
//! An acceptor's `promised` and `accepted` go to its disk and every reply
//! that depends on them leaves only after the matching `Synced`, so a crash
//! and restart never forgets a promise (the analogue of ZooKeeper's
//! `acceptedEpoch`/`currentEpoch` files, written before the ack).
//!
//! * [`check`] — a safety checker over the events of a run.
//! * [`crate::model`] — an exhaustive breadth-first model checker over the
//!   same nodes.

mod acceptor;
pub mod check;
mod learner;
mod node;
mod proposer;

pub use check::{Checker, Violation, ViolationKind};
pub use node::PaxosNode;

use crate::Ballot;
use actor::{Duration, NodeId, Protocol};
use serde::{Deserialize, Serialize};

/// What is being agreed on (one decree).
pub type Value = String;

/// An acceptor's vote: the ballot it accepted and its value.
pub type Vote = (Ballot, Value);

/// The protocol vocabulary of single-decree Paxos.
#[derive(Clone, Copy, Debug)]
pub struct Paxos;

impl Protocol for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type Write = Write;
    type Call = Call;
    type Event = Event;
}

/// The datagrams of §11.2.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Msg {
    /// Phase 1a, proposer → acceptors.
    Prepare { b: Ballot },
    /// Phase 1b, acceptor → proposer: a promise never to accept below `b`,
    /// with the acceptor's latest vote.
    Promise { b: Ballot, accepted: Option<Vote> },
    /// The optional rejection: the acceptor has promised `promised` > `b`
    /// (or >= `b` for an Accept below it).
    Nack { b: Ballot, promised: Ballot },
    /// Phase 2a, proposer → acceptors.
    Accept { b: Ballot, v: Value },
    /// Phase 2b, acceptor → learners and the ballot's proposer.
    Accepted { b: Ballot, v: Value },
}

impl Msg {
    /// The ballot the message is about.
    pub fn ballot(&self) -> Ballot {
        match self {
            Msg::Prepare { b }
            | Msg::Promise { b, .. }
            | Msg::Nack { b, .. }
            | Msg::Accept { b, .. }
            | Msg::Accepted { b, .. } => *b,
        }
    }
}

/// A proposer's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Timer {
    /// The current phase took too long: start over with a higher ballot.
    Retry,
    /// The randomized back-off before the next attempt is over.
    Backoff,
}

/// A durable record. The newest record of each kind wins on boot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Write {
    /// An acceptor's state (written before any Promise/Accepted leaves).
    Acceptor { promised: Ballot, accepted: Option<Vote> },
    /// The highest round a proposer used (written before its Prepare
    /// leaves), so a restarted proposer never reuses a ballot.
    Proposer { round: u64 },
}

/// Requests from outside the protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Call {
    /// A client asks this proposer to get `v` chosen.
    Propose(Value),
}

/// What nodes report; the checker and views read these.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Event {
    // ---- proposer
    /// A client asked this proposer to propose `v` (the set of proposed
    /// values: only these may ever be chosen).
    Requested { v: Value },
    /// Prepare(`b`) went to the acceptors (after `b`'s round was synced).
    Phase1 { b: Ballot },
    /// A majority promised `b`; Accept(`b`, `v`) went out. `adopted` if `v`
    /// came from a promise rather than from the client.
    Proposing { b: Ballot, v: Value, adopted: bool },
    /// A Nack showed that an acceptor promised `by` > `b`.
    Preempted { b: Ballot, by: Ballot },
    /// The phase for `b` timed out.
    TimedOut { b: Ballot },
    /// Ballot `b` failed; the next attempt starts after `after_ms`
    /// (0 with `Backoff::None`).
    Retrying { b: Ballot, after_ms: u64 },
    /// The attempt budget is spent; the proposer stops.
    GaveUp { b: Ballot },
    /// A majority accepted (`b`, `v`): the proposer knows `v` is chosen.
    Succeeded { b: Ballot, v: Value },
    // ---- acceptor
    /// The acceptor booted with this durable state.
    Restored { promised: Ballot, accepted: Option<Vote> },
    /// A promise for `b` is durable and on its way.
    Promised { b: Ballot, accepted: Option<Vote> },
    /// The vote (`b`, `v`) is durable and on its way.
    AcceptedValue { b: Ballot, v: Value },
    /// A Prepare/Accept for `b` was refused: `promised` is higher.
    Nacked { b: Ballot, promised: Ballot },
    // ---- learner
    /// A majority of acceptors accepted (`b`, `v`): `v` is chosen.
    Chosen { v: Value, b: Ballot },
}

/// How a proposer waits before retrying after a pre-emption or time-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Backoff {
    /// Retry at once with a higher round (duelling proposers livelock).
    None,
    /// Wait a random time in `1..=min(max_ms, base_ms · 2^(failures-1))`
    /// milliseconds, drawn from ChaCha8 seeded by the node's seed.
    Randomized { base_ms: u64, max_ms: u64 },
}

/// A node's set-up.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Config {
    pub me: NodeId,
    pub proposer: bool,
    pub acceptor: bool,
    pub learner: bool,
    /// Every acceptor (a majority of these decides).
    pub acceptors: Vec<NodeId>,
    /// Where acceptors send Accepted (besides the ballot's proposer).
    pub learners: Vec<NodeId>,
    /// Seeds the proposer's back-off draws.
    pub seed: u64,
    pub backoff: Backoff,
    /// How long a proposer waits for a majority before retrying.
    pub retry_timeout: Duration,
    /// Ballots a proposer tries before giving up (`None`: forever).
    pub max_attempts: Option<u32>,
    /// A deliberately unsafe acceptor that accepts below its promise (to
    /// show the checkers can fail).
    pub broken: bool,
}

impl Config {
    /// A node with no role yet; add roles with the builder methods.
    pub fn new(me: NodeId, acceptors: Vec<NodeId>, learners: Vec<NodeId>) -> Self {
        Config {
            me,
            proposer: false,
            acceptor: false,
            learner: false,
            acceptors,
            learners,
            seed: u64::from(me.0),
            backoff: Backoff::None,
            retry_timeout: Duration::from_millis(100),
            max_attempts: None,
            broken: false,
        }
    }
    pub fn proposer(mut self) -> Self {
        self.proposer = true;
        self
    }
    pub fn acceptor(mut self) -> Self {
        self.acceptor = true;
        self
    }
    pub fn learner(mut self) -> Self {
        self.learner = true;
        self
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }
    pub fn retry_timeout(mut self, d: Duration) -> Self {
        self.retry_timeout = d;
        self
    }
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n);
        self
    }
    pub fn broken(mut self) -> Self {
        self.broken = true;
        self
    }
    /// How many acceptors make a majority.
    pub fn majority(&self) -> usize {
        self.acceptors.len() / 2 + 1
    }
}
