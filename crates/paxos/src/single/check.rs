//! The safety checker (§11.2 "Safety invariants"): feed it every event of a
//! run, in trace order, and it reports violations as values.
//!
//! It keeps a ghost record of every vote (from `AcceptedValue`, emitted
//! only once the vote is durable), so "chosen" means what Paxos means — a
//! majority of acceptors accepted the same ballot — independently of what
//! learners heard. It is `Clone + Hash + Eq` so the model checker can carry
//! it as part of each state.

use super::{Event, Value};
use crate::Ballot;
use actor::{Instant, NodeId};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Which invariant broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViolationKind {
    /// P1: an acceptor accepted a ballot below its promise.
    AcceptBelowPromise,
    /// An acceptor's promise went down (including across a restart).
    PromiseDecreased,
    /// A promise reported a vote above the promised ballot.
    AcceptedAbovePromise,
    /// Two acceptors accepted different values for one ballot.
    BallotWithTwoValues,
    /// Majorities accepted two different values.
    TwoValuesChosen,
    /// P2: a ballot above a chosen one carries another value.
    HigherBallotOtherValue,
    /// A learner (or proposer) learned a value no majority accepted.
    LearnedUnchosen,
    /// Two learners learned different values.
    LearnersDisagree,
    /// A value nobody asked for was proposed or chosen.
    UnproposedValue,
}

/// One broken invariant: when, where, what.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    pub at: Instant,
    pub node: NodeId,
    pub kind: ViolationKind,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} node {}: {:?}: {}", self.at, self.node, self.kind, self.detail)
    }
}

/// The checker's state: everything it needs from the past.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Checker {
    majority: usize,
    requested: BTreeSet<Value>,
    promised: BTreeMap<NodeId, Ballot>,
    /// Ghost: every durable vote, per ballot.
    votes: BTreeMap<Ballot, (Value, BTreeSet<NodeId>)>,
    /// Ballots a majority accepted, with their value.
    chosen: BTreeMap<Ballot, Value>,
    learned: BTreeMap<NodeId, Value>,
    violations: Vec<Violation>,
}

impl Checker {
    /// A checker for a cluster of `acceptors` acceptors.
    pub fn new(acceptors: usize) -> Self {
        Checker { majority: acceptors / 2 + 1, ..Checker::default() }
    }

    /// Run over a whole run's events.
    pub fn check<'a>(
        acceptors: usize,
        events: impl IntoIterator<Item = (Instant, NodeId, &'a Event)>,
    ) -> Vec<Violation> {
        let mut c = Checker::new(acceptors);
        for (at, node, e) in events {
            c.observe(at, node, e);
        }
        c.violations
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The value a majority accepted, if any (the lowest such ballot's).
    pub fn chosen(&self) -> Option<&Value> {
        self.chosen.values().next()
    }

    /// What each learner learned.
    pub fn learned(&self) -> &BTreeMap<NodeId, Value> {
        &self.learned
    }

    fn flag(&mut self, at: Instant, node: NodeId, kind: ViolationKind, detail: String) {
        self.violations.push(Violation { at, node, kind, detail });
    }

    fn proposed(&mut self, at: Instant, node: NodeId, v: &Value) {
        if !self.requested.contains(v) {
            self.flag(at, node, ViolationKind::UnproposedValue, format!("{v:?} was never requested"));
        }
    }

    /// One event, in trace order.
    pub fn observe(&mut self, at: Instant, node: NodeId, e: &Event) {
        use ViolationKind::*;
        match e {
            Event::Requested { v } => {
                self.requested.insert(v.clone());
            }
            Event::Proposing { v, .. } => self.proposed(at, node, v),
            Event::Restored { promised, .. } => {
                let before = self.promised.get(&node).copied().unwrap_or_default();
                if *promised < before {
                    self.flag(at, node, PromiseDecreased, format!("restarted with {promised}, had promised {before}"));
                }
                self.promised.insert(node, before.max(*promised));
            }
            Event::Promised { b, accepted } => {
                let before = self.promised.get(&node).copied().unwrap_or_default();
                if *b < before {
                    self.flag(at, node, PromiseDecreased, format!("promised {b} after {before}"));
                }
                if let Some((ab, _)) = accepted {
                    if ab > b {
                        self.flag(at, node, AcceptedAbovePromise, format!("vote {ab} above promise {b}"));
                    }
                }
                self.promised.insert(node, before.max(*b));
            }
            Event::AcceptedValue { b, v } => self.vote(at, node, *b, v),
            Event::Chosen { v, b } | Event::Succeeded { b, v } => self.learn(at, node, *b, v),
            _ => {}
        }
    }

    fn vote(&mut self, at: Instant, node: NodeId, b: Ballot, v: &Value) {
        use ViolationKind::*;
        let before = self.promised.get(&node).copied().unwrap_or_default();
        if b < before {
            self.flag(at, node, AcceptBelowPromise, format!("accepted {b} below promise {before}"));
        }
        self.promised.insert(node, before.max(b));
        self.proposed(at, node, v);
        // P2: a vote above a chosen ballot must carry the chosen value.
        let clash = self.chosen.iter().find(|(cb, cv)| **cb < b && *cv != v).map(|(cb, cv)| (*cb, cv.clone()));
        if let Some((cb, cv)) = clash {
            self.flag(at, node, HigherBallotOtherValue, format!("{v:?} at {b} after {cv:?} chosen at {cb}"));
        }
        let entry = self.votes.entry(b).or_insert_with(|| (v.clone(), BTreeSet::new()));
        if entry.0 != *v {
            let other = entry.0.clone();
            self.flag(at, node, BallotWithTwoValues, format!("{v:?} and {other:?} at {b}"));
            return;
        }
        entry.1.insert(node);
        if entry.1.len() < self.majority || self.chosen.contains_key(&b) {
            return;
        }
        // Newly chosen at b.
        let other = self.chosen.values().find(|cv| *cv != v).cloned();
        if let Some(cv) = other {
            self.flag(at, node, TwoValuesChosen, format!("{v:?} at {b} and {cv:?} were both chosen"));
        }
        let above = self.votes.iter().find(|(vb, (vv, _))| **vb > b && vv != v).map(|(vb, (vv, _))| (*vb, vv.clone()));
        if let Some((vb, vv)) = above {
            self.flag(at, node, HigherBallotOtherValue, format!("{vv:?} at {vb} above {v:?} chosen at {b}"));
        }
        self.chosen.insert(b, v.clone());
    }

    fn learn(&mut self, at: Instant, node: NodeId, b: Ballot, v: &Value) {
        use ViolationKind::*;
        if self.chosen.get(&b) != Some(v) {
            self.flag(at, node, LearnedUnchosen, format!("learned {v:?} at {b}, which no majority accepted"));
        }
        self.proposed(at, node, v);
        let other = self.learned.iter().find(|(_, lv)| *lv != v).map(|(n, lv)| (*n, lv.clone()));
        if let Some((n, lv)) = other {
            self.flag(at, node, LearnersDisagree, format!("learned {v:?}, node {n} learned {lv:?}"));
        }
        self.learned.insert(node, v.clone());
    }
}
