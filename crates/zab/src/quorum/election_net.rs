//! The election's connections (`QuorumCnxManager`): one per pair of
//! servers, and only the one the larger sid initiated survives — a smaller
//! sid that dials sends its id and hangs up, and the larger dials back. Each
//! peer has a one-message queue (a newer notification replaces an unsent
//! one), and the last message is sent again on every new connection.

use super::packet::{ElectionMsg, Notification};
use crate::wire::{Zk, ZkMsg};
use actor::{ConnId, Duration, Effect, Effects, Instant, NodeId};
use std::collections::{BTreeMap, BTreeSet};

/// A connection this server opened, not yet through its handshake.
#[derive(Clone, Copy, Debug)]
struct Dialing {
    to: u64,
    since: Instant,
}

/// The election connections of one server.
#[derive(Clone, Debug)]
pub struct ElectionNet {
    me: u64,
    peers: BTreeSet<u64>,
    /// Established connections by peer sid.
    by_peer: BTreeMap<u64, ConnId>,
    dialing: BTreeMap<ConnId, Dialing>,
    /// Accepted connections whose handshake has not arrived.
    accepted: BTreeSet<ConnId>,
    /// The latest notification for each peer (sent or waiting).
    latest: BTreeMap<u64, Notification>,
    cnx_timeout: Duration,
}

fn send(out: &mut Effects<Zk>, conn: ConnId, msg: ElectionMsg) {
    out.push(Effect::Send { conn, msg: ZkMsg::Election(msg) });
}

impl ElectionNet {
    pub fn new(me: u64, peers: BTreeSet<u64>, cnx_timeout: Duration) -> Self {
        ElectionNet {
            me,
            peers,
            by_peer: BTreeMap::new(),
            dialing: BTreeMap::new(),
            accepted: BTreeSet::new(),
            latest: BTreeMap::new(),
            cnx_timeout,
        }
    }

    /// Whether this connection belongs to the election.
    pub fn owns(&self, conn: ConnId) -> bool {
        self.dialing.contains_key(&conn) || self.accepted.contains(&conn) || self.by_peer.values().any(|c| *c == conn)
    }

    /// Whether any peer is connected (`haveDelivered`, roughly).
    pub fn any_connected(&self) -> bool {
        !self.by_peer.is_empty()
    }

    pub fn connected(&self) -> Vec<u64> {
        self.by_peer.keys().copied().collect()
    }

    /// Send a notification to a peer: now if connected, else remembered and
    /// a connection started.
    pub fn send(
        &mut self,
        to: u64,
        n: Notification,
        now: Instant,
        next_conn: &mut dyn FnMut() -> ConnId,
        out: &mut Effects<Zk>,
    ) {
        self.latest.insert(to, n);
        match self.by_peer.get(&to) {
            Some(&conn) => send(out, conn, ElectionMsg::Notification(n)),
            None => self.dial(to, now, next_conn, out),
        }
    }

    fn dial(&mut self, to: u64, now: Instant, next_conn: &mut dyn FnMut() -> ConnId, out: &mut Effects<Zk>) {
        if !self.peers.contains(&to) || self.by_peer.contains_key(&to) {
            return;
        }
        // A dial that got no answer within cnxTimeout is given up.
        let stale: Vec<ConnId> = self
            .dialing
            .iter()
            .filter(|(_, d)| d.to == to && now.saturating_since(d.since) >= self.cnx_timeout)
            .map(|(c, _)| *c)
            .collect();
        for c in stale {
            self.dialing.remove(&c);
            out.push(Effect::Close { conn: c });
        }
        if self.dialing.values().any(|d| d.to == to) {
            return;
        }
        let conn = next_conn();
        self.dialing.insert(conn, Dialing { to, since: now });
        out.push(Effect::Connect { conn, to: NodeId(to as u32) });
    }

    /// `connectAll`: dial every peer without a connection.
    pub fn connect_all(&mut self, now: Instant, next_conn: &mut dyn FnMut() -> ConnId, out: &mut Effects<Zk>) {
        for to in self.peers.clone() {
            self.dial(to, now, next_conn, out);
        }
    }

    /// A connection we opened is up: introduce ourselves. Toward a larger
    /// sid we hang up at once and wait for it to dial back.
    pub fn connected_out(&mut self, conn: ConnId, out: &mut Effects<Zk>) -> bool {
        let Some(d) = self.dialing.remove(&conn) else { return false };
        send(out, conn, ElectionMsg::Hello { sid: self.me });
        if d.to > self.me {
            out.push(Effect::Close { conn });
        } else {
            self.establish(d.to, conn, out);
        }
        true
    }

