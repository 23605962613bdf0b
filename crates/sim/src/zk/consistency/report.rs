//! What the consistency checker reports: per-client tallies, the latest
//! classified operation of each client with a one-line explanation, and
//! violations with their smallest counterexample. Plain structs with a
//! `text` the page and the command line show as they are.

use super::history::{secs, OpRef};
use actor::{Instant, NodeId};
use std::collections::BTreeMap;
use std::fmt;
use znode::Code;

/// Which guarantee a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ViolationKind {
    /// A write invoked after another completed got a smaller zxid.
    WriteOrder,
    /// Two different writes returned the same zxid.
    DuplicateZxid,
    /// A session's reply zxid went back (single system image).
    ZxidWentBack,
    /// A read showed a node older than the session's own completed write.
    ReadYourWrites,
    /// Replies came out of request order on a session.
    Fifo,
    /// A read after `sync` missed a write completed before the sync.
    SyncThenRead,
    /// A read's data is not what the write of its mzxid stored.
    ReadData,
    /// A reply showed a change before the data watch's event.
    WatchBeforeData,
}

impl ViolationKind {
    /// A short stable name: `sync-then-read`.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::WriteOrder => "write-linearizability",
            ViolationKind::DuplicateZxid => "duplicate-zxid",
            ViolationKind::ZxidWentBack => "monotonic-zxid",
            ViolationKind::ReadYourWrites => "read-your-writes",
            ViolationKind::Fifo => "fifo",
            ViolationKind::SyncThenRead => "sync-then-read",
            ViolationKind::ReadData => "read-data",
            ViolationKind::WatchBeforeData => "watch-before-data",
        }
    }
}

/// A broken guarantee and the operations that show it (two or three).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// When the checker saw it (the last operation's answer).
    pub at: Instant,
    pub kind: ViolationKind,
    /// The smallest counterexample, in the order the text names them.
    pub ops: Vec<OpRef>,
    pub text: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.kind.name(), secs(self.at), self.text)?;
        for op in &self.ops {
            write!(f, "\n    {op}")?;
        }
        Ok(())
    }
}

/// How the checker classified one operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClass {
    WriteCommitted,
    WriteFailed(Code),
    /// Reflected every write completed before it was invoked.
    ReadFresh,
    /// Missed this many writes completed before it was invoked: allowed,
    /// reads are served from the local replica.
    ReadStale { by: u64 },
    /// A read after `sync` that missed writes, allowed because a leader
    /// change overlapped it (ZOOKEEPER-1675).
    ReadAllowed1675 { by: u64 },
    ReadRefused(Code),
    SyncDone,
    SyncFailed(Code),
    OtherOk,
    OtherFailed(Code),
    /// Invoked, not answered yet (see `ConsistencyChecker::waiting`).
    Waiting,
    /// The operation completes a violation.
    Violation,
}

/// One operation, classified, with a plain-language line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpNote {
    pub op: OpRef,
    pub class: OpClass,
    /// `getData /w/k3 on server 4 is stale by 3 zxids: ...`
    pub text: String,
}

/// What one client's operations came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientTally {
    pub name: String,
    pub writes_committed: u64,
    /// Invoked and not answered yet.
    pub writes_waiting: u64,
    /// Answered with an error (ConnectionLoss included).
    pub writes_failed: u64,
    pub reads_fresh: u64,
    /// Stale reads (allowed), and the most zxids one was stale by.
    pub reads_stale: u64,
    pub stale_by_max: u64,
    /// Answered with an error other than NoNode (which is an answer).
    pub reads_refused: u64,
    pub reads_waiting: u64,
    pub syncs: u64,
    pub other: u64,
    pub allowed_1675: u64,
    pub violations: u64,
    /// The latest classified operation.
    pub latest: Option<OpNote>,
}

impl ClientTally {
    /// One line: `writes 120 committed, 0 waiting, 3 failed; reads ...`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "writes {} committed, {} waiting, {} failed; reads {} fresh, {} stale",
            self.writes_committed, self.writes_waiting, self.writes_failed, self.reads_fresh, self.reads_stale
        );
        if self.reads_stale > 0 {
            s.push_str(&format!(" (by at most {})", self.stale_by_max));
        }
        s.push_str(&format!(", {} refused, {} waiting; {} syncs", self.reads_refused, self.reads_waiting, self.syncs));
        if self.allowed_1675 > 0 {
            s.push_str(&format!("; {} allowed by ZOOKEEPER-1675", self.allowed_1675));
        }
        if self.violations > 0 {
            s.push_str(&format!("; {} VIOLATIONS", self.violations));
        }
        s
    }
}

/// The checker's findings so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsistencyReport {
    /// The time of the last entry observed.
    pub now: Instant,
    /// Operations answered (by a server or by the client library).
    pub ops: u64,
    pub clients: BTreeMap<NodeId, ClientTally>,
    /// The first violations in full (see `total_violations`).
    pub violations: Vec<Violation>,
    pub total_violations: u64,
    /// Reads that missed completed writes, without a sync: allowed.
    pub stale_reads: u64,
    /// Reads after sync that missed writes across a leader change.
    pub allowed_1675: u64,
}

impl ConsistencyReport {
    pub fn ok(&self) -> bool {
        self.total_violations == 0
    }

    /// `consistency: 10234 operations of 10 clients; 0 violations; ...`
    pub fn verdict(&self) -> String {
        format!(
            "consistency: {} operations of {} clients; {} violations; {} stale reads (allowed); {} allowed by ZOOKEEPER-1675",
            self.ops,
            self.clients.len(),
            self.total_violations,
            self.stale_reads,
            self.allowed_1675
        )
    }

    /// The verdict and every kept violation with its counterexample.
    pub fn render(&self) -> String {
        let mut s = self.verdict();
        s.push('\n');
        for v in &self.violations {
            s.push_str(&format!("  {v}\n"));
        }
        if self.total_violations > self.violations.len() as u64 {
            s.push_str(&format!("  ... and {} more\n", self.total_violations - self.violations.len() as u64));
        }
        s
    }

    /// Each client's tallies, one line each.
    pub fn render_clients(&self) -> String {
        let mut s = String::new();
        for (node, t) in &self.clients {
            s.push_str(&format!("  client {} (node {node}): {}\n", t.name, t.line()));
        }
        s
    }
}
