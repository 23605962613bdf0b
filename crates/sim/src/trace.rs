//! The trace: every send, delivery, drop, timer, durable write, sync, call,
//! reported event and fault, with its virtual time. Views are drawn from it,
//! checkers read it, tests hash it, users export it as JSON lines.

use crate::fault::Fault;
use actor::{CloseReason, ConnId, Instant, NodeId, Protocol};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// Why something did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The receiving side had closed the connection.
    Closed,
    /// The receiving node is down.
    NodeDown,
    /// The link was cut or partitioned (datagrams only: streams hold).
    Unreachable,
    /// The network lost it (datagrams only).
    Lost,
}

/// One thing that happened.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "snake_case", tag = "kind")]
pub enum Record<P: Protocol> {
    Boot {
        node: NodeId,
    },
    Connect {
        conn: ConnId,
        from: NodeId,
        to: NodeId,
    },
    Accept {
        conn: ConnId,
        node: NodeId,
        from: NodeId,
    },
    Closed {
        conn: ConnId,
        node: NodeId,
        reason: CloseReason,
    },
    /// A message went onto a stream; `arrive` is when it will be delivered,
    /// or `None` while the link is blocked.
    Send {
        conn: ConnId,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        arrive: Option<Instant>,
    },
    Deliver {
        conn: ConnId,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
    },
    /// A datagram was sent; `arrive` lists each copy's arrival (empty if lost).
    SendDatagram {
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        arrive: Vec<Instant>,
    },
    DeliverDatagram {
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
    },
    Drop {
        from: NodeId,
        to: NodeId,
        why: DropReason,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
    },
    Write {
        node: NodeId,
        write: P::Write,
    },
    Sync {
        node: NodeId,
        token: u64,
    },
    Synced {
        node: NodeId,
        token: u64,
    },
    Call {
        node: NodeId,
        call: P::Call,
    },
    Emit {
        node: NodeId,
        event: P::Event,
    },
    Fault {
        fault: Fault,
    },
}

/// Every event the nodes of a trace emitted: when, which node, what.
pub fn emitted<P: Protocol>(log: &[Entry<P>]) -> impl Iterator<Item = (Instant, NodeId, &P::Event)> + '_ {
    log.iter().filter_map(|e| match &e.what {
        Record::Emit { node, event } => Some((e.at, *node, event)),
        _ => None,
    })
}

/// An entry of the trace: when, and what.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Entry<P: Protocol> {
    pub at: Instant,
    #[serde(flatten)]
    pub what: Record<P>,
}

impl<P: Protocol> Entry<P> {
    /// One JSON line (no newline).
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// A stable hash of everything recorded: SHA-1 over each entry's postcard
/// bytes, the same natively and in wasm.
#[derive(Clone, Default)]
pub struct TraceHash {
    sha: Sha1,
    entries: u64,
}

/// The bytes an entry contributes to the hash. (The JSON form flattens the
/// record into the entry, which postcard cannot encode; the pair can.)
pub fn hash_bytes<P: Protocol>(e: &Entry<P>) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_allocvec(&(e.at, &e.what))
}

impl TraceHash {
    pub fn add<P: Protocol>(&mut self, e: &Entry<P>) {
        // Every record is encodable (a test holds it); should one not be,
        // its JSON still makes the hash depend on it.
        let bytes = hash_bytes(e).unwrap_or_else(|_| e.json_line().into_bytes());
        self.sha.update((bytes.len() as u64).to_le_bytes());
        self.sha.update(&bytes);
        self.entries += 1;
    }

    /// The hash so far, as 16 hex digits.
    pub fn hex(&self) -> String {
        let digest = self.sha.clone().finalize();
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    pub fn entries(&self) -> u64 {
        self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zab::{ClientEvent, ServerEvent, Zk, ZkCall, ZkEvent, ZkMsg};

    fn entries() -> Vec<Entry<Zk>> {
        let conn = ConnId::first(NodeId(101));
        let req = znode::Request::GetData { path: "/a".into(), watch: true };
        let what: Vec<Record<Zk>> = vec![
            Record::Boot { node: NodeId(1) },
            Record::Connect { conn, from: NodeId(101), to: NodeId(1) },
            Record::Accept { conn, node: NodeId(1), from: NodeId(101) },
            Record::Closed { conn, node: NodeId(1), reason: CloseReason::Reset },
            Record::Send {
                conn,
                from: NodeId(101),
                to: NodeId(1),
                msg: ZkMsg::Client(zab::wire::ClientMsg::Request { xid: 1, req: req.clone() }),
                arrive: Some(Instant(5)),
            },
            Record::Deliver {
                conn,
                from: NodeId(101),
                to: NodeId(1),
                msg: ZkMsg::Client(zab::wire::ClientMsg::Request { xid: 1, req: req.clone() }),
            },
            Record::Drop { from: NodeId(1), to: NodeId(2), why: DropReason::Lost },
            Record::Timer { node: NodeId(1), timer: zab::ZkTimer::Workload },
            Record::Sync { node: NodeId(1), token: 3 },
            Record::Synced { node: NodeId(1), token: 3 },
            Record::Call { node: NodeId(101), call: ZkCall::Console("ls /".into()) },
            Record::Emit { node: NodeId(101), event: ZkEvent::Client(ClientEvent::Invoked { tag: 1, req }) },
            Record::Emit { node: NodeId(1), event: ZkEvent::Server(ServerEvent::SessionExpired { session: 9 }) },
            Record::Fault { fault: Fault::Partition { groups: vec![vec![NodeId(1)], vec![NodeId(2)]] } },
        ];
        what.into_iter().enumerate().map(|(i, what)| Entry { at: Instant(i as u64), what }).collect()
    }

    #[test]
    fn every_record_encodes_for_the_hash() {
        for e in entries() {
            assert!(hash_bytes(&e).is_ok(), "{e:?}");
        }
    }

    #[test]
    fn the_hash_sees_content_and_order() {
        let es = entries();
        let hash = |v: &[Entry<Zk>]| {
            let mut h = TraceHash::default();
            v.iter().for_each(|e| h.add(e));
            h.hex()
        };
        let mut swapped = es.clone();
        swapped.swap(3, 4);
        let mut changed = es.clone();
        changed[0] = Entry { at: Instant(0), what: Record::Boot { node: NodeId(2) } };
        assert_ne!(hash(&es), hash(&swapped));
        assert_ne!(hash(&es), hash(&changed));
        assert_eq!(hash(&es), hash(&es.clone()));
    }
}
