//! The contract between a protocol node and whatever hosts it.
//!
//! A node is a plain state machine. Its host (the deterministic world, a Web
//! Worker, a test) hands it one [`Input`] at a time together with the node's
//! own idea of the current time, and the node answers by pushing [`Effect`]s:
//! bytes to send on a connection, timers to arm, durable writes, syncs, and
//! observable events. A node never reads a clock, a random source, a thread
//! or the DOM; everything it knows arrives as an input. This is the
//! `step`/`ready` shape of raft-rs and quinn-proto.
//!
//! Everything protocol-specific is an associated type of [`Protocol`], so
//! ZooKeeper and Paxos share this contract and the world that runs it.

mod id;
mod io;
mod time;

pub use id::{ConnId, NodeId};
pub use io::{CloseReason, Effect, Effects, Input};
pub use time::{Duration, Instant};

use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// The vocabulary of one protocol: what its nodes send, remember and report.
pub trait Protocol: 'static {
    /// What travels on connections and datagrams.
    type Msg: Clone + Debug + Serialize + DeserializeOwned;
    /// A node's name for one of its timers. Arming a timer that is already
    /// armed moves it.
    type Timer: Clone + Debug + Ord + Serialize + DeserializeOwned;
    /// One durable record the host keeps on the node's disk.
    type Write: Clone + Debug + Serialize + DeserializeOwned;
    /// A request from outside the protocol: a user typing into a client, a
    /// workload, an operator's command.
    type Call: Clone + Debug + Serialize + DeserializeOwned;
    /// Something a node reports: a reply to a call, a state change, a commit.
    /// Hosts record these in the trace; views are drawn from them.
    type Event: Clone + Debug + Serialize + DeserializeOwned;
}

/// A protocol node: steps on one input at a time and emits effects.
pub trait Node {
    type P: Protocol;

    /// Handle `input` at the node's local time `now`, pushing effects to `out`.
    fn step(&mut self, now: Instant, input: Input<Self::P>, out: &mut Effects<Self::P>);
}
