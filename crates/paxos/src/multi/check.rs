//! A safety checker over replicas' events (PROTOCOL.md §13 I17 and the
//! Multi-Paxos rules of §11.3). Feed it `(time, node, event)` in trace
//! order; it never panics and returns what it found as values.

use super::{Command, Event, Slot};
use crate::Ballot;
use actor::{Instant, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Which rule a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// Two replicas learned different commands chosen in one slot.
    OneValuePerSlot,
    /// Two replicas executed different commands (or results) in one slot,
    /// or a replica executed something other than what was chosen.
    ExecutedAgree,
    /// A replica executed out of slot order or skipped a slot.
    ExecutionOrder,
    /// An acceptor's promise went down (across restarts too).
    PromiseMonotone,
    /// An acceptor accepted a ballot below its promise (P1).
    AcceptBelowPromise,
    /// A replica led with a ballot that is not its own.
    ForeignBallot,
    /// A restarted acceptor came back with fewer accepted slots than it
    /// had reported accepting (a reply left before its write was durable).
    LostAcceptorState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub at: Instant,
    pub node: NodeId,
    pub rule: Rule,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} node {}: {:?}: {}", self.at, self.node, self.rule, self.detail)
    }
}

/// Incremental checker state.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    chosen: BTreeMap<Slot, (Command, NodeId)>,
    executed: BTreeMap<Slot, (Command, Option<String>, NodeId)>,
    next_exec: BTreeMap<NodeId, Slot>,
    promised: BTreeMap<NodeId, Ballot>,
    /// Per acceptor, the slots it reported accepted (never forgotten).
    accepted: BTreeMap<NodeId, std::collections::BTreeSet<Slot>>,
    violations: Vec<Violation>,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Check a whole sequence of events.
    pub fn check<'a>(events: impl IntoIterator<Item = (Instant, NodeId, &'a Event)>) -> Vec<Violation> {
        let mut c = Checker::new();
        for (at, node, e) in events {
            c.observe(at, node, e);
        }
        c.violations
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The commands known chosen, per slot.
    pub fn chosen(&self) -> impl Iterator<Item = (Slot, &Command)> {
        self.chosen.iter().map(|(s, (c, _))| (*s, c))
    }

    fn flag(&mut self, at: Instant, node: NodeId, rule: Rule, detail: String) {
        self.violations.push(Violation { at, node, rule, detail });
    }

    fn raise_promise(&mut self, at: Instant, node: NodeId, b: Ballot, what: &str) {
        let old = self.promised.get(&node).copied().unwrap_or(Ballot::ZERO);
        if b < old {
            self.flag(at, node, Rule::PromiseMonotone, format!("{what} {b} below earlier promise {old}"));
        } else {
            self.promised.insert(node, b);
        }
    }

    pub fn observe(&mut self, at: Instant, node: NodeId, e: &Event) {
        match e {
            Event::Booted { promised, accepted } => {
                self.raise_promise(at, node, *promised, "restored promise");
                let reported = self.accepted.get(&node).map_or(0, |s| s.len() as u64);
                if *accepted < reported {
                    let d = format!("restored {accepted} accepted slots, had reported {reported}");
                    self.flag(at, node, Rule::LostAcceptorState, d);
                }
                self.next_exec.insert(node, 1);
            }
            Event::Promised { b } => self.raise_promise(at, node, *b, "promise"),
            Event::Accepted { slot, b } => {
                self.accepted.entry(node).or_default().insert(*slot);
                let p = self.promised.get(&node).copied().unwrap_or(Ballot::ZERO);
                if *b < p {
                    self.flag(
                        at,
                        node,
                        Rule::AcceptBelowPromise,
                        format!("slot {slot}: accepted {b} after promising {p}"),
                    );
                } else {
                    self.promised.insert(node, *b);
                }
            }
            Event::Chosen { slot, cmd, .. } => match self.chosen.get(slot) {
                Some((c, by)) if c != cmd => {
                    let d = format!("slot {slot}: chose {cmd:?}, but node {by} learned {c:?}");
                    self.flag(at, node, Rule::OneValuePerSlot, d);
                }
                Some(_) => {}
                None => {
                    self.chosen.insert(*slot, (cmd.clone(), node));
                }
            },
            Event::Executed { slot, cmd, result } => {
                let want = self.next_exec.get(&node).copied().unwrap_or(1);
                if *slot != want {
                    self.flag(at, node, Rule::ExecutionOrder, format!("executed slot {slot}, next due was {want}"));
                }
                self.next_exec.insert(node, slot.saturating_add(1));
                if let Some((c, _)) = self.chosen.get(slot) {
                    if c != cmd {
                        let d = format!("slot {slot}: executed {cmd:?}, chosen was {c:?}");
                        self.flag(at, node, Rule::ExecutedAgree, d);
                    }
                }
                match self.executed.get(slot) {
                    Some((c, r, by)) if c != cmd || r != result => {
                        let d = format!("slot {slot}: executed {cmd:?} → {result:?}, node {by}: {c:?} → {r:?}");
                        self.flag(at, node, Rule::ExecutedAgree, d);
                    }
                    Some(_) => {}
                    None => {
                        self.executed.insert(*slot, (cmd.clone(), result.clone(), node));
                    }
                }
            }
            Event::Leading { b, .. } => {
                if b.node != node.0 {
                    self.flag(at, node, Rule::ForeignBallot, format!("leads with ballot {b}"));
                }
            }
            Event::Electing { .. }
            | Event::Following { .. }
            | Event::Replied { .. }
            | Event::Forwarded { .. }
            | Event::NotLeader { .. } => {}
        }
    }
}
