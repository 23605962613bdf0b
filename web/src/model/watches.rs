//! Watches: every watch a session has registered (from the servers'
//! reports) and every event delivered, with the transaction that fired it.

use actor::{Instant, NodeId};
use std::collections::{BTreeMap, VecDeque};
use znode::{EventType, SessionId, WatchedEvent, WatcherType, Zxid};

/// How many delivered events are kept.
const KEEP: usize = 1000;

/// A watch a session holds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Registered {
    pub session: SessionId,
    pub path: String,
    /// `data`, `child`, `persistent` or `persistent_recursive`.
    pub kind: String,
}

/// A notification a server sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivered {
    pub at: Instant,
    pub server: NodeId,
    pub session: SessionId,
    pub event: WatchedEvent,
    /// The transaction that fired it.
    pub zxid: Zxid,
    pub txn: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Watches {
    /// With where each was set and when.
    pub registered: BTreeMap<Registered, (NodeId, Instant)>,
    pub delivered: VecDeque<Delivered>,
}

fn kind_of(t: WatcherType) -> &'static str {
    match t {
        WatcherType::Data => "data",
        WatcherType::Children => "child",
        WatcherType::Any => "any",
    }
}

impl Watches {
    pub fn added(&mut self, at: Instant, server: NodeId, session: SessionId, path: &str, kind: &str) {
        let r = Registered { session, path: path.to_string(), kind: kind.to_string() };
        self.registered.insert(r, (server, at));
    }

    pub fn removed(&mut self, session: SessionId, path: &str, kind: WatcherType) {
        let k = kind_of(kind);
        self.registered.retain(|r, _| !(r.session == session && r.path == path && (k == "any" || r.kind == k)));
    }

    /// A session is gone: so are its watches.
    pub fn session_gone(&mut self, session: SessionId) {
        self.registered.retain(|r, _| r.session != session);
    }

    pub fn notified(&mut self, d: Delivered) {
        // One-shot watches are used up by the event that fires them.
        if let Some(path) = d.event.path.as_deref() {
            let (data, child) = match d.event.kind {
                EventType::NodeDataChanged | EventType::NodeCreated => (true, false),
                EventType::NodeChildrenChanged => (false, true),
                EventType::NodeDeleted => (true, true),
                _ => (false, false),
            };
            self.registered.retain(|r, _| {
                !(r.session == d.session
                    && r.path == path
                    && ((data && r.kind == "data") || (child && r.kind == "child")))
            });
        }
        self.delivered.push_back(d);
        while self.delivered.len() > KEEP {
            self.delivered.pop_front();
        }
    }
}
