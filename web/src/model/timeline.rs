//! Marks on the playback timeline: faults and elections.

use actor::{Instant, NodeId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Fault,
    Election,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub at: Instant,
    pub kind: MarkKind,
    pub label: String,
    pub node: Option<NodeId>,
}

/// How many marks are kept.
const KEEP: usize = 500;

#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub marks: Vec<Mark>,
}

impl Timeline {
    pub fn mark(&mut self, m: Mark) {
        self.marks.push(m);
        if self.marks.len() > KEEP {
            self.marks.remove(0);
        }
    }
}
