use serde::{Deserialize, Serialize};
use std::fmt;

/// A node of the world: a server (its ZooKeeper `myid`) or a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A stream connection, named by the node that opened it, the life of that
/// node it was opened in (see [`crate::Input::Boot`]) and that life's own
/// counter, so a node can name a connection before the host has seen it,
/// two nodes can never pick the same name, and a restarted node never
/// reuses a name its earlier life left behind. A reconnect is a new `ConnId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnId {
    pub opener: NodeId,
    pub life: u32,
    pub seq: u32,
}

impl ConnId {
    /// The first connection of a node's first life.
    pub fn first(opener: NodeId) -> Self {
        ConnId { opener, life: 0, seq: 1 }
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.life == 0 {
            write!(f, "{}#{}", self.opener, self.seq)
        } else {
            write!(f, "{}@{}#{}", self.opener, self.life, self.seq)
        }
    }
}
