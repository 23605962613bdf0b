//! The distinguished proposer: finishing phase 1 (re-proposals and
//! no-ops) and phase 2 for new commands.

use super::{Proposal, Replica, Role};
use crate::multi::{Command, Event, Msg, MultiPaxos, Slot};
use crate::Ballot;
use actor::{Effects, Instant, NodeId};
use std::collections::{BTreeMap, BTreeSet};

impl Replica {
    /// A majority promised: re-propose every reported accepted value (the
    /// highest ballot's per slot), fill gaps with no-ops, then serve.
    pub(super) fn become_leader(&mut self, now: Instant, out: &mut Effects<MultiPaxos>) {
        let mut merged: BTreeMap<Slot, (Ballot, Command)> = BTreeMap::new();
        for (slot, b, cmd) in std::mem::take(&mut self.promises).into_values().flatten() {
            if merged.get(&slot).is_none_or(|(mb, _)| b > *mb) {
                merged.insert(slot, (b, cmd));
            }
        }
        self.role = Role::Leader;
        self.leader = Some((self.me(), self.ballot));
        self.proposals.clear();
        self.known_ids = self.chosen.values().filter_map(|(_, c)| c.id()).collect();
        let top = merged.keys().next_back().copied().unwrap_or(0);
        let top = top.max(self.chosen.keys().next_back().copied().unwrap_or(0)).max(self.exec_next.saturating_sub(1));
        let (mut reproposed, mut noops) = (Vec::new(), Vec::new());
        for slot in self.exec_next..=top {
            if self.chosen.contains_key(&slot) {
                continue;
            }
            let cmd = match merged.remove(&slot) {
                Some((_, cmd)) => {
                    reproposed.push(slot);
                    cmd
                }
                None => {
                    noops.push(slot);
                    Command::Noop
                }
            };
            if let Some(id) = cmd.id() {
                self.known_ids.insert(id);
            }
            self.propose_at(now, slot, cmd, out);
        }
        self.next_slot = top.saturating_add(1);
        Self::emit(out, Event::Leading { b: self.ballot, from_slot: self.prepare_from, reproposed, noops });
        let hbm = Msg::Heartbeat { b: self.ballot, commit: self.exec_next };
        for to in self.others() {
            self.send(to, hbm.clone(), out);
        }
        let waiting: Vec<Command> = self.waiting.values().map(|(c, _)| c.clone()).collect();
        for cmd in waiting {
            self.propose(now, cmd, out);
        }
    }

    /// Phase 2a for a new client command in the next free slot (once per
    /// request id).
    pub(super) fn propose(&mut self, now: Instant, cmd: Command, out: &mut Effects<MultiPaxos>) {
        if let Some(id) = cmd.id() {
            if self.kv.executed(id) || !self.known_ids.insert(id) {
                return;
            }
        }
        let slot = self.next_slot;
        self.next_slot += 1;
        self.propose_at(now, slot, cmd, out);
    }

    pub(super) fn propose_at(&mut self, now: Instant, slot: Slot, cmd: Command, out: &mut Effects<MultiPaxos>) {
        self.proposals.insert(slot, Proposal { cmd: cmd.clone(), acks: BTreeSet::new(), sent: now });
        let m = Msg::Accept { b: self.ballot, slot, cmd };
        self.broadcast(&m, out);
    }

    /// Phase 2b answer: a majority of acceptors for `b` makes `slot` chosen;
    /// tell the other learners.
    pub(super) fn on_accepted(
        &mut self,
        now: Instant,
        from: NodeId,
        b: Ballot,
        slot: Slot,
        out: &mut Effects<MultiPaxos>,
    ) {
        if self.role != Role::Leader || b != self.ballot {
            return;
        }
        let Some(p) = self.proposals.get_mut(&slot) else { return };
        p.acks.insert(from);
        if p.acks.len() >= self.cfg.majority() {
            let cmd = p.cmd.clone();
            self.proposals.remove(&slot);
            let m = Msg::Chosen { slot, b, cmd: cmd.clone() };
            for to in self.others() {
                self.send(to, m.clone(), out);
            }
            self.learn(now, slot, b, cmd, out);
        }
    }
}
