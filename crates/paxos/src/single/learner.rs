//! The learner: a value is chosen once a majority of acceptors report
//! Accepted for the same ballot.

use super::node::{Ctx, PaxosNode};
use super::{Event, Value, Vote};
use crate::Ballot;
use actor::NodeId;
use std::collections::{BTreeMap, BTreeSet};

/// Votes heard so far, and the outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct LearnerState {
    /// Per ballot: its value and the acceptors that reported it.
    pub votes: BTreeMap<Ballot, (Value, BTreeSet<NodeId>)>,
    pub chosen: Option<Vote>,
}

impl PaxosNode {
    pub(crate) fn on_learn(&mut self, ctx: &mut Ctx<'_>, from: NodeId, b: Ballot, v: Value) {
        if self.learn.chosen.is_some() || !self.cfg.acceptors.contains(&from) {
            return;
        }
        let entry = self.learn.votes.entry(b).or_insert_with(|| (v, BTreeSet::new()));
        entry.1.insert(from);
        if entry.1.len() >= self.cfg.majority() {
            let v = entry.0.clone();
            self.learn.votes.clear();
            self.learn.chosen = Some((b, v.clone()));
            ctx.emit(Event::Chosen { v, b });
        }
    }
}
