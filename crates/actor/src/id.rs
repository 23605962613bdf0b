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

/// A stream connection, named by the node that opened it and that node's own
/// counter, so a node can name a connection before the host has seen it and
/// two nodes can never pick the same name. A reconnect is a new `ConnId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnId {
    pub opener: NodeId,
    pub seq: u32,
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.opener, self.seq)
    }
}