    /// A connection was accepted; it is an election connection if its first
    /// message is a `Hello`.
    pub fn accepted(&mut self, conn: ConnId) {
        self.accepted.insert(conn);
    }

    /// The handshake on an accepted connection: keep it if the dialer's sid
    /// is larger, else hang up and dial back.
    pub fn hello(
        &mut self,
        conn: ConnId,
        sid: u64,
        now: Instant,
        next_conn: &mut dyn FnMut() -> ConnId,
        out: &mut Effects<Zk>,
    ) {
        self.accepted.remove(&conn);
        if sid == self.me || !self.peers.contains(&sid) {
            out.push(Effect::Close { conn });
            return;
        }
        if sid < self.me {
            out.push(Effect::Close { conn });
            // It dialled, so whatever connection we think we have to it is
            // dead (it restarted): drop it before dialling back.
            if let Some(old) = self.by_peer.remove(&sid) {
                out.push(Effect::Close { conn: old });
            }
            self.dial(sid, now, next_conn, out);
        } else {
            self.establish(sid, conn, out);
        }
    }

    fn establish(&mut self, sid: u64, conn: ConnId, out: &mut Effects<Zk>) {
        if let Some(old) = self.by_peer.insert(sid, conn) {
            if old != conn {
                out.push(Effect::Close { conn: old });
            }
        }
        if let Some(n) = self.latest.get(&sid) {
            send(out, conn, ElectionMsg::Notification(*n));
        }
    }

    /// The peer a notification came from, by its connection.
    pub fn peer_of(&self, conn: ConnId) -> Option<u64> {
        self.by_peer.iter().find(|(_, c)| **c == conn).map(|(s, _)| *s)
    }

    /// A connection ended (or a dial failed).
    pub fn closed(&mut self, conn: ConnId) -> bool {
        let mine = self.owns(conn);
        self.dialing.remove(&conn);
        self.accepted.remove(&conn);
        self.by_peer.retain(|_, c| *c != conn);
        mine
    }

    /// Forget every connection (a restart).
    pub fn reset(&mut self) {
        self.by_peer.clear();
        self.dialing.clear();
        self.accepted.clear();
        self.latest.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quorum::packet::{ServerState, Vote};

    fn n() -> Notification {
        Notification {
            vote: Vote { leader: 1, zxid: 0, election_epoch: 1, peer_epoch: 0 },
            state: ServerState::Looking,
            sid: 1,
        }
    }

    #[test]
    fn only_the_larger_sid_keeps_a_connection() {
        let mut seq = 0;
        let mut next = move || {
            seq += 1;
            ConnId { opener: NodeId(1), life: 0, seq }
        };
        let mut small = ElectionNet::new(1, [2].into(), Duration::from_secs(5));
        let mut out = Vec::new();
        small.send(2, n(), Instant::ZERO, &mut next, &mut out);
        assert!(matches!(out[0], Effect::Connect { .. }));
        let conn = ConnId { opener: NodeId(1), life: 0, seq: 1 };
        out.clear();
        small.connected_out(conn, &mut out);
        assert!(matches!(&out[..], [Effect::Send { .. }, Effect::Close { .. }]), "hello, then hang up: {out:?}");
        assert!(!small.any_connected());

        let mut large = ElectionNet::new(2, [1].into(), Duration::from_secs(5));
        let mut out = Vec::new();
        large.accepted(conn);
        let mut seq2 = 0;
        let mut next2 = move || {
            seq2 += 1;
            ConnId { opener: NodeId(2), life: 0, seq: seq2 }
        };
        large.hello(conn, 1, Instant::ZERO, &mut next2, &mut out);
        assert!(matches!(&out[..], [Effect::Close { .. }, Effect::Connect { .. }]), "the larger dials back: {out:?}");

        // The dial-back is accepted by the smaller sid and kept; the queued
        // notification goes out at once.
        let back = ConnId { opener: NodeId(2), life: 0, seq: 1 };
        small.accepted(back);
        let mut out = Vec::new();
        small.hello(back, 2, Instant::ZERO, &mut next, &mut out);
        assert_eq!(small.connected(), vec![2]);
        assert!(matches!(&out[..], [Effect::Send { .. }]), "{out:?}");
    }
}
