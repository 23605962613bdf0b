//! What happens when an operation is answered: the session checks (FIFO
//! order, a reply zxid that never goes back) for every answer a server
//! gave, then the checks of its kind — write order for writes; staleness,
//! sync-then-read, read-your-writes and the data of the version read for
//! reads — and the data-watch check; then its tally and its one line.

use super::client::{Pending, SyncMark, Track};
use super::history::{self, hex, secs, OpKind, OpRef, Seen, Shape};
use super::report::{OpClass, OpNote, Violation, ViolationKind};
use super::writes::WriteRec;
use super::{AwaitingRead, ConsistencyChecker};
use actor::{Instant, NodeId};
use znode::{Code, Response, Zxid};

/// An answered operation on its way through the checks.
struct Done<'a> {
    p: Pending,
    op: OpRef,
    at: Instant,
    /// The reply header's zxid; 0 when the client library made the result.
    header: Zxid,
    result: &'a Result<Response, Code>,
    seen: Option<Seen>,
    found: Vec<Violation>,
}

impl Done<'_> {
    fn server_answered(&self) -> bool {
        self.header != 0
    }

    fn violate(&mut self, kind: ViolationKind, ops: Vec<OpRef>, text: String) {
        self.found.push(Violation { at: self.at, kind, ops, text });
    }

    /// `server 4`, or what stands for it.
    fn server(&self) -> String {
        self.op.server.map_or_else(|| "its server".to_string(), |s| format!("server {s}"))
    }
}

/// What a read after a sync came to.
enum SyncVerdict {
    /// No sync before it on this connection, or it missed nothing.
    Fine,
    Allowed { why: String, missed: Zxid },
    Violated,
}

