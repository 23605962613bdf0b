//! The acceptor (§11.2 phases 1b and 2b): promise above `promised`, accept
//! at or above it; persist before replying.

use super::node::{Ctx, Deferred, PaxosNode};
use super::{Event, Msg, Value, Vote, Write};
use crate::Ballot;
use actor::NodeId;

/// An acceptor's durable state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct AcceptorState {
    /// Highest ballot promised (`Ballot::ZERO`: none).
    pub promised: Ballot,
    /// Latest vote.
    pub accepted: Option<Vote>,
}

impl PaxosNode {
    fn record(&self) -> Write {
        Write::Acceptor { promised: self.acc.promised, accepted: self.acc.accepted.clone() }
    }

    fn nack(&mut self, ctx: &mut Ctx<'_>, to: NodeId, b: Ballot) {
        let promised = self.acc.promised;
        ctx.emit(Event::Nacked { b, promised });
        // A Nack promises nothing, so it need not wait for the disk.
        self.send(ctx, to, Msg::Nack { b, promised });
    }

    pub(crate) fn on_prepare(&mut self, ctx: &mut Ctx<'_>, from: NodeId, b: Ballot) {
        let promise = Msg::Promise { b, accepted: self.acc.accepted.clone() };
        if b > self.acc.promised {
            self.acc.promised = b;
            let event = Event::Promised { b, accepted: self.acc.accepted.clone() };
            let write = self.record();
            self.durably(ctx, Some(write), Deferred { sends: vec![(from, promise)], events: vec![event] });
        } else if b == self.acc.promised {
            // A duplicate (or a retransmission): promise again, once the
            // original promise is surely durable.
            self.durably(ctx, None, Deferred { sends: vec![(from, promise)], events: vec![] });
        } else {
            self.nack(ctx, from, b);
        }
    }

    pub(crate) fn on_accept(&mut self, ctx: &mut Ctx<'_>, from: NodeId, b: Ballot, v: Value) {
        if b < self.acc.promised && !self.cfg.broken {
            self.nack(ctx, from, b);
            return;
        }
        let vote = (b, v.clone());
        let duplicate = self.acc.accepted.as_ref() == Some(&vote);
        // The broken acceptor votes below its promise without raising it.
        self.acc.promised = self.acc.promised.max(b);
        self.acc.accepted = Some(vote);
        let mut to: Vec<NodeId> = self.cfg.learners.clone();
        let proposer = NodeId(b.node);
        if !to.contains(&proposer) {
            to.push(proposer);
        }
        let sends = to.into_iter().map(|n| (n, Msg::Accepted { b, v: v.clone() })).collect();
        if duplicate {
            self.durably(ctx, None, Deferred { sends, events: vec![] });
        } else {
            let write = self.record();
            self.durably(ctx, Some(write), Deferred { sends, events: vec![Event::AcceptedValue { b, v }] });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, Paxos, PaxosNode};
    use super::*;
    use actor::{Effect, Input, Instant, Node};

    fn acceptor() -> PaxosNode {
        let all = vec![NodeId(1), NodeId(2), NodeId(3)];
        let mut n = PaxosNode::new(Config::new(NodeId(1), all.clone(), all).acceptor());
        n.step(Instant::ZERO, Input::Boot { disk: vec![], life: 0 }, &mut vec![]);
        n
    }

    fn step(n: &mut PaxosNode, input: Input<Paxos>) -> Vec<Effect<Paxos>> {
        let mut out = vec![];
        n.step(Instant::ZERO, input, &mut out);
        out
    }

    fn sends(out: &[Effect<Paxos>]) -> Vec<(NodeId, Msg)> {
        out.iter()
            .filter_map(|e| if let Effect::SendDatagram { to, msg } = e { Some((*to, msg.clone())) } else { None })
            .collect()
    }

    fn token(out: &[Effect<Paxos>]) -> u64 {
        out.iter().find_map(|e| if let Effect::Sync { token } = e { Some(*token) } else { None }).unwrap_or(0)
    }

    const B1: Ballot = Ballot { round: 1, node: 11 };
    const B2: Ballot = Ballot { round: 2, node: 12 };

    #[test]
    fn a_promise_leaves_only_after_its_sync_and_duplicates_are_answered_again() {
        let mut n = acceptor();
        let out = step(&mut n, Input::Datagram { from: NodeId(11), msg: Msg::Prepare { b: B1 } });
        assert!(out.iter().any(|e| matches!(e, Effect::Write { .. })));
        assert!(sends(&out).is_empty(), "nothing before the sync");
        let out = step(&mut n, Input::Synced { token: token(&out) });
        assert_eq!(sends(&out), vec![(NodeId(11), Msg::Promise { b: B1, accepted: None })]);
        let out = step(&mut n, Input::Datagram { from: NodeId(11), msg: Msg::Prepare { b: B1 } });
        assert!(!out.iter().any(|e| matches!(e, Effect::Write { .. })), "a duplicate writes nothing");
        let out = step(&mut n, Input::Synced { token: token(&out) });
        assert_eq!(sends(&out), vec![(NodeId(11), Msg::Promise { b: B1, accepted: None })]);
    }

    #[test]
    fn an_accept_below_the_promise_is_refused_and_state_survives_a_reboot() {
        let mut n = acceptor();
        let out = step(&mut n, Input::Datagram { from: NodeId(12), msg: Msg::Prepare { b: B2 } });
        step(&mut n, Input::Synced { token: token(&out) });
        let out = step(&mut n, Input::Datagram { from: NodeId(11), msg: Msg::Accept { b: B1, v: "x".into() } });
        assert_eq!(sends(&out), vec![(NodeId(11), Msg::Nack { b: B1, promised: B2 })]);
        assert_eq!(n.accepted(), None);
        let disk = vec![Write::Acceptor { promised: B2, accepted: Some((B1, "y".into())) }];
        step(&mut n, Input::Boot { disk, life: 1 });
        assert_eq!(n.promised(), B2);
        assert_eq!(n.accepted(), Some(&(B1, "y".to_string())));
    }
}
