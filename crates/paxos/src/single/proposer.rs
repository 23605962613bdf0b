//! The proposer (§11.2 phases 1a and 2a): a fresh ballot above any seen,
//! adopt the highest vote reported by a majority of promises, retry on a
//! Nack or a time-out — at once, or after a randomized exponential back-off.

use super::node::{Ctx, Deferred, PaxosNode};
use super::{Backoff, Event, Msg, Timer, Value, Vote, Write};
use crate::Ballot;
use actor::{Duration, Effect, NodeId};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::collections::BTreeSet;

/// Where a proposer is in its attempt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Phase {
    /// Nothing asked of it yet.
    #[default]
    Idle,
    /// Phase 1: Prepare(`b`) is out; collecting promises.
    Preparing { b: Ballot, promises: BTreeSet<NodeId>, highest: Option<Vote> },
    /// Phase 2: Accept(`b`, `v`) is out; collecting Accepted.
    Accepting { b: Ballot, v: Value, acks: BTreeSet<NodeId> },
    /// Backing off after ballot `failed` failed.
    Waiting { failed: Ballot },
    /// A majority accepted (`b`, `v`).
    Done { b: Ballot, v: Value },
    /// Out of attempts.
    GaveUp { b: Ballot },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct ProposerState {
    /// The highest ballot seen anywhere (own ones included).
    pub max_seen: Ballot,
    /// The client's value.
    pub value: Option<Value>,
    pub phase: Phase,
    /// Ballots started so far.
    pub attempts: u32,
    /// Back-off draws so far (the ChaCha8 stream index).
    pub draws: u64,
}

impl ProposerState {
    pub fn restore(&mut self, round: u64, me: NodeId) {
        self.max_seen = self.max_seen.max(Ballot { round, node: me.0 });
    }

    pub fn ballot(&self) -> Option<Ballot> {
        match &self.phase {
            Phase::Preparing { b, .. } | Phase::Accepting { b, .. } => Some(*b),
            _ => None,
        }
    }

    /// Whether a reply about ballot `b` (a Nack carrying `nack`) can no
    /// longer change this proposer: its ballot moved on for good.
    pub fn is_stale(&self, b: Ballot, nack: Option<Ballot>) -> bool {
        if matches!(self.phase, Phase::Done { .. }) {
            return true;
        }
        let live = self.ballot() == Some(b);
        !live && nack.is_none_or(|p| p <= self.max_seen)
    }
}

impl PaxosNode {
    pub(crate) fn on_propose(&mut self, ctx: &mut Ctx<'_>, v: Value) {
        if !self.cfg.proposer {
            return;
        }
        ctx.emit(Event::Requested { v: v.clone() });
        if self.prop.value.is_none() {
            self.prop.value = Some(v);
        }
        match self.prop.phase {
            Phase::Idle => self.start_phase1(ctx),
            Phase::GaveUp { .. } => {
                self.prop.attempts = 0;
                self.start_phase1(ctx);
            }
            _ => {}
        }
    }

    fn start_phase1(&mut self, ctx: &mut Ctx<'_>) {
        let last = self.prop.max_seen;
        if self.cfg.max_attempts.is_some_and(|max| self.prop.attempts >= max) {
            self.prop.phase = Phase::GaveUp { b: last };
            ctx.out.push(Effect::CancelTimer { timer: Timer::Retry });
            ctx.out.push(Effect::CancelTimer { timer: Timer::Backoff });
            ctx.emit(Event::GaveUp { b: last });
            return;
        }
        self.prop.attempts += 1;
        let b = Ballot::above(self.prop.max_seen, self.cfg.me);
        self.prop.max_seen = b;
        self.prop.phase = Phase::Preparing { b, promises: BTreeSet::new(), highest: None };
        let sends = self.cfg.acceptors.iter().map(|&a| (a, Msg::Prepare { b })).collect();
        // The round is durable before anyone sees it: a restarted proposer
        // never reuses a ballot.
        let later = Deferred { sends, events: vec![Event::Phase1 { b }] };
        self.durably(ctx, Some(Write::Proposer { round: b.round }), later);
        ctx.out.push(Effect::SetTimer { timer: Timer::Retry, at: ctx.now + self.cfg.retry_timeout });
    }

