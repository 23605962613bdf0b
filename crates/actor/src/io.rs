use crate::{ConnId, Instant, NodeId, Protocol};
use serde::{Deserialize, Serialize};

/// Why a stream connection ended, as the surviving side sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseReason {
    /// The peer closed it on purpose (a FIN).
    PeerClosed,
    /// The peer's process died and its kernel reset the connection.
    Reset,
    /// Nobody answered the connect: the peer is down or unreachable.
    Refused,
}

/// One thing that happens to a node.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub enum Input<P: Protocol> {
    /// The process starts (or restarts) with what its disk durably holds,
    /// oldest record first. A node forgets everything else it knew: a
    /// restart is a new process. `life` counts the boots before this one;
    /// connections the node opens carry it in their [`ConnId`].
    Boot { disk: Vec<P::Write>, life: u32 },
    /// A peer opened a connection to this node.
    Accepted { conn: ConnId, from: NodeId },
    /// A connection this node opened is established.
    Connected { conn: ConnId },
    /// A connection ended (or a connect failed); nothing more arrives on it.
    Closed { conn: ConnId, reason: CloseReason },
    /// A message arrived on a connection.
    Received { conn: ConnId, msg: P::Msg },
    /// A datagram arrived.
    Datagram { from: NodeId, msg: P::Msg },
    /// An armed timer fired.
    Timer(P::Timer),
    /// Everything written before the matching [`Effect::Sync`] is durable.
    Synced { token: u64 },
    /// A request from outside the protocol.
    Call(P::Call),
}

/// One thing a node asks its host to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub enum Effect<P: Protocol> {
    /// Open a stream connection to `to`, named `conn`.
    Connect { conn: ConnId, to: NodeId },
    /// Send on an open connection (FIFO, no loss while it lives).
    Send { conn: ConnId, msg: P::Msg },
    /// Close a connection; the peer sees [`CloseReason::PeerClosed`].
    Close { conn: ConnId },
    /// Send one datagram (may be lost, duplicated or reordered).
    SendDatagram { to: NodeId, msg: P::Msg },
    /// Arm (or move) a timer to fire at local time `at`.
    SetTimer { timer: P::Timer, at: Instant },
    /// Disarm a timer; nothing happens if it is not armed.
    CancelTimer { timer: P::Timer },
    /// Append a record to the node's disk. It survives a crash only once a
    /// later sync completes.
    Write { write: P::Write },
    /// Make every earlier write durable; answered by [`Input::Synced`].
    Sync { token: u64 },
    /// Report something observable (replies, state changes, commits).
    Emit { event: P::Event },
}

/// The buffer a node pushes its effects into during one step.
pub type Effects<P> = Vec<Effect<P>>;
