//! The node: one struct for all three roles, its durable-reply plumbing
//! (write → sync → send) and input dispatch.

use super::acceptor::AcceptorState;
use super::learner::LearnerState;
use super::proposer::ProposerState;
use super::{Call, Config, Event, Msg, Paxos, Write};
use actor::{Effect, Effects, Input, Instant, Node, NodeId};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What waits for a sync: datagrams and events that must not leave before
/// the state they report is durable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Deferred {
    pub sends: Vec<(NodeId, Msg)>,
    pub events: Vec<Event>,
}

/// A single-decree Paxos process: proposer, acceptor and/or learner.
///
/// Clone + Hash + Eq (all state in `BTreeMap`/`Vec`), so the model checker
/// can store and deduplicate whole states. The configuration is shared and
/// fixed, so `Hash` covers only `me` of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaxosNode {
    pub(crate) cfg: Arc<Config>,
    pub(crate) life: u32,
    pub(crate) acc: AcceptorState,
    pub(crate) prop: ProposerState,
    pub(crate) learn: LearnerState,
    next_token: u64,
    /// Replies waiting for `Synced{token}`, by token.
    deferred: BTreeMap<u64, Deferred>,
    /// Messages to itself, handled before `step` returns (always empty
    /// between steps).
    loopback: Vec<Msg>,
}

impl Hash for PaxosNode {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.cfg.me.hash(h);
        self.life.hash(h);
        self.acc.hash(h);
        self.prop.hash(h);
        self.learn.hash(h);
        self.next_token.hash(h);
        self.deferred.hash(h);
    }
}

/// The effects buffer plus the node's clock for one step.
pub(crate) struct Ctx<'a> {
    pub now: Instant,
    pub out: &'a mut Effects<Paxos>,
}

impl Ctx<'_> {
    pub fn emit(&mut self, event: Event) {
        self.out.push(Effect::Emit { event });
    }
}

impl PaxosNode {
    pub fn new(cfg: Config) -> Self {
        Self::fresh(Arc::new(cfg), 0)
    }

    /// A process that knows only its set-up: what a boot starts from.
    fn fresh(cfg: Arc<Config>, life: u32) -> Self {
        PaxosNode {
            cfg,
            life,
            acc: AcceptorState::default(),
            prop: ProposerState::default(),
            learn: LearnerState::default(),
            next_token: 0,
            deferred: BTreeMap::new(),
            loopback: Vec::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }
    pub fn me(&self) -> NodeId {
        self.cfg.me
    }
    /// The acceptor's promise (`Ballot::ZERO`: none).
    pub fn promised(&self) -> crate::Ballot {
        self.acc.promised
    }
    /// The acceptor's vote.
    pub fn accepted(&self) -> Option<&super::Vote> {
        self.acc.accepted.as_ref()
    }
    /// What this learner learned.
    pub fn chosen(&self) -> Option<&super::Vote> {
        self.learn.chosen.as_ref()
    }
    /// The proposer's phase, for views: `idle`, `preparing`, `accepting`,
    /// `backing-off`, `done` or `gave-up`.
    pub fn proposer_phase(&self) -> &'static str {
        use super::proposer::Phase;
        match self.prop.phase {
            Phase::Idle => "idle",
            Phase::Preparing { .. } => "preparing",
            Phase::Accepting { .. } => "accepting",
            Phase::Waiting { .. } => "backing-off",
            Phase::Done { .. } => "done",
            Phase::GaveUp { .. } => "gave-up",
        }
    }

    /// The proposer's current ballot, if it is working on one.
    pub fn ballot(&self) -> Option<crate::Ballot> {
        self.prop.ballot()
    }

    /// Forget the sync-token counter when nothing waits for a sync (the
    /// model checker's canonical form: tokens only pair syncs with replies).
    pub(crate) fn needs_settle(&self) -> bool {
        self.deferred.is_empty() && self.next_token != 0
    }

    pub(crate) fn settle(&mut self) {
        if self.deferred.is_empty() {
            self.next_token = 0;
        }
    }

