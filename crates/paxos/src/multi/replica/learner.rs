//! The learner: chosen slots, executed strictly in slot order.

use super::Replica;
use crate::multi::{Command, Event, Msg, MultiPaxos, Slot};
use crate::Ballot;
use actor::{Effects, Instant, NodeId};

/// How many chosen slots one catch-up answer carries at most.
const CATCH_UP_BATCH: u64 = 64;

impl Replica {
    /// Learner: record a chosen slot and execute the chosen prefix.
    pub(super) fn learn(&mut self, now: Instant, slot: Slot, b: Ballot, cmd: Command, out: &mut Effects<MultiPaxos>) {
        if slot < self.exec_next || self.chosen.contains_key(&slot) {
            return;
        }
        self.chosen.insert(slot, (b, cmd.clone()));
        Self::emit(out, Event::Chosen { slot, b, cmd: cmd.clone() });
        self.next_slot = self.next_slot.max(slot.saturating_add(1));
        if let Some(p) = self.proposals.remove(&slot) {
            // Another value won this slot: the displaced request goes on.
            if p.cmd != cmd {
                if let Some(id) = p.cmd.id() {
                    self.known_ids.remove(&id);
                    self.propose(now, p.cmd, out);
                }
            }
        }
        while let Some((_, cmd)) = self.chosen.get(&self.exec_next).cloned() {
            let result = self.kv.apply(&cmd);
            Self::emit(out, Event::Executed { slot: self.exec_next, cmd: cmd.clone(), result });
            if let Some(id) = cmd.id() {
                if self.waiting.remove(&id).is_some() {
                    Self::emit(out, Event::Replied { id, ok: true });
                }
            }
            self.exec_next += 1;
        }
    }

    /// Answer a lagging learner with the chosen slots from `from_slot` on.
    pub(super) fn catch_up(&mut self, from: NodeId, from_slot: Slot, out: &mut Effects<MultiPaxos>) {
        let slots: Vec<(Slot, Ballot, Command)> = self
            .chosen
            .range(from_slot..from_slot.saturating_add(CATCH_UP_BATCH))
            .map(|(s, (b, c))| (*s, *b, c.clone()))
            .collect();
        for (slot, b, cmd) in slots {
            self.send(from, Msg::Chosen { slot, b, cmd }, out);
        }
    }
}
