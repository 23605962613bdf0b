//! Multi-Paxos (PROTOCOL.md §11.3): a replicated log of slots 1, 2, 3, …,
//! each an independent Paxos instance, driving a key-value store.
//!
//! Every [`Replica`] is a *proposer*, an *acceptor* and a *learner*. One of
//! them, the *distinguished proposer* (the leader), runs phase 1
//! (`Prepare`/`Promise`) once for every slot from its first unchosen slot on,
//! then pays only phase 2 (`Accept`/`Accepted`) per command. A new leader
//! re-proposes every value a promise quorum reported as accepted (the value
//! of the highest ballot per slot) and fills the gaps below its highest
//! known slot with [`Command::Noop`]. Learners execute a slot only when it
//! and every slot before it are chosen.
//!
//! Everything travels as datagrams (lost, duplicated, reordered): handling
//! is idempotent and timers retransmit. Acceptor state is written to disk
//! and synced before any `Promise` or `Accepted` leaves.

mod acceptor;
pub mod check;
pub mod kv;
mod replica;

pub use acceptor::Acceptor;
pub use check::{Checker, Rule, Violation};
pub use kv::Kv;
pub use replica::{Config, Replica, Role};

use crate::Ballot;
use actor::{NodeId, Protocol};
use serde::{Deserialize, Serialize};

/// A log slot number; the first slot is 1.
pub type Slot = u64;

/// What the replicated state machine executes, one per slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Set `key` to `value`; `id` names the client request (unique).
    Put { id: u64, key: String, value: String },
    /// Read `key` through the log (linearizable); `id` names the request.
    Get { id: u64, key: String },
    /// Fills a gap a new leader found: executes as nothing.
    Noop,
}

impl Command {
    /// The client request id, if the command came from a client.
    pub fn id(&self) -> Option<u64> {
        match self {
            Command::Put { id, .. } | Command::Get { id, .. } => Some(*id),
            Command::Noop => None,
        }
    }
}

/// Datagrams between replicas (Paxos names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    /// Phase 1a: ballot `b` for every slot ≥ `from_slot`.
    Prepare { b: Ballot, from_slot: Slot },
    /// Phase 1b: the acceptor promised `b`; its accepted `(slot, ballot,
    /// command)` for the slots ≥ the prepare's `from_slot`.
    Promise { b: Ballot, accepted: Vec<(Slot, Ballot, Command)> },
    /// A prepare or accept for `b` was refused: the acceptor promised
    /// `promised`, which is higher.
    Nack { b: Ballot, promised: Ballot },
    /// Phase 2a: accept `cmd` in `slot` under ballot `b`.
    Accept { b: Ballot, slot: Slot, cmd: Command },
    /// Phase 2b: the acceptor accepted ballot `b` in `slot`.
    Accepted { b: Ballot, slot: Slot },
    /// Learn: `cmd` was chosen in `slot` (under ballot `b`).
    Chosen { slot: Slot, b: Ballot, cmd: Command },
    /// The leader of ballot `b` is alive; every slot below `commit` is
    /// chosen at the leader.
    Heartbeat { b: Ballot, commit: Slot },
    /// A learner missing chosen slots asks the leader from `from_slot` on.
    CatchUp { from_slot: Slot },
    /// A client command handed to the leader by another replica.
    Forward { cmd: Command },
}

impl Msg {
    /// A short name for counting and viewing.
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "prepare",
            Msg::Promise { .. } => "promise",
            Msg::Nack { .. } => "nack",
            Msg::Accept { .. } => "accept",
            Msg::Accepted { .. } => "accepted",
            Msg::Chosen { .. } => "chosen",
            Msg::Heartbeat { .. } => "heartbeat",
            Msg::CatchUp { .. } => "catch-up",
            Msg::Forward { .. } => "forward",
        }
    }
}

/// A replica's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timer {
    /// No heartbeat from a leader within the (randomized) leader timeout:
    /// start (or restart) phase 1.
    Election,
    /// Every heartbeat interval: the leader's heartbeat, and every role's
    /// retransmissions (prepares, accepts, forwards).
    Tick,
}

/// The acceptor's durable records, replayed on boot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Write {
    /// Promised not to accept ballots below `b`.
    Promised { b: Ballot },
    /// Accepted `cmd` in `slot` under `b` (which also promises `b`).
    Accepted { slot: Slot, b: Ballot, cmd: Command },
}

/// Requests from outside: clients at any replica.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Call {
    Put { key: String, value: String, id: u64 },
    Get { key: String, id: u64 },
}

/// What a replica reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The process started with this acceptor state from disk.
    Booted { promised: Ballot, accepted: u64 },
    /// Started phase 1 with ballot `b`.
    Electing { b: Ballot },
    /// A majority promised `b`: this replica leads; `reproposed` slots
    /// carried accepted values, `noops` were gaps filled with no-ops.
    Leading { b: Ballot, from_slot: Slot, reproposed: Vec<Slot>, noops: Vec<Slot> },
    /// Follows `leader` (of ballot `b`).
    Following { leader: NodeId, b: Ballot },
    /// The acceptor durably promised `b` (emitted when the promise leaves).
    Promised { b: Ballot },
    /// The acceptor durably accepted ballot `b` in `slot`.
    Accepted { slot: Slot, b: Ballot },
    /// This replica learned that `cmd` was chosen in `slot` under `b`.
    Chosen { slot: Slot, b: Ballot, cmd: Command },
    /// The state machine executed `slot`; `result` is the value read (Get)
    /// or the value replaced (Put).
    Executed { slot: Slot, cmd: Command, result: Option<String> },
    /// The client call `id` handed here was executed (`ok`), or refused.
    Replied { id: u64, ok: bool },
    /// The call `id` went to `leader`.
    Forwarded { id: u64, leader: NodeId },
    /// The call `id` arrived while no leader was known; it was dropped.
    NotLeader { id: u64 },
}

/// The Multi-Paxos vocabulary for the actor contract.
#[derive(Clone, Copy, Debug)]
pub struct MultiPaxos;

impl Protocol for MultiPaxos {
    type Msg = Msg;
    type Timer = Timer;
    type Write = Write;
    type Call = Call;
    type Event = Event;
}
