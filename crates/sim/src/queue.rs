//! The world's one event queue: ordered by time, then outside events (boots,
//! scheduled faults and calls) before the world's own, then by insertion.

use actor::Instant;
use std::collections::BTreeMap;

/// A queue of `E` ordered by (time, class, insertion order). Two events of
/// a class at the same instant come out in the order they were scheduled,
/// on every platform. Outside events come first at their instant, so one
/// scheduled while the world runs lands where it would have had it been
/// scheduled before the run began — which is how a recorded action replays.
#[derive(Debug)]
pub struct EventQueue<E> {
    events: BTreeMap<(Instant, u8, u64), E>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { events: BTreeMap::new(), seq: 0 }
    }
}

impl<E> EventQueue<E> {
    /// The world's own event (a delivery, a timer, a sync).
    pub fn push(&mut self, at: Instant, e: E) {
        self.seq += 1;
        self.events.insert((at, 1, self.seq), e);
    }

    /// An event from outside the world: first at its instant.
    pub fn push_outside(&mut self, at: Instant, e: E) {
        self.seq += 1;
        self.events.insert((at, 0, self.seq), e);
    }

    pub fn pop(&mut self) -> Option<(Instant, E)> {
        self.events.pop_first().map(|((t, _, _), e)| (t, e))
    }

    pub fn peek_time(&self) -> Option<Instant> {
        self.events.keys().next().map(|(t, _, _)| *t)
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Remove every event matching `f` (used when a node crashes).
    pub fn retain(&mut self, mut f: impl FnMut(&E) -> bool) {
        self.events.retain(|_, e| f(e));
    }

    pub fn iter(&self) -> impl Iterator<Item = (Instant, &E)> {
        self.events.iter().map(|((t, _, _), e)| (*t, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_instant_keeps_insertion_order() {
        let mut q = EventQueue::default();
        q.push(Instant(5), "b");
        q.push(Instant(1), "a");
        q.push(Instant(5), "c");
        assert_eq!(q.pop(), Some((Instant(1), "a")));
        assert_eq!(q.pop(), Some((Instant(5), "b")));
        assert_eq!(q.pop(), Some((Instant(5), "c")));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn outside_events_come_first_at_their_instant() {
        let mut q = EventQueue::default();
        q.push(Instant(5), "delivery");
        q.push_outside(Instant(5), "user's call");
        q.push(Instant(4), "timer");
        assert_eq!(q.pop(), Some((Instant(4), "timer")));
        assert_eq!(q.pop(), Some((Instant(5), "user's call")));
        assert_eq!(q.pop(), Some((Instant(5), "delivery")));
    }
}
