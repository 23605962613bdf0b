//! Messages on the wire, for the cluster view to draw moving along their
//! links: each send with when it left and when it will arrive, until it is
//! delivered, and a count of everything sent by kind.

use actor::{ConnId, Instant, NodeId};
use std::collections::{BTreeMap, VecDeque};
use zab::quorum::packet::{ElectionMsg, QuorumPacket};
use zab::wire::{ClientMsg, ServerMsg};
use zab::ZkMsg;

/// At most this many messages are drawn in flight.
const KEEP: usize = 400;

/// What a message is, for its colour and legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Vote,
    Discovery,
    Sync,
    Proposal,
    Ack,
    Commit,
    Ping,
    Forward,
    Client,
    Reply,
    Watch,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Vote,
        Kind::Discovery,
        Kind::Sync,
        Kind::Proposal,
        Kind::Ack,
        Kind::Commit,
        Kind::Ping,
        Kind::Forward,
        Kind::Client,
        Kind::Reply,
        Kind::Watch,
    ];

    /// The CSS class suffix and legend word.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Vote => "vote",
            Kind::Discovery => "discovery",
            Kind::Sync => "sync",
            Kind::Proposal => "proposal",
            Kind::Ack => "ack",
            Kind::Commit => "commit",
            Kind::Ping => "ping",
            Kind::Forward => "forward",
            Kind::Client => "request",
            Kind::Reply => "reply",
            Kind::Watch => "watch",
        }
    }

    pub fn of(m: &ZkMsg) -> Kind {
        match m {
            ZkMsg::Election(ElectionMsg::Notification(_) | ElectionMsg::Hello { .. }) => Kind::Vote,
            ZkMsg::Quorum(q) => match q {
                QuorumPacket::FollowerInfo { .. }
                | QuorumPacket::ObserverInfo { .. }
                | QuorumPacket::LeaderInfo { .. }
                | QuorumPacket::AckEpoch { .. } => Kind::Discovery,
                QuorumPacket::Diff { .. }
                | QuorumPacket::Trunc { .. }
                | QuorumPacket::Snap(_)
                | QuorumPacket::NewLeader { .. }
                | QuorumPacket::UpToDate => Kind::Sync,
                QuorumPacket::Proposal(_) => Kind::Proposal,
                QuorumPacket::Ack { .. } => Kind::Ack,
                QuorumPacket::Commit { .. } | QuorumPacket::Inform(_) => Kind::Commit,
                QuorumPacket::Ping { .. } => Kind::Ping,
                QuorumPacket::Request(_) | QuorumPacket::Revalidate { .. } | QuorumPacket::Sync => Kind::Forward,
            },
            ZkMsg::Client(ClientMsg::Request { req: znode::Request::Ping, .. }) => Kind::Ping,
            ZkMsg::Client(_) => Kind::Client,
            ZkMsg::Server(ServerMsg::Notification(_)) => Kind::Watch,
            ZkMsg::Server(ServerMsg::Reply { xid: -2, .. }) => Kind::Ping,
            ZkMsg::Server(_) => Kind::Reply,
        }
    }
}

/// A short label for a message (`PROPOSAL 0x100000003`, `vote 3`).
pub fn label(m: &ZkMsg) -> String {
    match m {
        ZkMsg::Election(ElectionMsg::Notification(n)) => {
            format!("vote for {} (0x{:x}, epoch {})", n.vote.leader, n.vote.zxid, n.vote.peer_epoch)
        }
        ZkMsg::Election(ElectionMsg::Hello { sid }) => format!("hello from {sid}"),
        ZkMsg::Quorum(q) => match q {
            QuorumPacket::Proposal(t) | QuorumPacket::Inform(t) => format!("{} 0x{:x}", q.name(), t.header.zxid),
            QuorumPacket::Ack { zxid }
            | QuorumPacket::Commit { zxid }
            | QuorumPacket::Diff { zxid }
            | QuorumPacket::Trunc { zxid }
            | QuorumPacket::NewLeader { zxid }
            | QuorumPacket::LeaderInfo { zxid } => format!("{} 0x{zxid:x}", q.name()),
            other => other.name().to_string(),
        },
        other => other.kind_name().to_string(),
    }
}

