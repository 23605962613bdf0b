//! Proposal numbers: `(round, node)`, compared round first, so two
//! proposers never pick the same number and a proposer can always pick
//! one higher than any it has seen.

use actor::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ballot {
    pub round: u64,
    pub node: u32,
}

impl Ballot {
    /// The ballot below every real one (an acceptor that promised nothing).
    pub const ZERO: Ballot = Ballot { round: 0, node: 0 };

    /// `node`'s first ballot above `seen`.
    pub fn above(seen: Ballot, node: NodeId) -> Ballot {
        let round = seen.round + 1;
        Ballot { round, node: node.0 }
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_order_by_round_then_node() {
        let a = Ballot { round: 2, node: 1 };
        let b = Ballot { round: 1, node: 9 };
        assert!(a > b);
        assert!(Ballot { round: 2, node: 2 } > a);
        let next = Ballot::above(a, NodeId(1));
        assert!(next > a && next.node == 1);
        assert!(Ballot::above(Ballot::ZERO, NodeId(3)) > Ballot::ZERO);
    }
}