    pub(crate) fn on_promise(&mut self, ctx: &mut Ctx<'_>, from: NodeId, b: Ballot, accepted: Option<Vote>) {
        if !self.cfg.acceptors.contains(&from) {
            return;
        }
        let majority = self.cfg.majority();
        let Phase::Preparing { b: cur, promises, highest } = &mut self.prop.phase else { return };
        if *cur != b {
            return;
        }
        promises.insert(from);
        if let Some(vote) = accepted {
            if highest.as_ref().is_none_or(|h| vote.0 > h.0) {
                *highest = Some(vote);
            }
        }
        if promises.len() < majority {
            return;
        }
        let (v, adopted) = match (highest.take(), &self.prop.value) {
            (Some((_, v)), _) => (v, true),
            (None, Some(own)) => (own.clone(), false),
            (None, None) => return,
        };
        self.prop.phase = Phase::Accepting { b, v: v.clone(), acks: BTreeSet::new() };
        ctx.emit(Event::Proposing { b, v: v.clone(), adopted });
        for a in self.cfg.acceptors.clone() {
            self.send(ctx, a, Msg::Accept { b, v: v.clone() });
        }
        ctx.out.push(Effect::SetTimer { timer: Timer::Retry, at: ctx.now + self.cfg.retry_timeout });
    }

    pub(crate) fn on_nack(&mut self, ctx: &mut Ctx<'_>, b: Ballot, promised: Ballot) {
        self.prop.max_seen = self.prop.max_seen.max(promised);
        if self.prop.ballot() == Some(b) && promised > b {
            ctx.emit(Event::Preempted { b, by: promised });
            self.retry(ctx, b);
        }
    }

    pub(crate) fn on_accepted(&mut self, ctx: &mut Ctx<'_>, from: NodeId, b: Ballot, v: Value) {
        if !self.cfg.acceptors.contains(&from) {
            return;
        }
        let majority = self.cfg.majority();
        let Phase::Accepting { b: cur, acks, .. } = &mut self.prop.phase else { return };
        if *cur != b {
            return;
        }
        acks.insert(from);
        if acks.len() >= majority {
            self.prop.phase = Phase::Done { b, v: v.clone() };
            ctx.out.push(Effect::CancelTimer { timer: Timer::Retry });
            ctx.emit(Event::Succeeded { b, v });
        }
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match (timer, &self.prop.phase) {
            (Timer::Retry, Phase::Preparing { b, .. } | Phase::Accepting { b, .. }) => {
                let b = *b;
                ctx.emit(Event::TimedOut { b });
                self.retry(ctx, b);
            }
            (Timer::Backoff, Phase::Waiting { .. }) => self.start_phase1(ctx),
            _ => {}
        }
    }

    /// Ballot `failed` failed: start the next one, now or after a back-off.
    fn retry(&mut self, ctx: &mut Ctx<'_>, failed: Ballot) {
        match self.cfg.backoff {
            Backoff::None => {
                ctx.emit(Event::Retrying { b: failed, after_ms: 0 });
                self.start_phase1(ctx);
            }
            Backoff::Randomized { base_ms, max_ms } => {
                let doublings = self.prop.attempts.saturating_sub(1).min(30);
                let window = base_ms.saturating_mul(1 << doublings).min(max_ms).max(1);
                let after_ms = 1 + self.draw() % window;
                self.prop.phase = Phase::Waiting { failed };
                ctx.out.push(Effect::CancelTimer { timer: Timer::Retry });
                ctx.out.push(Effect::SetTimer { timer: Timer::Backoff, at: ctx.now + Duration::from_millis(after_ms) });
                ctx.emit(Event::Retrying { b: failed, after_ms });
            }
        }
    }

    /// The next back-off draw: ChaCha8 seeded by the node's seed, one
    /// stream per (life, draw) so a draw never depends on a clock.
    fn draw(&mut self) -> u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(self.cfg.seed);
        rng.set_stream((u64::from(self.life) << 32) | self.prop.draws);
        self.prop.draws += 1;
        rng.next_u64()
    }
}
