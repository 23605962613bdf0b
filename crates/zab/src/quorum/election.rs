//! Fast Leader Election (`FastLeaderElection.lookForLeader`), event-driven:
//! notifications and timer expiries in, actions out. The receive queue,
//! the poll timeout with its backoff and the finalize wait are explicit
//! state; nothing here knows about connections.

use super::packet::{Notification, ServerState, Vote};
use actor::{Duration, Instant};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use znode::Zxid;

/// What the election asks its peer to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send this notification to every voter (this server included).
    Broadcast(Notification),
    /// Send one notification to one server.
    Send { to: u64, n: Notification },
    /// Try to connect to every server without a connection.
    ConnectAll,
    /// Arm the poll timer (nothing arrived for this long → rebroadcast).
    ArmPoll(Instant),
    /// Arm the finalize timer (nothing better within finalizeWait → decide).
    ArmFinalize(Instant),
    /// The election is over.
    Decide { state: ServerState, vote: Vote },
}

/// Timing of the election loop (`zookeeper.fastleader.*`).
#[derive(Clone, Copy, Debug)]
pub struct ElectionTiming {
    pub min_notification_interval: Duration,
    pub max_notification_interval: Duration,
    pub finalize_wait: Duration,
}

impl Default for ElectionTiming {
    fn default() -> Self {
        ElectionTiming {
            min_notification_interval: Duration::from_millis(200),
            max_notification_interval: Duration::from_millis(60_000),
            finalize_wait: Duration::from_millis(200),
        }
    }
}

/// A vote as counted: with the sender's state, which decides how equality
/// is judged (`Vote.equals`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Counted {
    vote: Vote,
    state: ServerState,
}

/// `Vote.equals`: when either side is LOOKING everything must match; two
/// settled votes (FOLLOWING/LEADING) agree on leader and peer epoch alone.
fn agrees(a: &Counted, b: &Counted) -> bool {
    if a.state == ServerState::Looking || b.state == ServerState::Looking {
        a.vote == b.vote
    } else {
        a.vote.leader == b.vote.leader && a.vote.peer_epoch == b.vote.peer_epoch
    }
}

/// The election state of one server.
#[derive(Clone, Debug)]
pub struct Election {
    me: u64,
    voters: BTreeSet<u64>,
    /// A voter here (observers are not).
    participant: bool,
    timing: ElectionTiming,
    /// The election round (`logicalclock`).
    pub logicalclock: u64,
    /// What this server currently proposes (its vote while LOOKING).
    pub proposal: Vote,
    /// Our own vote when the round started, to compare newer rounds with.
    initial: Vote,
    recvset: BTreeMap<u64, Counted>,
    outofelection: BTreeMap<u64, Counted>,
    queue: VecDeque<Notification>,
    not_timeout: Duration,
    finalizing: bool,
    looking: bool,
}

/// `Long.MIN_VALUE` as an unsigned id: the vote of a non-voter.
const NO_ONE: u64 = i64::MIN as u64;

impl Election {
    pub fn new(me: u64, voters: BTreeSet<u64>, timing: ElectionTiming) -> Self {
        let participant = voters.contains(&me);
        let none = Vote { leader: NO_ONE, zxid: NO_ONE, election_epoch: 0, peer_epoch: NO_ONE };
        Election {
            me,
            voters,
            participant,
            timing,
            logicalclock: 0,
            proposal: none,
            initial: none,
            recvset: BTreeMap::new(),
            outofelection: BTreeMap::new(),
            queue: VecDeque::new(),
            not_timeout: timing.min_notification_interval,
            finalizing: false,
            looking: false,
        }
    }

    pub fn is_looking(&self) -> bool {
        self.looking
    }

    /// The votes received in this round, by sender (for views).
    pub fn received(&self) -> Vec<(u64, Vote, ServerState)> {
        self.recvset.iter().chain(self.outofelection.iter()).map(|(s, c)| (*s, c.vote, c.state)).collect()
    }

    fn notification(&self) -> Notification {
        Notification {
            vote: Vote { election_epoch: self.logicalclock, ..self.proposal },
            state: ServerState::Looking,
            sid: self.me,
        }
    }

