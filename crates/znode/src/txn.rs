//! Transactions: what the leader's `prepare` produces and every replica's
//! `apply` executes (ZooKeeper's `*Txn` records and `TxnHeader`).

use crate::acl::Acl;
use crate::error::Code;
use crate::ops::CreateOp;
use crate::stat::{SessionId, Stat, Zxid};
use serde::{Deserialize, Serialize};

/// `TxnHeader`: who asked, which request, its zxid and the leader's wall
/// time (ms since the Unix epoch) when it was prepared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnHeader {
    pub session: SessionId,
    pub cxid: i32,
    pub zxid: Zxid,
    pub time: i64,
}

/// A transaction body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Txn {
    /// `CreateTxn` / `CreateTTLTxn` / `CreateContainerTxn`; `parent_cversion`
    /// is the parent's stored cversion after this create.
    Create {
        op: CreateOp,
        path: String,
        data: Option<Vec<u8>>,
        acl: Vec<Acl>,
        ephemeral: bool,
        parent_cversion: i32,
    },
    /// `DeleteTxn`; `container` for the server's own `deleteContainer`.
    Delete {
        path: String,
        container: bool,
    },
    SetData {
        path: String,
        data: Option<Vec<u8>>,
        version: i32,
    },
    SetAcl {
        path: String,
        acl: Vec<Acl>,
        version: i32,
    },
    /// `CheckVersionTxn` (only inside a multi).
    Check {
        path: String,
        version: i32,
    },
    CreateSession {
        timeout: i32,
    },
    /// `CloseSessionTxn`: the ephemerals to delete, in Java's order.
    CloseSession {
        paths: Vec<String>,
    },
    /// `ErrorTxn`: a request that failed in `prepare` still takes a zxid.
    Error(Code),
    Multi(Vec<Txn>),
}

impl Txn {
    /// A short name for views and traces.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Txn::Create { .. } => "create",
            Txn::Delete { container: false, .. } => "delete",
            Txn::Delete { container: true, .. } => "deleteContainer",
            Txn::SetData { .. } => "setData",
            Txn::SetAcl { .. } => "setACL",
            Txn::Check { .. } => "check",
            Txn::CreateSession { .. } => "createSession",
            Txn::CloseSession { .. } => "closeSession",
            Txn::Error(_) => "error",
            Txn::Multi(_) => "multi",
        }
    }

    /// The path a single-node txn touches.
    pub fn path(&self) -> Option<&str> {
        match self {
            Txn::Create { path, .. }
            | Txn::Delete { path, .. }
            | Txn::SetData { path, .. }
            | Txn::SetAcl { path, .. }
            | Txn::Check { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// A transaction with its header: one entry of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedTxn {
    pub header: TxnHeader,
    pub txn: Txn,
}

/// `DataTree.ProcessTxnResult`: what applying a transaction did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyResult {
    pub err: Option<Code>,
    pub path: Option<String>,
    pub stat: Option<Stat>,
    /// One result per sub-transaction of a multi.
    pub multi: Vec<SubResult>,
}

/// The result of one sub-transaction of a multi.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubResult {
    pub txn: SubKind,
    pub err: Code,
    pub path: Option<String>,
    pub stat: Option<Stat>,
}

/// Which kind of sub-transaction a multi result is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubKind {
    Create(CreateOp),
    Delete,
    SetData,
    Check,
    Error,
}