fn plural(n: u64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

impl ConsistencyChecker {
    pub(super) fn result(
        &mut self,
        at: Instant,
        node: NodeId,
        tag: u64,
        result: &Result<Response, Code>,
        header: Zxid,
    ) {
        let Some(mut t) = self.clients.remove(&node) else { return };
        let Some(p) = t.pending.remove(&tag) else {
            self.clients.insert(node, t);
            return;
        };
        // A server's answer comes on the current connection; a result the
        // library made itself belongs to where the call was made.
        let server = if header != 0 { t.server } else { p.server };
        let seen = if header != 0 { result.as_ref().ok().and_then(history::seen) } else { None };
        let mut op = t.op_ref(&p, server, Some(at));
        if header != 0 {
            op.zxid = Some(header);
            op.mzxid = seen.map(|s| s.mzxid);
        }
        let mut d = Done { p, op, at, header, result, seen, found: Vec::new() };
        if d.server_answered() {
            fifo(&t, &mut d);
            monotonic(&mut t, &mut d);
        }
        t.order.remove(&d.p.seq);
        let (class, text) = match d.p.kind {
            OpKind::Write => self.write_done(&mut t, &mut d),
            OpKind::Read => self.read_done(&t, &mut d),
            OpKind::Sync => sync_done(&mut t, &d),
            OpKind::Other => other_done(&d),
        };
        if d.server_answered() {
            watch_check(&mut t, &mut d);
        }
        self.clients.insert(node, t);
        self.finish(node, d, class, text);
    }

    /// A client process restarted: what it had in flight will never be
    /// answered (and a write of it may or may not have happened).
    pub(super) fn client_restarted(&mut self, _at: Instant, node: NodeId) {
        let Some(t) = self.clients.get_mut(&node) else { return };
        let lost: Vec<Pending> = std::mem::take(&mut t.pending).into_values().collect();
        t.order.clear();
        t.new_session(0);
        t.state = None;
        let refs: Vec<OpRef> = lost.iter().map(|p| t.op_ref(p, p.server, None)).collect();
        let tally = self.tally(node);
        for (p, op) in lost.iter().zip(refs) {
            let class = match p.kind {
                OpKind::Write => {
                    tally.writes_waiting = tally.writes_waiting.saturating_sub(1);
                    tally.writes_failed += 1;
                    OpClass::WriteFailed(Code::ConnectionLoss)
                }
                OpKind::Read => {
                    tally.reads_waiting = tally.reads_waiting.saturating_sub(1);
                    tally.reads_refused += 1;
                    OpClass::ReadRefused(Code::ConnectionLoss)
                }
                _ => OpClass::OtherFailed(Code::ConnectionLoss),
            };
            let text = format!("{} lost: the client process restarted", p.what());
            tally.latest = Some(OpNote { op, class, text });
        }
    }

    fn write_done(&mut self, t: &mut Track, d: &mut Done) -> (OpClass, String) {
        let what = d.p.what();
        let resp = match d.result {
            Err(code) => return (OpClass::WriteFailed(*code), format!("{what} failed: {code:?}")),
            Ok(r) => r,
        };
        if !d.server_answered() {
            return (OpClass::WriteCommitted, format!("{what} succeeded without a reply zxid"));
        }
        let z = d.header;
        // Linearizability, incrementally: every write completed before this
        // one was invoked must have a smaller zxid.
        if let Some(w) = self.book.max_of_first(d.p.writes_before).filter(|w| w.zxid > z) {
            let text = format!(
                "{what} was invoked at {}, after {} had completed at {} with zxid {}, yet got the smaller zxid {}",
                secs(d.p.invoked),
                w.op.op,
                w.op.completed.map_or_else(|| "?".into(), secs),
                hex(w.zxid),
                hex(z)
            );
            d.violate(ViolationKind::WriteOrder, vec![w.op.clone(), d.op.clone()], text);
        }
        let path = history::written_path(d.p.path.as_deref(), resp);
        let rec = WriteRec { op: d.op.clone(), zxid: z, shape: d.p.shape, path: path.clone(), data: d.p.data };
        if let Some(other) = self.book.add(rec).and_then(|j| self.book.get(j)) {
            let text = format!("{} and {what} are different writes, yet both returned zxid {}", other.op.op, hex(z));
            d.violate(ViolationKind::DuplicateZxid, vec![other.op.clone(), d.op.clone()], text);
        }
        // Reads that showed this version before its write was answered.
        if let Some(list) = self.awaiting.remove(&z) {
            for r in list {
                if let Some(why) = self.book.by_zxid(z).and_then(|w| data_mismatch(w, &r.path, r.data)) {
                    let w = self.book.by_zxid(z).map(|w| w.op.clone()).unwrap_or_else(|| d.op.clone());
                    d.violate(ViolationKind::ReadData, vec![w, r.op.clone()], format!("{} {why}", r.op.op));
                }
            }
        }
        if let (Some(p), true) = (path, d.p.shape.moves_mzxid()) {
            let own = t.own.entry(p).or_insert((z, d.op.clone()));
            if own.0 < z {
                *own = (z, d.op.clone());
            }
        }
        (OpClass::WriteCommitted, format!("{what} committed as {} on {}", hex(z), d.server()))
    }

    fn read_done(&mut self, t: &Track, d: &mut Done) -> (OpClass, String) {
        let what = d.p.what();
        // NONODE is an answer about the replica, not a refusal.
        let answered = d.server_answered() && matches!(d.result, Ok(_) | Err(Code::NoNode));
        if !answered {
            let code = d.result.as_ref().err().copied().unwrap_or(Code::Ok);
            return (OpClass::ReadRefused(code), format!("{what} refused: {code:?}"));
        }
        let (r, srv) = (d.header, d.server());
        let by = self.book.above_in_first(r, d.p.writes_before);
        read_your_writes(t, d);
        self.read_data(d);
        match self.sync_then_read(t, d) {
            SyncVerdict::Violated => (OpClass::Violation, String::new()),
            SyncVerdict::Allowed { why, missed } => (
                OpClass::ReadAllowed1675 { by },
                format!("{what} on {srv} after sync missed {}, allowed by ZOOKEEPER-1675: {why}", hex(missed)),
            ),
            SyncVerdict::Fine if by == 0 => {
                (OpClass::ReadFresh, format!("{what} on {srv} is fresh ({srv} had applied {})", hex(r)))
            }
            SyncVerdict::Fine => {
                let upto = self.book.max_of_first(d.p.writes_before).map_or(0, |w| w.zxid);
                let text = format!(
                    "{what} on {srv} is stale by {}: {srv} last applied {}, writes up to {} had completed",
                    plural(by, "zxid"),
                    hex(r),
                    hex(upto)
                );
                (OpClass::ReadStale { by }, text)
            }
        }
    }

    /// The data of the version read must be what the write with that zxid
    /// stored (compared now, or when that write's answer arrives).
    fn read_data(&mut self, d: &mut Done) {
        let (Some(path), Some(Seen { mzxid, data: Some(fp) })) = (d.p.path.clone(), d.seen) else { return };
        match self.book.by_zxid(mzxid) {
            Some(w) => {
                if let Some(why) = data_mismatch(w, &path, fp) {
                    let text = format!("{} {why}", d.op.op);
                    d.violate(ViolationKind::ReadData, vec![w.op.clone(), d.op.clone()], text);
                }
            }
            None if mzxid != 0 => {
                self.awaiting.entry(mzxid).or_default().push(AwaitingRead { path, data: fp, op: d.op.clone() })
            }
            None => {}
        }
    }

    /// A read issued after a successful sync, answered on the same
    /// connection, must reflect every write completed before the sync was
    /// issued: the server's applied zxid and the node's version both.
    fn sync_then_read(&self, t: &Track, d: &mut Done) -> SyncVerdict {
        let Some(sm) = t.sync.as_ref().filter(|s| s.seq < d.p.seq && s.conn == t.conn) else {
            return SyncVerdict::Fine;
        };
        let global = self.book.max_of_first(sm.writes_before).filter(|w| w.zxid > d.header);
        let local = match (&d.p.path, d.seen) {
            (Some(p), Some(s)) => self.book.path_max_of_first(p, sm.writes_before).filter(|w| w.zxid > s.mzxid),
            _ => None,
        };
        let Some(w) = local.or(global) else { return SyncVerdict::Fine };
        if let Some(why) = self.allowed_1675(sm, w, d.op.server) {
            return SyncVerdict::Allowed { why, missed: w.zxid };
        }
        let srv = d.server();
        let shows = match (local.is_some(), d.seen) {
            (true, Some(s)) => format!("it showed the node at mzxid {}", hex(s.mzxid)),
            _ => format!("{srv} had applied only {}", hex(d.header)),
        };
        let text = format!(
            "{} on {srv}, issued after a sync answered at {}, missed {} ({} by client {}, completed at {}) although \
             it completed before the sync was issued at {}: {shows}",
            d.op.op,
            sm.op.completed.map_or_else(|| "?".into(), secs),
            hex(w.zxid),
            w.op.op,
            w.op.client_name,
            w.op.completed.map_or_else(|| "?".into(), secs),
            secs(sm.op.invoked)
        );
        d.violate(ViolationKind::SyncThenRead, vec![sm.op.clone(), w.op.clone(), d.op.clone()], text);
        SyncVerdict::Violated
    }

    /// ZOOKEEPER-1675: sync is not a quorum operation, so a server still
    /// following (or being) a deposed leader can answer it without the new
    /// leader's writes. Allowed when a leader was established between the
    /// sync's issue and now, or when the missed write belongs to a newer
    /// epoch than the one the answering server serves.
    fn allowed_1675(&self, sm: &SyncMark, w: &WriteRec, server: Option<NodeId>) -> Option<String> {
        if self.epochs > sm.epochs_before {
            return Some("a leader was established after the sync was issued".into());
        }
        let s = server?;
        let serving = self.servers.get(&s).and_then(|v| v.epoch)?;
        let written = w.zxid >> 32;
        (written > serving)
            .then(|| format!("server {s} serves epoch {serving}, the missed write was committed in epoch {written}"))
    }

    fn finish(&mut self, node: NodeId, d: Done, class: OpClass, text: String) {
        self.report.ops += 1;
        match class {
            OpClass::ReadStale { .. } => self.report.stale_reads += 1,
            OpClass::ReadAllowed1675 { .. } => self.report.allowed_1675 += 1,
            _ => {}
        }
        let tally = self.tally(node);
        match d.p.kind {
            OpKind::Write => tally.writes_waiting = tally.writes_waiting.saturating_sub(1),
            OpKind::Read => tally.reads_waiting = tally.reads_waiting.saturating_sub(1),
            _ => {}
        }
        match class {
            OpClass::WriteCommitted => tally.writes_committed += 1,
            OpClass::WriteFailed(_) => tally.writes_failed += 1,
            OpClass::ReadFresh => tally.reads_fresh += 1,
            OpClass::ReadStale { by } => {
                tally.reads_stale += 1;
                tally.stale_by_max = tally.stale_by_max.max(by);
            }
            OpClass::ReadAllowed1675 { .. } => tally.allowed_1675 += 1,
            OpClass::ReadRefused(_) => tally.reads_refused += 1,
            OpClass::SyncDone | OpClass::SyncFailed(_) => tally.syncs += 1,
            OpClass::OtherOk | OpClass::OtherFailed(_) => tally.other += 1,
            OpClass::Violation | OpClass::Waiting => {}
        }
        let (class, text) = match d.found.first() {
            Some(v) => (OpClass::Violation, format!("{} breaks {}: {}", d.op.op, v.kind.name(), v.text)),
            None => (class, text),
        };
        tally.latest = Some(OpNote { op: d.op, class, text });
        for v in d.found {
            self.flag(node, v);
        }
    }
}

/// Why a read of `path` with data `data` cannot have been made by write
/// `w` (the write whose zxid is the read's mzxid), if it cannot.
fn data_mismatch(w: &WriteRec, path: &str, data: u64) -> Option<String> {
    if !matches!(w.shape, Shape::Create | Shape::SetData) {
        return None;
    }
    if w.path.as_deref() != Some(path) {
        return Some(format!(
            "showed {path} at mzxid {}, but that zxid is {} (another node)",
            hex(w.zxid),
            w.op.op
        ));
    }
    (w.data != Some(data)).then(|| {
        format!("showed mzxid {} with other data than {} (zxid {}) stored", hex(w.zxid), w.op.op, hex(w.zxid))
    })
}

/// Replies come in the order the session issued the requests.
fn fifo(t: &Track, d: &mut Done) {
    if let Some(e) = t.earlier_pending(d.p.seq) {
        let earlier = t.op_ref(e, e.server, None);
        let text =
            format!("{} was answered before {}, which the session issued earlier and is still waiting", d.op.op, earlier.op);
        d.violate(ViolationKind::Fifo, vec![earlier, d.op.clone()], text);
    }
}

/// A session's reply zxid never goes back, whichever server answers.
fn monotonic(t: &mut Track, d: &mut Done) {
    match &t.high {
        Some((h, w)) if d.header < *h => {
            let text = format!(
                "client {} had seen zxid {} (the reply to {}), then {} on {} answered with {}: its view went back",
                d.op.client_name,
                hex(*h),
                w.op,
                d.op.op,
                d.server(),
                hex(d.header)
            );
            let w = w.clone();
            d.violate(ViolationKind::ZxidWentBack, vec![w, d.op.clone()], text);
        }
        Some((h, _)) if d.header == *h => {}
        _ => t.high = Some((d.header, d.op.clone())),
    }
}

/// A read never shows a node older than the session's own completed write
/// to it.
fn read_your_writes(t: &Track, d: &mut Done) {
    let (Some(path), Some(s)) = (&d.p.path, d.seen) else { return };
    let Some((z, w)) = t.own.get(path).filter(|(z, _)| s.mzxid < *z) else { return };
    let text = format!(
        "client {} wrote {path} at {} ({}), then {} showed it at mzxid {}",
        d.op.client_name,
        hex(*z),
        w.op,
        d.op.op,
        hex(s.mzxid)
    );
    d.violate(ViolationKind::ReadYourWrites, vec![w.clone(), d.op.clone()], text);
}

fn sync_done(t: &mut Track, d: &Done) -> (OpClass, String) {
    let what = d.p.what();
    match d.result {
        Ok(_) if d.server_answered() => {
            t.sync = Some(SyncMark {
                op: d.op.clone(),
                seq: d.p.seq,
                conn: t.conn,
                writes_before: d.p.writes_before,
                epochs_before: d.p.epochs_before,
            });
            (OpClass::SyncDone, format!("{what} done on {} ({} applied)", d.server(), hex(d.header)))
        }
        Ok(_) => (OpClass::SyncDone, format!("{what} done")),
        Err(code) => (OpClass::SyncFailed(*code), format!("{what} failed: {code:?}")),
    }
}

fn other_done(d: &Done) -> (OpClass, String) {
    let what = d.p.what();
    match d.result {
        Ok(_) => (OpClass::OtherOk, format!("{what} done")),
        Err(code) => (OpClass::OtherFailed(*code), format!("{what} failed: {code:?}")),
    }
}

/// A client with a one-shot data watch on a node gets the watch's event
/// before any reply showing a newer version of the node (or its absence).
fn watch_check(t: &mut Track, d: &mut Done) {
    let Some(path) = d.p.path.clone() else { return };
    if d.p.shape == Shape::Create {
        return; // the reply names the new node, perhaps another path
    }
    let gone = d.p.kind == OpKind::Read && *d.result == Err(Code::NoNode);
    let stale_watch = match d.seen {
        Some(s) => t.watches.get(&path).filter(|(m0, _)| s.mzxid > *m0),
        None if gone => t.watches.get(&path),
        None => None,
    };
    if let Some((m0, w)) = stale_watch.cloned() {
        t.watches.remove(&path);
        let now = match d.seen {
            Some(s) => format!("showed mzxid {}", hex(s.mzxid)),
            None => "found the node gone".into(),
        };
        let text = format!(
            "client {} had a data watch on {path} (set by {} at mzxid {}), then {} {now} before any event for it",
            d.op.client_name,
            w.op,
            hex(m0),
            d.op.op
        );
        d.violate(ViolationKind::WatchBeforeData, vec![w, d.op.clone()], text);
    }
    if d.p.watch && d.result.is_ok() {
        if let Some(s) = d.seen {
            t.watches.entry(path).or_insert((s.mzxid, d.op.clone()));
        }
    }
}
