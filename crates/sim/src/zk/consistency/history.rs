//! What the checker takes from a client's requests and replies: the kind
//! of each operation, the node a reply shows, and a short fingerprint of
//! data so a read can be matched to the write that produced it without
//! keeping every value.

use actor::{Instant, NodeId};
use znode::{Request, Response, Zxid};

/// What an operation is, as far as consistency goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// Changes the tree and takes a zxid: create, delete, setData, setACL,
    /// multi.
    Write,
    /// Reads the local replica: getData, exists, getChildren, getACL,
    /// getAllChildrenNumber.
    Read,
    Sync,
    /// Everything else (close, watches, whoami, ephemerals).
    Other,
}

/// How a write moves the mzxid of the node it names: only these can be
/// compared with what a later read of that node shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Create,
    SetData,
    Delete,
    /// setACL (mzxid unchanged), multi (several nodes), non-writes.
    Other,
}

impl Shape {
    /// Whether a node read later must show an mzxid at least this write's.
    pub fn moves_mzxid(self) -> bool {
        matches!(self, Shape::Create | Shape::SetData | Shape::Delete)
    }
}

/// The API name of a request, as people call it.
pub fn label(r: &Request) -> &'static str {
    match r {
        Request::Create { .. } => "create",
        Request::Delete { .. } => "delete",
        Request::Exists { .. } => "exists",
        Request::GetData { .. } => "getData",
        Request::SetData { .. } => "setData",
        Request::GetAcl { .. } => "getACL",
        Request::SetAcl { .. } => "setACL",
        Request::GetChildren { .. } => "getChildren",
        Request::Sync { .. } => "sync",
        Request::Multi(_) => "multi",
        Request::AddWatch { .. } => "addWatch",
        Request::RemoveWatches { .. } => "removeWatches",
        Request::GetEphemerals { .. } => "getEphemerals",
        Request::GetAllChildrenNumber { .. } => "getAllChildrenNumber",
        Request::WhoAmI => "whoAmI",
        Request::SetWatches(_) => "setWatches",
        Request::Auth { .. } => "addAuth",
        Request::Ping => "ping",
        Request::CloseSession => "close",
    }
}

pub fn kind_of(r: &Request) -> OpKind {
    match r {
        Request::Create { .. }
        | Request::Delete { .. }
        | Request::SetData { .. }
        | Request::SetAcl { .. }
        | Request::Multi(_) => OpKind::Write,
        Request::GetData { .. }
        | Request::Exists { .. }
        | Request::GetChildren { .. }
        | Request::GetAcl { .. }
        | Request::GetAllChildrenNumber { .. } => OpKind::Read,
        Request::Sync { .. } => OpKind::Sync,
        _ => OpKind::Other,
    }
}

pub fn shape_of(r: &Request) -> Shape {
    match r {
        Request::Create { .. } => Shape::Create,
        Request::SetData { .. } => Shape::SetData,
        Request::Delete { .. } => Shape::Delete,
        _ => Shape::Other,
    }
}

/// Whether the request leaves a one-shot data watch (`getData -w`,
/// `exists -w`).
pub fn sets_data_watch(r: &Request) -> bool {
    matches!(r, Request::GetData { watch: true, .. } | Request::Exists { watch: true, .. })
}

/// The data a write stores, fingerprinted (`None`: not a data write).
pub fn written_data(r: &Request) -> Option<u64> {
    match r {
        Request::Create { data, .. } | Request::SetData { data, .. } => Some(fingerprint(data.as_deref())),
        _ => None,
    }
}

/// FNV-1a over the bytes; no data and empty data are the same value, as
/// ZooKeeper stores them.
pub fn fingerprint(data: Option<&[u8]>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data.unwrap_or_default() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What a reply shows of the node it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub mzxid: Zxid,
    /// The data's fingerprint, for getData.
    pub data: Option<u64>,
}

/// The node version a successful reply shows, if it shows one.
pub fn seen(resp: &Response) -> Option<Seen> {
    match resp {
        Response::Data { data, stat } => Some(Seen { mzxid: stat.mzxid, data: Some(fingerprint(data.as_deref())) }),
        Response::Stat(stat) | Response::Acl { stat, .. } | Response::Children { stat: Some(stat), .. } => {
            Some(Seen { mzxid: stat.mzxid, data: None })
        }
        _ => None,
    }
}

/// The path a write's reply says it changed (a sequential create's real
/// name), else the request's.
pub fn written_path(req_path: Option<&str>, resp: &Response) -> Option<String> {
    match resp {
        Response::Create { path, .. } if !path.is_empty() => Some(path.clone()),
        _ => req_path.map(str::to_string),
    }
}

/// An operation of the history, as counterexamples name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpRef {
    pub client: NodeId,
    pub client_name: String,
    /// The client's tag of the call.
    pub tag: u64,
    /// `setData /w/k1`.
    pub op: String,
    /// The server the client was connected to (or trying) when it asked.
    pub server: Option<NodeId>,
    pub invoked: Instant,
    pub completed: Option<Instant>,
    /// The reply header's zxid: for a write its own zxid, for a read the
    /// last zxid the server had applied.
    pub zxid: Option<Zxid>,
    /// The version (mzxid) of the node a reply showed.
    pub mzxid: Option<Zxid>,
}

/// Seconds, as reports print them.
pub fn secs(t: Instant) -> String {
    format!("{:.3} s", t.0 as f64 / 1e6)
}

pub fn hex(z: Zxid) -> String {
    format!("0x{z:x}")
}

impl std::fmt::Display for OpRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "client {}: {}", self.client_name, self.op)?;
        if let Some(s) = self.server {
            write!(f, " on server {s}")?;
        }
        write!(f, ", invoked {}", secs(self.invoked))?;
        match self.completed {
            Some(t) => write!(f, ", answered {}", secs(t))?,
            None => write!(f, ", not answered")?,
        }
        if let Some(z) = self.zxid {
            write!(f, ", zxid {}", hex(z))?;
        }
        if let Some(m) = self.mzxid {
            write!(f, ", node mzxid {}", hex(m))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_data_are_the_same_value() {
        assert_eq!(fingerprint(None), fingerprint(Some(b"")));
        assert_ne!(fingerprint(Some(b"v1")), fingerprint(Some(b"v2")));
    }

    #[test]
    fn operations_are_classified_by_what_they_do() {
        assert_eq!(kind_of(&Request::Sync { path: "/a".into() }), OpKind::Sync);
        assert_eq!(kind_of(&Request::GetData { path: "/a".into(), watch: true }), OpKind::Read);
        assert_eq!(kind_of(&Request::CloseSession), OpKind::Other);
        assert!(sets_data_watch(&Request::Exists { path: "/a".into(), watch: true }));
        assert!(!Shape::Other.moves_mzxid());
    }
}