    /// `totalOrderPredicate`: (epoch, zxid, sid), and only voters may lead.
    pub fn beats(&self, new: &Vote, cur: &Vote) -> bool {
        if !self.voters.contains(&new.leader) {
            return false;
        }
        let key = |v: &Vote| (v.peer_epoch as i64, v.zxid as i64, v.leader as i64);
        key(new) > key(cur)
    }

    /// Start a round (`lookForLeader`): a new logical clock, our own vote,
    /// broadcast it.
    pub fn start(&mut self, now: Instant, last_zxid: Zxid, current_epoch: u64) -> Vec<Action> {
        self.looking = true;
        self.logicalclock += 1;
        self.initial = if self.participant {
            Vote { leader: self.me, zxid: last_zxid, election_epoch: self.logicalclock, peer_epoch: current_epoch }
        } else {
            Vote { leader: NO_ONE, zxid: NO_ONE, election_epoch: self.logicalclock, peer_epoch: NO_ONE }
        };
        self.proposal = self.initial;
        self.recvset.clear();
        self.outofelection.clear();
        self.queue.clear();
        self.finalizing = false;
        self.not_timeout = self.timing.min_notification_interval;
        vec![Action::Broadcast(self.notification()), Action::ArmPoll(now + self.not_timeout)]
    }

    /// The election ended some other way (the peer stopped looking).
    pub fn stop(&mut self) {
        self.looking = false;
        self.queue.clear();
        self.finalizing = false;
    }

    /// A notification arrived (`WorkerReceiver`). Returns the reply it
    /// calls for, and queues it for the loop if we are looking.
    /// `current` is the vote this server stands by when not looking (the
    /// decided one) and `state` its state.
    pub fn receive(&mut self, n: Notification, state: ServerState, current: Vote) -> Vec<Action> {
        let mut out = Vec::new();
        if !self.voters.contains(&n.sid) {
            // A non-voter (an observer): tell it what we think now.
            let vote = Vote { election_epoch: self.logicalclock, ..current };
            out.push(Action::Send { to: n.sid, n: Notification { vote, state, sid: self.me } });
            return out;
        }
        if self.looking {
            if n.state == ServerState::Looking && n.vote.election_epoch < self.logicalclock {
                out.push(Action::Send { to: n.sid, n: self.notification() });
            }
            self.queue.push_back(n);
        } else if n.state == ServerState::Looking {
            // Settled: answer with the vote we decided, from its round.
            out.push(Action::Send { to: n.sid, n: Notification { vote: current, state, sid: self.me } });
        }
        out
    }

    /// Our own notification loops back into our queue.
    pub fn receive_own(&mut self, n: Notification) {
        if self.looking {
            self.queue.push_back(n);
        }
    }

    /// Run the loop over what is queued.
    pub fn pump(&mut self, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        while self.looking {
            let Some(n) = self.queue.pop_front() else { break };
            if self.finalizing {
                if self.beats(&n.vote, &self.proposal) {
                    // Something better: back to the main loop with it.
                    self.finalizing = false;
                    self.queue.push_front(n);
                    continue;
                }
                // Anything else is discarded, and the wait starts over.
                out.push(Action::ArmFinalize(now + self.timing.finalize_wait));
                continue;
            }
            self.process(now, n, &mut out);
            if self.looking && !self.finalizing {
                out.push(Action::ArmPoll(now + self.not_timeout));
            }
        }
        out
    }

