//! What a client asks and what a server answers: ZooKeeper's requests,
//! responses and watch events, with the jute length of each request so the
//! packet limit (`jute.maxbuffer`) can be enforced as the server does.

use crate::acl::{Acl, Id};
use crate::error::Code;
use crate::mode::CreateMode;
use crate::stat::{Stat, Zxid};
use serde::{Deserialize, Serialize};

/// `jute.maxbuffer`'s default: a client packet longer than this makes the
/// server close the connection ("Len error").
pub const MAX_PACKET: usize = 0xfffff;

/// How a create travels (`OpCode` create/create2/createContainer/createTTL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateOp {
    /// Opcode 1: the reply carries only the path.
    Create,
    /// Opcode 15: the reply carries the path and the Stat.
    Create2,
    /// Opcode 19.
    Container,
    /// Opcode 21, with the TTL in ms.
    Ttl(i64),
}

impl CreateOp {
    /// The opcode the Java client picks for a mode (`ZooKeeper.create`).
    pub fn for_mode(mode: CreateMode, ttl: Option<i64>, want_stat: bool) -> CreateOp {
        if mode.is_container() {
            CreateOp::Container
        } else if mode.is_ttl() || ttl.is_some() {
            CreateOp::Ttl(ttl.unwrap_or(-1))
        } else if want_stat {
            CreateOp::Create2
        } else {
            CreateOp::Create
        }
    }

    pub fn returns_stat(self) -> bool {
        !matches!(self, CreateOp::Create)
    }

    /// The TTL the request carries (`-1` when none, as in `pRequest2TxnCreate`).
    pub fn ttl(self) -> i64 {
        match self {
            CreateOp::Ttl(t) => t,
            _ => -1,
        }
    }
}

/// `addWatch` modes (`AddWatchMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AddWatchMode {
    Persistent,
    PersistentRecursive,
}

/// Which watches `removeWatches`/`checkWatches` address (`WatcherType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WatcherType {
    Children,
    Data,
    Any,
}

/// One operation of a `multi`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MultiOp {
    Create { path: String, data: Option<Vec<u8>>, acl: Vec<Acl>, mode: CreateMode, op: CreateOp },
    Delete { path: String, version: i32 },
    SetData { path: String, data: Option<Vec<u8>>, version: i32 },
    Check { path: String, version: i32 },
}

impl MultiOp {
    pub fn path(&self) -> &str {
        match self {
            MultiOp::Create { path, .. }
            | MultiOp::Delete { path, .. }
            | MultiOp::SetData { path, .. }
            | MultiOp::Check { path, .. } => path,
        }
    }
}

/// The watches a client re-registers after reconnecting (`SetWatches2`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetWatches {
    pub relative_zxid: Zxid,
    pub data: Vec<String>,
    pub exist: Vec<String>,
    pub child: Vec<String>,
    pub persistent: Vec<String>,
    pub persistent_recursive: Vec<String>,
}

impl SetWatches {
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
            && self.exist.is_empty()
            && self.child.is_empty()
            && self.persistent.is_empty()
            && self.persistent_recursive.is_empty()
    }
}

/// A client request (everything after the connect handshake).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Create {
        path: String,
        data: Option<Vec<u8>>,
        acl: Vec<Acl>,
        mode: CreateMode,
        op: CreateOp,
    },
    Delete {
        path: String,
        version: i32,
    },
    Exists {
        path: String,
        watch: bool,
    },
    GetData {
        path: String,
        watch: bool,
    },
    SetData {
        path: String,
        data: Option<Vec<u8>>,
        version: i32,
    },
    GetAcl {
        path: String,
    },
    SetAcl {
        path: String,
        acl: Vec<Acl>,
        version: i32,
    },
    /// `getChildren2` (opcode 12) when `with_stat`, else `getChildren` (8).
    GetChildren {
        path: String,
        watch: bool,
        with_stat: bool,
    },
    Sync {
        path: String,
    },
    Multi(Vec<MultiOp>),
    AddWatch {
        path: String,
        mode: AddWatchMode,
    },
    /// `checkWatches` (17) removes one watcher; `removeWatches` (18) all.
    RemoveWatches {
        path: String,
        kind: WatcherType,
        all: bool,
    },
    GetEphemerals {
        prefix: String,
    },
    GetAllChildrenNumber {
        path: String,
    },
    WhoAmI,
    SetWatches(SetWatches),
    /// `addauth` (xid −4): handled as it arrives, not through the pipeline.
    Auth {
        scheme: String,
        auth: Vec<u8>,
    },
    Ping,
    CloseSession,
}

