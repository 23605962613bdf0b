//! A server's client connections (`ServerCnxn`): session binding, auth ids,
//! watcher identity and the counters the four-letter words report.

use actor::ConnId;
use std::collections::BTreeMap;
use znode::java_hash::concurrent_set_order;
use znode::{Id, SessionId, WatcherId};

/// One client connection.
#[derive(Clone, Debug)]
pub struct ClientCnxn {
    pub conn: ConnId,
    pub watcher: WatcherId,
    /// The remote address the socket reports.
    pub addr: String,
    /// Set once the connect handshake names a session.
    pub session: Option<SessionId>,
    pub timeout_ms: i32,
    /// Ids in the order they were added; Java iterates them in hash order.
    auth: Vec<Id>,
    pub established_ms: u64,
    /// What `cons` reports of it.
    pub stats: super::stats::ConnectionStats,
}

impl ClientCnxn {
    /// `getAuthInfo()`: the ids in the iteration order of the
    /// `ConcurrentHashMap`-backed set Java keeps them in.
    pub fn auth_info(&self) -> Vec<Id> {
        let hashes: Vec<i32> = self.auth.iter().map(Id::java_hash).collect();
        concurrent_set_order(&hashes).into_iter().map(|i| self.auth[i].clone()).collect()
    }

    /// `addAuthInfo`: a set, so an id already held is not added twice.
    pub fn add_auth(&mut self, id: Id) {
        if !self.auth.contains(&id) {
            self.auth.push(id);
        }
    }
}

/// Every client connection of one server.
#[derive(Clone, Debug, Default)]
pub struct Cnxns {
    by_conn: BTreeMap<ConnId, ClientCnxn>,
    by_watcher: BTreeMap<WatcherId, ConnId>,
    next_watcher: u64,
}

impl Cnxns {
    pub fn accept(&mut self, conn: ConnId, now_ms: u64) {
        self.next_watcher += 1;
        let watcher = WatcherId(self.next_watcher);
        self.by_watcher.insert(watcher, conn);
        self.by_conn.insert(
            conn,
            ClientCnxn {
                conn,
                watcher,
                addr: String::new(),
                session: None,
                timeout_ms: 0,
                auth: Vec::new(),
                established_ms: now_ms,
                stats: super::stats::ConnectionStats::new(),
            },
        );
    }

    /// Bind the connection to its remote address (learned from the
    /// ConnectRequest's transport envelope); every connection holds the
    /// `ip` id of its address.
    pub fn set_addr(&mut self, conn: ConnId, addr: &str) {
        if let Some(c) = self.by_conn.get_mut(&conn) {
            c.addr = addr.to_string();
            c.add_auth(Id::new("ip", addr));
        }
    }

    pub fn get(&self, conn: ConnId) -> Option<&ClientCnxn> {
        self.by_conn.get(&conn)
    }

    pub fn get_mut(&mut self, conn: ConnId) -> Option<&mut ClientCnxn> {
        self.by_conn.get_mut(&conn)
    }

    pub fn remove(&mut self, conn: ConnId) -> Option<ClientCnxn> {
        let c = self.by_conn.remove(&conn)?;
        self.by_watcher.remove(&c.watcher);
        Some(c)
    }

    pub fn by_watcher(&self, w: WatcherId) -> Option<&ClientCnxn> {
        self.by_watcher.get(&w).and_then(|c| self.by_conn.get(c))
    }

    /// Connections bound to `session`.
    pub fn of_session(&self, session: SessionId) -> Vec<ConnId> {
        self.by_conn.values().filter(|c| c.session == Some(session)).map(|c| c.conn).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &ClientCnxn> {
        self.by_conn.values()
    }

    pub fn len(&self) -> usize {
        self.by_conn.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_conn.is_empty()
    }
}