    /// The main loop's handling of one notification.
    fn process(&mut self, now: Instant, n: Notification, out: &mut Vec<Action>) {
        if !self.voters.contains(&n.sid) || !self.voters.contains(&n.vote.leader) {
            return;
        }
        match n.state {
            ServerState::Looking => {
                if n.vote.election_epoch > self.logicalclock {
                    self.logicalclock = n.vote.election_epoch;
                    self.recvset.clear();
                    let initial = Vote { election_epoch: self.logicalclock, ..self.initial };
                    self.proposal = if self.beats(&n.vote, &initial) { n.vote } else { initial };
                    out.push(Action::Broadcast(self.notification()));
                } else if n.vote.election_epoch < self.logicalclock {
                    return;
                } else if self.beats(&n.vote, &self.proposal) {
                    self.proposal = n.vote;
                    out.push(Action::Broadcast(self.notification()));
                }
                self.recvset.insert(n.sid, Counted { vote: n.vote, state: ServerState::Looking });
                let mine = Counted {
                    vote: Vote { election_epoch: self.logicalclock, ..self.proposal },
                    state: ServerState::Looking,
                };
                if self.quorum_agreeing(&self.recvset, &mine) {
                    self.finalizing = true;
                    out.push(Action::ArmFinalize(now + self.timing.finalize_wait));
                }
            }
            ServerState::Observing => {}
            ServerState::Following | ServerState::Leading => {
                let theirs = Counted { vote: n.vote, state: n.state };
                if n.vote.election_epoch == self.logicalclock {
                    self.recvset.insert(n.sid, theirs);
                    if self.quorum_agreeing(&self.recvset, &theirs)
                        && self.check_leader(&self.recvset, n.vote.leader, n.vote.election_epoch)
                    {
                        self.decide(n.vote, out);
                        return;
                    }
                }
                self.outofelection.insert(n.sid, theirs);
                if self.quorum_agreeing(&self.outofelection, &theirs)
                    && self.check_leader(&self.outofelection, n.vote.leader, n.vote.election_epoch)
                {
                    self.logicalclock = n.vote.election_epoch;
                    self.decide(n.vote, out);
                }
            }
        }
    }

    fn quorum_agreeing(&self, votes: &BTreeMap<u64, Counted>, target: &Counted) -> bool {
        let agreeing = votes.iter().filter(|(sid, c)| self.voters.contains(sid) && agrees(c, target)).count();
        agreeing * 2 > self.voters.len()
    }

    /// `checkLeader`: never follow a leader that does not say it leads, nor
    /// lead from an old round.
    fn check_leader(&self, votes: &BTreeMap<u64, Counted>, leader: u64, round: u64) -> bool {
        if leader != self.me {
            votes.get(&leader).is_some_and(|c| c.state == ServerState::Leading)
        } else {
            self.logicalclock == round
        }
    }

    fn decide(&mut self, vote: Vote, out: &mut Vec<Action>) {
        let state = if vote.leader == self.me {
            ServerState::Leading
        } else if self.participant {
            ServerState::Following
        } else {
            ServerState::Observing
        };
        let vote = Vote { election_epoch: self.logicalclock, ..vote };
        self.stop();
        out.push(Action::Decide { state, vote });
    }

    /// Nothing arrived within the poll timeout: rebroadcast if any peer is
    /// reachable (Java's quirk: *any* send queue empty), else reconnect;
    /// back off.
    pub fn poll_timeout(&mut self, now: Instant, any_connected: bool) -> Vec<Action> {
        if !self.looking || self.finalizing {
            return Vec::new();
        }
        let mut out = vec![if any_connected { Action::Broadcast(self.notification()) } else { Action::ConnectAll }];
        self.not_timeout = (self.not_timeout + self.not_timeout).min(self.timing.max_notification_interval);
        out.push(Action::ArmPoll(now + self.not_timeout));
        out
    }