    /// Send a datagram (to itself: handled within this step).
    pub(crate) fn send(&mut self, ctx: &mut Ctx<'_>, to: NodeId, msg: Msg) {
        if to == self.cfg.me {
            self.loopback.push(msg);
        } else {
            ctx.out.push(Effect::SendDatagram { to, msg });
        }
    }

    /// Write `write` (if any), sync, and release `later` once synced.
    pub(crate) fn durably(&mut self, ctx: &mut Ctx<'_>, write: Option<Write>, later: Deferred) {
        if let Some(write) = write {
            ctx.out.push(Effect::Write { write });
        }
        self.next_token += 1;
        let token = self.next_token;
        self.deferred.insert(token, later);
        ctx.out.push(Effect::Sync { token });
    }

    fn synced(&mut self, ctx: &mut Ctx<'_>, token: u64) {
        // A sync covers every earlier write, so it releases earlier tokens.
        let rest = self.deferred.split_off(&(token + 1));
        let done = std::mem::replace(&mut self.deferred, rest);
        for (_, d) in done {
            for (to, msg) in d.sends {
                self.send(ctx, to, msg);
            }
            for e in d.events {
                ctx.emit(e);
            }
        }
    }

    fn boot(&mut self, ctx: &mut Ctx<'_>, disk: Vec<Write>, life: u32) {
        *self = PaxosNode::fresh(Arc::clone(&self.cfg), life);
        for w in disk {
            match w {
                Write::Acceptor { promised, accepted } => {
                    self.acc = AcceptorState { promised, accepted };
                }
                Write::Proposer { round } => self.prop.restore(round, self.cfg.me),
            }
        }
        if self.cfg.acceptor {
            ctx.emit(Event::Restored { promised: self.acc.promised, accepted: self.acc.accepted.clone() });
        }
    }

    fn datagram(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Prepare { b } if self.cfg.acceptor => self.on_prepare(ctx, from, b),
            Msg::Accept { b, v } if self.cfg.acceptor => self.on_accept(ctx, from, b, v),
            Msg::Promise { b, accepted } if self.cfg.proposer => self.on_promise(ctx, from, b, accepted),
            Msg::Nack { b, promised } if self.cfg.proposer => self.on_nack(ctx, b, promised),
            Msg::Accepted { b, v } => {
                if self.cfg.learner {
                    self.on_learn(ctx, from, b, v.clone());
                }
                if self.cfg.proposer {
                    self.on_accepted(ctx, from, b, v);
                }
            }
            _ => {}
        }
    }

    /// Whether delivering `msg` here can never change anything again (the
    /// model checker drops such messages to keep its state space small).
    pub fn is_stale(&self, msg: &Msg) -> bool {
        match msg {
            Msg::Prepare { .. } | Msg::Accept { .. } => !self.cfg.acceptor,
            Msg::Promise { b, .. } => !self.cfg.proposer || self.prop.is_stale(*b, None),
            Msg::Nack { b, promised } => !self.cfg.proposer || self.prop.is_stale(*b, Some(*promised)),
            Msg::Accepted { b, .. } => {
                (!self.cfg.learner || self.learn.chosen.is_some())
                    && (!self.cfg.proposer || self.prop.is_stale(*b, None))
            }
        }
    }
}

impl Node for PaxosNode {
    type P = Paxos;

    fn step(&mut self, now: Instant, input: Input<Paxos>, out: &mut Effects<Paxos>) {
        let mut ctx = Ctx { now, out };
        match input {
            Input::Boot { disk, life } => self.boot(&mut ctx, disk, life),
            Input::Datagram { from, msg } => self.datagram(&mut ctx, from, msg),
            Input::Timer(t) => self.on_timer(&mut ctx, t),
            Input::Synced { token } => self.synced(&mut ctx, token),
            Input::Call(Call::Propose(v)) => self.on_propose(&mut ctx, v),
            // Single-decree Paxos uses datagrams only.
            Input::Accepted { .. } | Input::Connected { .. } | Input::Closed { .. } | Input::Received { .. } => {}
        }
        let me = self.cfg.me;
        while !self.loopback.is_empty() {
            let msgs = std::mem::take(&mut self.loopback);
            for msg in msgs {
                self.datagram(&mut ctx, me, msg);
            }
        }
    }
}