impl Request {
    /// Whether the request becomes a transaction (gets a zxid).
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Request::Create { .. }
                | Request::Delete { .. }
                | Request::SetData { .. }
                | Request::SetAcl { .. }
                | Request::Multi(_)
                | Request::CloseSession
        )
    }

    /// The path the request names, if any (for messages and logs).
    pub fn path(&self) -> Option<&str> {
        match self {
            Request::Create { path, .. }
            | Request::Delete { path, .. }
            | Request::Exists { path, .. }
            | Request::GetData { path, .. }
            | Request::SetData { path, .. }
            | Request::GetAcl { path }
            | Request::SetAcl { path, .. }
            | Request::GetChildren { path, .. }
            | Request::Sync { path }
            | Request::AddWatch { path, .. }
            | Request::RemoveWatches { path, .. }
            | Request::GetAllChildrenNumber { path } => Some(path),
            Request::GetEphemerals { prefix } => Some(prefix),
            _ => None,
        }
    }

    /// The four-letter name 4lw `cons` shows as `lop` (ServerCnxn's lastOp).
    pub fn op_name(&self) -> &'static str {
        match self {
            Request::Create { .. } => "CREA",
            Request::Delete { .. } => "DELE",
            Request::Exists { .. } => "EXIS",
            Request::GetData { .. } => "GETD",
            Request::SetData { .. } => "SETD",
            Request::GetAcl { .. } => "GETA",
            Request::SetAcl { .. } => "SETA",
            Request::GetChildren { .. } => "GETC",
            Request::Sync { .. } => "SYNC",
            Request::Multi(_) => "MULT",
            Request::AddWatch { .. } => "ADDW",
            Request::RemoveWatches { all: true, .. } => "REMW",
            Request::RemoveWatches { all: false, .. } => "CHKW",
            Request::GetEphemerals { .. } => "GETE",
            Request::GetAllChildrenNumber { .. } => "GETACN",
            Request::WhoAmI => "HOMI",
            Request::SetWatches(_) => "STW2",
            Request::Auth { .. } => "AUTH",
            Request::Ping => "PING",
            Request::CloseSession => "CLOS",
        }
    }

    /// Length of the jute-serialized packet after its 4-byte length prefix:
    /// the `RequestHeader` (xid, type) and the request record.
    pub fn wire_len(&self) -> usize {
        const HEADER: usize = 8;
        HEADER
            + match self {
                Request::Create { path, data, acl, op, .. } => {
                    create_len(path, data, acl) + if matches!(op, CreateOp::Ttl(_)) { 8 } else { 0 }
                }
                Request::Delete { path, .. } => str_len(path) + 4,
                Request::Exists { path, .. } | Request::GetData { path, .. } | Request::GetChildren { path, .. } => {
                    str_len(path) + 1
                }
                Request::SetData { path, data, .. } => str_len(path) + buf_len(data) + 4,
                Request::GetAcl { path } | Request::Sync { path } | Request::GetAllChildrenNumber { path } => {
                    str_len(path)
                }
                Request::SetAcl { path, acl, .. } => str_len(path) + acl_len(acl) + 4,
                Request::Multi(ops) => ops.iter().map(|o| 9 + multi_op_len(o)).sum::<usize>() + 9,
                Request::AddWatch { path, .. } | Request::RemoveWatches { path, .. } => str_len(path) + 4,
                Request::GetEphemerals { prefix } => str_len(prefix),
                Request::WhoAmI | Request::Ping | Request::CloseSession => 0,
                Request::SetWatches(w) => {
                    8 + [&w.data, &w.exist, &w.child, &w.persistent, &w.persistent_recursive]
                        .iter()
                        .map(|v| 4 + v.iter().map(|p| str_len(p)).sum::<usize>())
                        .sum::<usize>()
                }
                Request::Auth { scheme, auth } => 4 + str_len(scheme) + 4 + auth.len(),
            }
    }
}

fn str_len(s: &str) -> usize {
    4 + s.len()
}

fn buf_len(b: &Option<Vec<u8>>) -> usize {
    4 + b.as_ref().map_or(0, Vec::len)
}

fn acl_len(acl: &[Acl]) -> usize {
    4 + acl.iter().map(|a| 4 + str_len(&a.id.scheme) + str_len(&a.id.id)).sum::<usize>()
}

fn create_len(path: &str, data: &Option<Vec<u8>>, acl: &[Acl]) -> usize {
    str_len(path) + buf_len(data) + acl_len(acl) + 4
}

fn multi_op_len(op: &MultiOp) -> usize {
    match op {
        MultiOp::Create { path, data, acl, op, .. } => {
            create_len(path, data, acl) + if matches!(op, CreateOp::Ttl(_)) { 8 } else { 0 }
        }
        MultiOp::Delete { path, .. } | MultiOp::Check { path, .. } => str_len(path) + 4,
        MultiOp::SetData { path, data, .. } => str_len(path) + buf_len(data) + 4,
    }
}

/// One result of a `multi` (`OpResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpResult {
    Create { path: String, stat: Option<Stat> },
    Delete,
    SetData(Stat),
    Check,
    Error(Code),
}

/// What `whoAmI` returns per id (`ClientInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub auth_scheme: String,
    pub user: String,
}