/// The whole message, for the space-time diagram's inspector (a
/// snapshot only by its size: it holds the whole tree).
fn detail(m: &ZkMsg) -> String {
    const MAX: usize = 1500;
    if let ZkMsg::Quorum(QuorumPacket::Snap(_)) = m {
        return "SNAP: the leader's whole database (tree, sessions, history digest)".to_string();
    }
    let mut s = format!("{m:?}");
    if s.len() > MAX {
        let cut = (0..=MAX).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlight {
    pub conn: ConnId,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: Kind,
    pub label: String,
    pub sent: Instant,
    /// `None` while its link holds it (partitioned or cut).
    pub arrive: Option<Instant>,
}

/// How many messages the space-time diagram remembers.
const HISTORY: usize = 6000;

/// A message as the space-time diagram draws it: an arrow from its
/// sender's lane at `sent` to its receiver's at `delivered`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// Its number, counting every message sent.
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: Kind,
    pub label: String,
    /// The whole message, for the inspector.
    pub detail: String,
    pub sent: Instant,
    /// When it was delivered (`None`: not yet, or never).
    pub delivered: Option<Instant>,
    /// When its connection closed before it arrived: it never will.
    pub lost: Option<Instant>,
}

#[derive(Clone, Debug, Default)]
pub struct Messages {
    pub in_flight: VecDeque<InFlight>,
    /// The most recent messages, oldest first, with consecutive ids.
    pub history: VecDeque<Arrow>,
    next_id: u64,
    /// Per connection and direction, the ids not yet delivered, in order.
    undelivered: BTreeMap<(ConnId, NodeId), VecDeque<u64>>,
    pub sent: BTreeMap<Kind, u64>,
    pub delivered: u64,
    pub dropped: u64,
}

impl Messages {
    pub fn sent(&mut self, at: Instant, conn: ConnId, from: NodeId, to: NodeId, msg: &ZkMsg, arrive: Option<Instant>) {
        let kind = Kind::of(msg);
        *self.sent.entry(kind).or_default() += 1;
        let label = label(msg);
        self.in_flight.push_back(InFlight { conn, from, to, kind, label: label.clone(), sent: at, arrive });
        while self.in_flight.len() > KEEP {
            self.in_flight.pop_front();
        }
        let id = self.next_id;
        self.next_id += 1;
        let detail = detail(msg);
        self.history.push_back(Arrow { id, from, to, kind, label, detail, sent: at, delivered: None, lost: None });
        self.undelivered.entry((conn, from)).or_default().push_back(id);
        while self.history.len() > HISTORY {
            self.history.pop_front();
        }
    }

    /// A connection ended: what it still carried will never arrive.
    pub fn closed(&mut self, at: Instant, conn: ConnId) {
        let first = self.history.front().map_or(0, |a| a.id);
        let gone: Vec<u64> = self
            .undelivered
            .iter()
            .filter(|((c, _), _)| *c == conn)
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        self.undelivered.retain(|(c, _), _| *c != conn);
        for id in gone {
            if let Some(a) = id.checked_sub(first).and_then(|i| self.history.get_mut(i as usize)) {
                a.lost = Some(at);
            }
        }
    }

    /// The remembered message with this id.
    pub fn arrow(&self, id: u64) -> Option<&Arrow> {
        let first = self.history.front()?.id;
        self.history.get(usize::try_from(id.checked_sub(first)?).ok()?)
    }

    /// The oldest message on that connection in that direction arrived.
    pub fn delivered(&mut self, at: Instant, conn: ConnId, from: NodeId) {
        self.delivered += 1;
        if let Some(q) = self.undelivered.get_mut(&(conn, from)) {
            if let Some(id) = q.pop_front() {
                if let Some(first) = self.history.front().map(|a| a.id) {
                    if let Some(a) = id.checked_sub(first).and_then(|i| self.history.get_mut(i as usize)) {
                        a.delivered = Some(at);
                    }
                }
            }
            if q.is_empty() {
                self.undelivered.remove(&(conn, from));
            }
        }
        if let Some(i) = self.in_flight.iter().position(|m| m.conn == conn && m.from == from) {
            self.in_flight.remove(i);
        }
    }

    /// Forget what should have arrived long ago (dropped on a closed
    /// connection, say) so the view stays honest.
    pub fn expire(&mut self, now: Instant) {
        let grace = actor::Duration::from_secs(1);
        self.in_flight.retain(|m| m.arrive.is_none_or(|a| a + grace >= now));
    }

    /// Messages to draw at `now`, with how far along each is (0..=1; held
    /// ones wait halfway).
    pub fn positions(&self, now: Instant) -> Vec<(&InFlight, f64)> {
        self.in_flight
            .iter()
            .filter(|m| m.sent <= now)
            .filter_map(|m| match m.arrive {
                None => Some((m, 0.5)),
                Some(a) if a <= now => None,
                Some(a) => {
                    let total = a.saturating_since(m.sent).as_micros().max(1) as f64;
                    Some((m, now.saturating_since(m.sent).as_micros() as f64 / total))
                }
            })
            .collect()
    }
}