    /// The finalize wait ran out with nothing better: decide.
    pub fn finalize_timeout(&mut self) -> Vec<Action> {
        if !self.looking || !self.finalizing {
            return Vec::new();
        }
        let mut out = Vec::new();
        self.decide(self.proposal, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voters(n: u64) -> BTreeSet<u64> {
        (1..=n).collect()
    }

    /// A tiny loopback network of elections, delivering broadcasts in
    /// order, with everyone starting at once.
    fn run(n: u64, zxids: &[(u64, Zxid)]) -> BTreeMap<u64, (ServerState, Vote)> {
        let mut e: BTreeMap<u64, Election> =
            (1..=n).map(|i| (i, Election::new(i, voters(n), ElectionTiming::default()))).collect();
        let mut wire: VecDeque<(u64, Notification)> = VecDeque::new();
        let mut decided = BTreeMap::new();
        let mut timers: Vec<(Instant, u64)> = Vec::new();
        let now = Instant::ZERO;
        for (i, el) in e.iter_mut() {
            let (ep, z) = zxids[(*i - 1) as usize];
            for a in el.start(now, z, ep) {
                match a {
                    Action::Broadcast(note) => (1..=n).for_each(|to| wire.push_back((to, note))),
                    Action::ArmFinalize(t) => timers.push((t, *i)),
                    _ => {}
                }
            }
        }
        for _ in 0..10_000 {
            let Some((to, note)) = wire.pop_front() else {
                // Quiet: the earliest finalize timer fires.
                timers.sort();
                let Some((_, id)) = timers.first().copied() else { break };
                timers.remove(0);
                if let Some(el) = e.get_mut(&id) {
                    for a in el.finalize_timeout() {
                        if let Action::Decide { state, vote } = a {
                            decided.insert(id, (state, vote));
                        }
                    }
                }
                continue;
            };
            let el = e.get_mut(&to).expect("a server");
            let (state, current) = decided.get(&to).copied().unwrap_or((ServerState::Looking, el.proposal));
            let mut acts = el.receive(note, state, current);
            acts.extend(el.pump(now));
            for a in acts {
                match a {
                    Action::Broadcast(x) => (1..=n).for_each(|t| wire.push_back((t, x))),
                    Action::Send { to, n: x } => wire.push_back((to, x)),
                    Action::ArmFinalize(t) => timers.push((t, to)),
                    Action::Decide { state, vote } => {
                        decided.insert(to, (state, vote));
                    }
                    _ => {}
                }
            }
        }
        decided
    }

    #[test]
    fn three_fresh_servers_elect_the_highest_sid() {
        let d = run(3, &[(0, 0), (0, 0), (0, 0)]);
        assert_eq!(d.len(), 3);
        assert_eq!(d[&3].0, ServerState::Leading);
        assert!(d.values().all(|(_, v)| v.leader == 3));
    }

    #[test]
    fn the_most_up_to_date_server_wins_epoch_first() {
        // Epoch beats zxid: server 1 has a newer epoch but fewer txns.
        let d = run(
            5,
            &[(4, 0x4_0000_0001), (3, 0x3_0000_0009), (3, 0x3_0000_0009), (3, 0x3_0000_0008), (3, 0x3_0000_0007)],
        );
        assert!(d.values().all(|(_, v)| v.leader == 1), "{d:?}");
        let d = run(
            5,
            &[(3, 0x3_0000_0007), (3, 0x3_0000_0009), (3, 0x3_0000_0009), (3, 0x3_0000_0008), (3, 0x3_0000_0001)],
        );
        assert!(d.values().all(|(_, v)| v.leader == 3), "ties in zxid go to the higher sid: {d:?}");
    }

    #[test]
    fn a_latecomer_follows_the_established_leader() {
        let mut late = Election::new(3, voters(3), ElectionTiming::default());
        late.start(Instant::ZERO, 0, 0);
        let settled = |sid, state| Notification {
            vote: Vote { leader: 2, zxid: 0, election_epoch: 1, peer_epoch: 0 },
            state,
            sid,
        };
        late.receive(settled(1, ServerState::Following), ServerState::Looking, late.proposal);
        assert!(
            late.pump(Instant::ZERO).iter().all(|a| !matches!(a, Action::Decide { .. })),
            "one vote is not a quorum"
        );
        late.receive(settled(2, ServerState::Leading), ServerState::Looking, late.proposal);
        let acts = late.pump(Instant::ZERO);
        assert!(
            acts.iter()
                .any(|a| matches!(a, Action::Decide { state: ServerState::Following, vote } if vote.leader == 2)),
            "{acts:?}"
        );
    }

    #[test]
    fn no_one_follows_a_leader_that_does_not_say_it_leads() {
        let mut e = Election::new(3, voters(3), ElectionTiming::default());
        e.start(Instant::ZERO, 0, 0);
        for sid in [1, 2] {
            let n = Notification {
                vote: Vote { leader: 2, zxid: 0, election_epoch: 1, peer_epoch: 0 },
                state: ServerState::Following,
                sid,
            };
            e.receive(n, ServerState::Looking, e.proposal);
        }
        assert!(e.pump(Instant::ZERO).iter().all(|a| !matches!(a, Action::Decide { .. })));
    }

    #[test]
    fn the_poll_timeout_backs_off_to_a_minute() {
        let mut e = Election::new(1, voters(3), ElectionTiming::default());
        e.start(Instant::ZERO, 0, 0);
        let mut last = Duration::ZERO;
        for i in 0..12 {
            let acts = e.poll_timeout(Instant(i), false);
            let Some(Action::ArmPoll(at)) = acts.last() else { panic!("{acts:?}") };
            last = at.saturating_since(Instant(i));
        }
        assert_eq!(last, Duration::from_millis(60_000));
    }
}