/// A successful reply's body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    Empty,
    Create {
        path: String,
        stat: Option<Stat>,
    },
    Stat(Stat),
    Data {
        data: Option<Vec<u8>>,
        stat: Stat,
    },
    Acl {
        acl: Vec<Acl>,
        stat: Stat,
    },
    Children {
        children: Vec<String>,
        stat: Option<Stat>,
    },
    Path(String),
    /// A multi's results; some may be errors (the header's err stays OK).
    Multi(Vec<OpResult>),
    Paths(Vec<String>),
    Count(i32),
    WhoAmI(Vec<ClientInfo>),
}

/// `Watcher.Event.EventType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventType {
    None,
    NodeCreated,
    NodeDeleted,
    NodeDataChanged,
    NodeChildrenChanged,
    DataWatchRemoved,
    ChildWatchRemoved,
    PersistentWatchRemoved,
}

impl EventType {
    pub fn name(self) -> &'static str {
        match self {
            EventType::None => "None",
            EventType::NodeCreated => "NodeCreated",
            EventType::NodeDeleted => "NodeDeleted",
            EventType::NodeDataChanged => "NodeDataChanged",
            EventType::NodeChildrenChanged => "NodeChildrenChanged",
            EventType::DataWatchRemoved => "DataWatchRemoved",
            EventType::ChildWatchRemoved => "ChildWatchRemoved",
            EventType::PersistentWatchRemoved => "PersistentWatchRemoved",
        }
    }

    pub fn from_name(name: &str) -> Option<EventType> {
        [
            EventType::None,
            EventType::NodeCreated,
            EventType::NodeDeleted,
            EventType::NodeDataChanged,
            EventType::NodeChildrenChanged,
            EventType::DataWatchRemoved,
            EventType::ChildWatchRemoved,
            EventType::PersistentWatchRemoved,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }
}

/// `Watcher.Event.KeeperState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeeperState {
    Disconnected,
    SyncConnected,
    AuthFailed,
    ConnectedReadOnly,
    Expired,
    Closed,
}

impl KeeperState {
    pub fn name(self) -> &'static str {
        match self {
            KeeperState::Disconnected => "Disconnected",
            KeeperState::SyncConnected => "SyncConnected",
            KeeperState::AuthFailed => "AuthFailed",
            KeeperState::ConnectedReadOnly => "ConnectedReadOnly",
            KeeperState::Expired => "Expired",
            KeeperState::Closed => "Closed",
        }
    }
}

/// A `WatchedEvent`: a node event (state SyncConnected) or a session event
/// (type None, no path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedEvent {
    pub kind: EventType,
    pub state: KeeperState,
    pub path: Option<String>,
}

impl WatchedEvent {
    pub fn node(kind: EventType, path: &str) -> WatchedEvent {
        WatchedEvent { kind, state: KeeperState::SyncConnected, path: Some(path.to_string()) }
    }

    pub fn session(state: KeeperState) -> WatchedEvent {
        WatchedEvent { kind: EventType::None, state, path: None }
    }
}

impl std::fmt::Display for WatchedEvent {
    /// `WatchedEvent.toString()`: `WatchedEvent state:SyncConnected type:NodeCreated path:/a`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WatchedEvent state:{} type:{} path:{}",
            self.state.name(),
            self.kind.name(),
            self.path.as_deref().unwrap_or("null")
        )
    }
}

/// The ids a session starts with: every client connection carries the `ip`
/// id of its address.
pub fn connection_ids(client_ip: &str) -> Vec<Id> {
    vec![Id::new("ip", client_ip)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_wire_len_counts_every_field() {
        let r = Request::Create {
            path: "/a".into(),
            data: Some(vec![0; 10]),
            acl: Acl::open(),
            mode: CreateMode::Persistent,
            op: CreateOp::Create,
        };
        // header 8 + path 4+2 + data 4+10 + acl 4+(4+4+5+4+6) + flags 4
        assert_eq!(r.wire_len(), 8 + 6 + 14 + 27 + 4);
    }

    #[test]
    fn data_of_one_mebibyte_exceeds_the_packet_limit() {
        let r = Request::SetData { path: "/a".into(), data: Some(vec![0; 1 << 20]), version: -1 };
        assert!(r.wire_len() > MAX_PACKET);
        let small = Request::SetData { path: "/a".into(), data: Some(vec![0; 1000]), version: -1 };
        assert!(small.wire_len() <= MAX_PACKET);
    }

    #[test]
    fn event_text_is_javas() {
        assert_eq!(
            WatchedEvent::node(EventType::NodeCreated, "/a").to_string(),
            "WatchedEvent state:SyncConnected type:NodeCreated path:/a"
        );
        assert_eq!(
            WatchedEvent::session(KeeperState::Expired).to_string(),
            "WatchedEvent state:Expired type:None path:null"
        );
    }
}
