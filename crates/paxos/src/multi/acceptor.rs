//! The acceptor of every slot: `promised` (one ballot for all slots, as a
//! leader prepares all slots at once) and the accepted `(ballot, command)`
//! per slot. Pure state transitions; the replica persists the returned
//! [`Write`] and replies only after it is synced.

use super::{Command, Slot, Write};
use crate::Ballot;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acceptor {
    /// The highest ballot promised (P1: never accept below it).
    pub promised: Ballot,
    /// Per slot, the highest-ballot proposal accepted.
    pub accepted: BTreeMap<Slot, (Ballot, Command)>,
}

impl Acceptor {
    /// Rebuild from the durable records, oldest first.
    pub fn restore(disk: &[Write]) -> Acceptor {
        let mut a = Acceptor::default();
        for w in disk {
            match w {
                Write::Promised { b } => a.promised = a.promised.max(*b),
                Write::Accepted { slot, b, cmd } => {
                    a.promised = a.promised.max(*b);
                    let newer = a.accepted.get(slot).is_none_or(|(old, _)| *b >= *old);
                    if newer {
                        a.accepted.insert(*slot, (*b, cmd.clone()));
                    }
                }
            }
        }
        a
    }

    /// Phase 1b. A prepare at or above the promise (equal: a duplicate)
    /// is promised: returns the record to persist and the accepted
    /// proposals of every slot ≥ `from_slot`. Otherwise the promise that
    /// refuses it.
    #[allow(clippy::type_complexity)]
    pub fn prepare(&mut self, b: Ballot, from_slot: Slot) -> Result<(Write, Vec<(Slot, Ballot, Command)>), Ballot> {
        if b < self.promised {
            return Err(self.promised);
        }
        self.promised = b;
        let accepted = self.accepted.range(from_slot..).map(|(s, (ab, c))| (*s, *ab, c.clone())).collect();
        Ok((Write::Promised { b }, accepted))
    }

    /// Phase 2b: accept iff `b >= promised` (which then promises `b`).
    pub fn accept(&mut self, b: Ballot, slot: Slot, cmd: Command) -> Result<Write, Ballot> {
        if b < self.promised {
            return Err(self.promised);
        }
        self.promised = b;
        self.accepted.insert(slot, (b, cmd.clone()));
        Ok(Write::Accepted { slot, b, cmd })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(round: u64, node: u32) -> Ballot {
        Ballot { round, node }
    }

    #[test]
    fn refuses_below_the_promise_and_restores_from_disk() {
        let mut a = Acceptor::default();
        let mut disk = Vec::new();
        let (w, acc) = a.prepare(b(2, 1), 1).expect("promise");
        assert!(acc.is_empty());
        disk.push(w);
        disk.push(a.accept(b(2, 1), 1, Command::Noop).expect("accept"));
        assert_eq!(a.accept(b(1, 3), 2, Command::Noop), Err(b(2, 1)));
        assert_eq!(a.prepare(b(1, 9), 1).map(|_| ()), Err(b(2, 1)));
        let (w, acc) = a.prepare(b(3, 2), 1).expect("higher prepare");
        assert_eq!(acc, vec![(1, b(2, 1), Command::Noop)]);
        disk.push(w);
        assert_eq!(a.prepare(b(3, 2), 2).map(|(_, acc)| acc.len()), Ok(0), "duplicate answered, from_slot honoured");
        assert_eq!(Acceptor::restore(&disk), a);
    }
}
