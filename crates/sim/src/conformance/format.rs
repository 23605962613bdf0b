//! The `zk-trace/1` format (../shared/conformance/FORMAT.md), read with serde.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One recorded trace.
#[derive(Clone, Debug, Deserialize)]
pub struct TraceFile {
    pub format: String,
    #[serde(default)]
    pub recorded_with: String,
    pub servers: usize,
    pub name: String,
    pub steps: Vec<Step>,
}

/// One step: a client's operation, its result, and the events each client
/// received meanwhile.
#[derive(Clone, Debug, Deserialize)]
pub struct Step {
    pub client: String,
    pub op: Op,
    pub result: Value,
    #[serde(default)]
    pub events: BTreeMap<String, Vec<Value>>,
}

/// An ACL entry as the traces spell it.
#[derive(Clone, Debug, Deserialize)]
pub struct AclEntry {
    pub perms: i32,
    pub scheme: String,
    pub id: String,
}

/// The operations of FORMAT.md.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Connect {
        server: usize,
    },
    Close {},
    Create {
        path: String,
        data: String,
        acl: Vec<AclEntry>,
        mode: String,
        ttl: Option<i64>,
    },
    Delete {
        path: String,
        version: i32,
    },
    Exists {
        path: String,
        watch: bool,
    },
    Get {
        path: String,
        watch: bool,
    },
    Set {
        path: String,
        data: String,
        version: i32,
    },
    Children {
        path: String,
        watch: bool,
    },
    GetAcl {
        path: String,
    },
    SetAcl {
        path: String,
        acl: Vec<AclEntry>,
        version: i32,
    },
    AddAuth {
        scheme: String,
        auth: String,
    },
    Sync {
        path: String,
    },
    Multi {
        ops: Vec<Op>,
    },
    AddWatch {
        path: String,
        mode: String,
    },
    /// Only inside a multi.
    Check {
        path: String,
        version: i32,
    },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Connect { .. } => "connect",
            Op::Close {} => "close",
            Op::Create { .. } => "create",
            Op::Delete { .. } => "delete",
            Op::Exists { .. } => "exists",
            Op::Get { .. } => "get",
            Op::Set { .. } => "set",
            Op::Children { .. } => "children",
            Op::GetAcl { .. } => "get_acl",
            Op::SetAcl { .. } => "set_acl",
            Op::AddAuth { .. } => "add_auth",
            Op::Sync { .. } => "sync",
            Op::Multi { .. } => "multi",
            Op::AddWatch { .. } => "add_watch",
            Op::Check { .. } => "check",
        }
    }
}

/// Read and check a trace file's text.
pub fn parse(text: &str) -> Result<TraceFile, String> {
    let t: TraceFile = serde_json::from_str(text).map_err(|e| format!("not a zk-trace/1 file: {e}"))?;
    if t.format != "zk-trace/1" {
        return Err(format!("unsupported format {:?} (expected \"zk-trace/1\")", t.format));
    }
    if t.servers == 0 {
        return Err("a trace needs at least one server".into());
    }
    Ok(t)
}
