//! The checker on small hand-written histories — one per guarantee, each
//! with the smallest counterexample it must name, and the allowed cases
//! next to the forbidden ones — and, natively, a property test against a
//! brute-force linearizability check of random write histories.

use super::report::{OpClass, Violation, ViolationKind};
use super::ConsistencyChecker;
use crate::trace::{Entry, Record};
use actor::{Instant, NodeId};
use zab::{ClientEvent, ClientState, ServerEvent, Zk, ZkEvent};
use znode::{Code, CreateMode, CreateOp, EventType, Request, Response, Stat, WatchedEvent, Zxid};

const S1: NodeId = NodeId(1);
const S2: NodeId = NodeId(2);
const S3: NodeId = NodeId(3);
const A: NodeId = NodeId(101);
const B: NodeId = NodeId(102);
const C: NodeId = NodeId(103);
const W: NodeId = NodeId(104);
const R: NodeId = NodeId(105);

/// A zxid: epoch in the high 32 bits, counter in the low.
fn zx(epoch: u64, counter: u64) -> Zxid {
    (epoch << 32) | counter
}

fn ms(t: u64) -> Instant {
    Instant(t * 1_000)
}

fn bytes(s: &str) -> Option<Vec<u8>> {
    Some(s.as_bytes().to_vec())
}

fn stat(mzxid: Zxid) -> Stat {
    Stat { czxid: mzxid, mzxid, ..Stat::default() }
}

fn set_req(path: &str, data: &str) -> Request {
    Request::SetData { path: path.into(), data: bytes(data), version: -1 }
}

fn create_req(path: &str, data: &str) -> Request {
    Request::Create {
        path: path.into(),
        data: bytes(data),
        acl: vec![],
        mode: CreateMode::Persistent,
        op: CreateOp::Create,
    }
}

fn get_req(path: &str, watch: bool) -> Request {
    Request::GetData { path: path.into(), watch }
}

fn data(d: &str, mzxid: Zxid) -> Result<Response, Code> {
    Ok(Response::Data { data: bytes(d), stat: stat(mzxid) })
}

/// A history being written down: events are kept in the order given and
/// handed to the checker sorted by time (stably, so equal times keep it).
#[derive(Default)]
struct History {
    entries: Vec<Entry<Zk>>,
}

impl History {
    fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, at: Instant, node: NodeId, event: ZkEvent) -> &mut Self {
        self.entries.push(Entry { at, what: Record::Emit { node, event } });
        self
    }

    fn client(&mut self, at: Instant, node: NodeId, ev: ClientEvent) -> &mut Self {
        self.push(at, node, ZkEvent::Client(ev))
    }

    fn server(&mut self, at: Instant, node: NodeId, ev: ServerEvent) -> &mut Self {
        self.push(at, node, ZkEvent::Server(ev))
    }

    /// The client connects to `server` with session `session`.
    fn connect(&mut self, t: u64, c: NodeId, server: NodeId, session: u64) -> &mut Self {
        self.client(ms(t), c, ClientEvent::State { state: ClientState::Connected, server: Some(server) });
        self.client(ms(t), c, ClientEvent::Session { id: session, timeout_ms: 30_000 })
    }

    fn invoke(&mut self, t: u64, c: NodeId, tag: u64, req: Request) -> &mut Self {
        self.client(ms(t), c, ClientEvent::Invoked { tag, req })
    }

    fn answer(&mut self, t: u64, c: NodeId, tag: u64, result: Result<Response, Code>, zxid: Zxid) -> &mut Self {
        self.client(ms(t), c, ClientEvent::Result { tag, result, zxid })
    }

    fn established(&mut self, t: u64, server: NodeId, epoch: u64) -> &mut Self {
        self.server(ms(t), server, ServerEvent::Established { epoch })
    }

    fn serving(&mut self, t: u64, server: NodeId, epoch: u64, leader: u64) -> &mut Self {
        self.server(ms(t), server, ServerEvent::Serving { epoch, leader })
    }

    fn watch_event(&mut self, t: u64, c: NodeId, kind: EventType, path: &str) -> &mut Self {
        self.client(ms(t), c, ClientEvent::Watch(WatchedEvent::node(kind, path)))
    }

    /// `setData path data`, invoked and committed as `z`.
    fn set(&mut self, c: NodeId, tag: u64, path: &str, d: &str, (inv, done): (u64, u64), z: Zxid) -> &mut Self {
        self.invoke(inv, c, tag, set_req(path, d)).answer(done, c, tag, Ok(Response::Stat(stat(z))), z)
    }

    fn create(&mut self, c: NodeId, tag: u64, path: &str, d: &str, (inv, done): (u64, u64), z: Zxid) -> &mut Self {
        let resp = Response::Create { path: path.into(), stat: None };
        self.invoke(inv, c, tag, create_req(path, d)).answer(done, c, tag, Ok(resp), z)
    }

    /// `getData path`, answered by a server that had applied `header`,
    /// showing the node at `mzxid` with data `d`.
    #[allow(clippy::too_many_arguments)]
    fn get(
        &mut self,
        c: NodeId,
        tag: u64,
        path: &str,
        (inv, done): (u64, u64),
        header: Zxid,
        d: &str,
        mzxid: Zxid,
    ) -> &mut Self {
        self.invoke(inv, c, tag, get_req(path, false)).answer(done, c, tag, data(d, mzxid), header)
    }

    /// `sync path`, answered by a server that had applied `header`.
    fn sync(&mut self, c: NodeId, tag: u64, path: &str, (inv, done): (u64, u64), header: Zxid) -> &mut Self {
        self.invoke(inv, c, tag, Request::Sync { path: path.into() })
            .answer(done, c, tag, Ok(Response::Path(path.into())), header)
    }

    fn check(&self) -> ConsistencyChecker {
        let mut sorted: Vec<&Entry<Zk>> = self.entries.iter().collect();
        sorted.sort_by_key(|e| e.at);
        let mut c = ConsistencyChecker::new();
        for (node, name) in [(A, "a"), (B, "b"), (C, "c"), (W, "w"), (R, "r")] {
            c.name_client(node, name);
        }
        for e in sorted {
            c.observe(e);
        }
        c
    }
}

fn kinds(c: &ConsistencyChecker) -> Vec<ViolationKind> {
    c.report().violations.iter().map(|v| v.kind).collect()
}

/// The one violation found, checked to be of `kind`.
fn only(c: &ConsistencyChecker, kind: ViolationKind) -> Violation {
    let r = c.report();
    assert_eq!(r.total_violations, 1, "exactly one violation:\n{}", r.render());
    let v = r.violations[0].clone();
    assert_eq!(v.kind, kind, "{}", r.render());
    v
}

/// (client, tag) of each operation a counterexample names.
fn names(v: &Violation) -> Vec<(NodeId, u64)> {
    v.ops.iter().map(|o| (o.client, o.tag)).collect()
}

fn assert_clean(c: &ConsistencyChecker) {
    assert!(c.ok(), "no violation expected:\n{}", c.report().render());
    assert_eq!(c.report().total_violations, 0);
    assert!(c.report().violations.is_empty());
}

// --- writes ---------------------------------------------------------------

#[test]
fn concurrent_writes_may_commit_in_any_zxid_order() {
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2).connect(0, C, S3, 3);
    // a and b overlap: b, invoked later and answered first, has the smaller
    // zxid — a linearization exists (b, then a).
    h.set(A, 1, "/x", "a", (1, 6), zx(1, 2));
    h.set(B, 1, "/x", "b", (2, 5), zx(1, 1));
    // c comes after both and gets a zxid above both.
    h.set(C, 1, "/x", "c", (7, 8), zx(1, 3));
    // a's next write, after c's completed, goes above it.
    h.set(A, 2, "/y", "a2", (9, 10), zx(1, 4));
    let c = h.check();
    assert_clean(&c);
    let r = c.report();
    assert_eq!(r.ops, 4);
    assert_eq!(r.clients[&A].writes_committed, 2);
    assert_eq!(r.clients[&B].writes_committed, 1);
    assert_eq!(r.clients[&C].writes_committed, 1);
    assert_eq!(r.clients[&A].writes_waiting, 0);
}

#[test]
fn a_write_invoked_after_another_completed_with_a_smaller_zxid_breaks_write_order() {
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2).connect(0, C, S3, 3);
    h.set(A, 1, "/x", "a", (1, 5), zx(1, 3));
    h.set(B, 1, "/x", "b", (2, 3), zx(1, 1));
    // Invoked after both completed; above b's zxid but below a's.
    h.set(C, 7, "/x", "c", (6, 8), zx(1, 2));
    let c = h.check();
    let v = only(&c, ViolationKind::WriteOrder);
    // The smallest counterexample: the completed write with the greater
    // zxid (a's, not b's), then the offending write.
    assert_eq!(names(&v), vec![(A, 1), (C, 7)], "{v}");
    assert_eq!(v.ops[0].zxid, Some(zx(1, 3)));
    assert_eq!(v.ops[1].zxid, Some(zx(1, 2)));
    assert_eq!(v.ops[0].completed, Some(ms(5)));
    assert_eq!(v.ops[1].invoked, ms(6));
    assert_eq!(v.at, ms(8));
    assert_eq!(c.report().clients[&C].violations, 1);
    assert_eq!(c.report().clients[&A].violations, 0);
    assert_eq!(c.report().clients[&C].latest.as_ref().map(|n| n.class), Some(OpClass::Violation));
}

#[test]
fn a_write_overlapping_the_greater_one_is_not_a_write_order_violation() {
    // The same zxids as above, but c is invoked before a completes.
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2).connect(0, C, S3, 3);
    h.set(A, 1, "/x", "a", (1, 5), zx(1, 3));
    h.set(B, 1, "/x", "b", (2, 3), zx(1, 1));
    h.set(C, 7, "/x", "c", (4, 8), zx(1, 2));
    assert_clean(&h.check());
}

#[test]
fn two_writes_with_the_same_zxid_are_a_duplicate() {
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2);
    h.set(A, 1, "/x", "a", (1, 3), zx(1, 1));
    h.set(B, 4, "/y", "b", (2, 4), zx(1, 1));
    let c = h.check();
    let v = only(&c, ViolationKind::DuplicateZxid);
    assert_eq!(names(&v), vec![(A, 1), (B, 4)], "{v}");
    assert_eq!(v.at, ms(4));
}

#[test]
fn a_failed_write_takes_no_zxid() {
    // A write the client library failed (reply zxid 0) is not in the book:
    // a later write is not compared with it, and its error is tallied.
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2);
    h.set(A, 1, "/x", "a", (1, 2), zx(1, 5));
    h.invoke(3, B, 1, set_req("/x", "b")).answer(4, B, 1, Err(Code::ConnectionLoss), 0);
    h.set(B, 2, "/x", "b", (5, 6), zx(1, 6));
    let c = h.check();
    assert_clean(&c);
    assert_eq!(c.report().clients[&B].writes_failed, 1);
    assert_eq!(c.report().clients[&B].writes_committed, 1);
}

// --- sessions -------------------------------------------------------------

/// Client a reads on server 1, moves to server 2 with session `second`,
/// and reads there with an older reply zxid.
fn went_back(second: u64) -> ConsistencyChecker {
    let mut h = History::new();
    h.connect(0, A, S1, 0x10);
    h.invoke(1, A, 1, Request::Exists { path: "/x".into(), watch: false }).answer(2, A, 1, Err(Code::NoNode), zx(1, 5));
    h.client(ms(3), A, ClientEvent::State { state: ClientState::Connecting, server: Some(S2) });
    h.connect(4, A, S2, second);
    h.invoke(5, A, 2, Request::Exists { path: "/x".into(), watch: false }).answer(6, A, 2, Err(Code::NoNode), zx(1, 3));
    h.check()
}

#[test]
fn a_sessions_reply_zxid_must_not_go_back() {
    let c = went_back(0x10);
    let v = only(&c, ViolationKind::ZxidWentBack);
    assert_eq!(names(&v), vec![(A, 1), (A, 2)], "{v}");
    assert_eq!(v.ops[0].zxid, Some(zx(1, 5)));
    assert_eq!(v.ops[1].zxid, Some(zx(1, 3)));
    assert_eq!(v.ops[1].server, Some(S2));
}

#[test]
fn a_new_session_may_start_behind_the_old_ones_view() {
    assert_clean(&went_back(0x11));
}

#[test]
fn replies_out_of_request_order_break_fifo() {
    let mut h = History::new();
    h.connect(0, A, S1, 1);
    h.invoke(1, A, 1, get_req("/x", false));
    h.invoke(2, A, 2, Request::Exists { path: "/y".into(), watch: false });
    h.answer(3, A, 2, Err(Code::NoNode), zx(1, 1));
    h.answer(4, A, 1, Err(Code::NoNode), zx(1, 1));
    let c = h.check();
    let v = only(&c, ViolationKind::Fifo);
    // The earlier request still waiting, then the reply that overtook it.
    assert_eq!(names(&v), vec![(A, 1), (A, 2)], "{v}");
    assert_eq!(v.ops[0].completed, None);
    assert_eq!(v.at, ms(3));
}

#[test]
fn replies_in_request_order_are_fifo() {
    let mut h = History::new();
    h.connect(0, A, S1, 1);
    h.invoke(1, A, 1, get_req("/x", false));
    h.invoke(2, A, 2, Request::Exists { path: "/y".into(), watch: false });
    h.answer(3, A, 1, Err(Code::NoNode), zx(1, 1));
    h.answer(4, A, 2, Err(Code::NoNode), zx(1, 1));
    assert_clean(&h.check());
}

// --- sync, then read ------------------------------------------------------

/// w creates /x ("old") then sets it ("new") through the leader, server 3;
/// then r, on server 1, syncs and reads /x, seeing `seen`. `between`
/// runs between the sync's issue and the read's answer.
fn sync_then_read(seen: (&str, Zxid), between: impl FnOnce(&mut History)) -> ConsistencyChecker {
    let mut h = History::new();
    h.established(0, S3, 1).serving(0, S1, 1, 3).serving(0, S2, 1, 3);
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.create(W, 1, "/x", "old", (1, 2), zx(1, 1));
    h.set(W, 2, "/x", "new", (3, 4), zx(1, 2));
    h.sync(R, 1, "/x", (5, 6), seen.1);
    h.get(R, 2, "/x", (7, 9), seen.1, seen.0, seen.1);
    between(&mut h);
    h.check()
}

#[test]
fn a_read_after_sync_must_reflect_writes_completed_before_the_sync() {
    let c = sync_then_read(("old", zx(1, 1)), |_| {});
    let v = only(&c, ViolationKind::SyncThenRead);
    // The sync, the write it missed, the read.
    assert_eq!(names(&v), vec![(R, 1), (W, 2), (R, 2)], "{v}");
    assert_eq!(v.ops[0].op, "sync /x");
    assert_eq!(v.ops[1].zxid, Some(zx(1, 2)));
    assert_eq!(v.ops[2].mzxid, Some(zx(1, 1)));
    assert_eq!(c.report().allowed_1675, 0);
    assert_eq!(c.report().stale_reads, 0, "a violation is not counted as a stale read");
}

#[test]
fn a_read_after_sync_that_sees_the_write_is_fresh() {
    let c = sync_then_read(("new", zx(1, 2)), |_| {});
    assert_clean(&c);
    let t = &c.report().clients[&R];
    assert_eq!((t.reads_fresh, t.reads_stale, t.syncs), (1, 0, 1));
}

#[test]
fn a_leader_established_after_the_sync_allows_the_stale_read_by_zookeeper_1675() {
    let c = sync_then_read(("old", zx(1, 1)), |h| {
        h.established(8, S2, 2);
    });
    assert_clean(&c);
    let r = c.report();
    assert_eq!(r.allowed_1675, 1);
    assert_eq!(r.stale_reads, 0);
    assert_eq!(r.clients[&R].allowed_1675, 1);
    let latest = r.clients[&R].latest.as_ref().expect("r's read");
    assert_eq!(latest.class, OpClass::ReadAllowed1675 { by: 1 }, "{}", latest.text);
}

#[test]
fn a_leader_established_before_the_sync_allows_nothing() {
    let mut h = History::new();
    h.established(0, S3, 1).serving(0, S1, 1, 3);
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.create(W, 1, "/x", "old", (1, 2), zx(1, 1));
    h.set(W, 2, "/x", "new", (3, 4), zx(1, 2));
    // A new leader, before the sync is issued at 5: the sync must then
    // bring server 1 up to every write completed before it.
    h.established(4, S2, 2);
    h.sync(R, 1, "/x", (5, 6), zx(1, 1));
    h.get(R, 2, "/x", (7, 9), zx(1, 1), "old", zx(1, 1));
    let c = h.check();
    only(&c, ViolationKind::SyncThenRead);
    assert_eq!(c.report().allowed_1675, 0);
}

#[test]
fn a_read_after_sync_may_miss_writes_completed_after_the_sync_was_issued() {
    let mut h = History::new();
    h.established(0, S3, 1).serving(0, S1, 1, 3);
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.create(W, 1, "/x", "old", (1, 2), zx(1, 1));
    h.sync(R, 1, "/x", (3, 6), zx(1, 1));
    h.set(W, 2, "/x", "new", (4, 5), zx(1, 2));
    h.get(R, 2, "/x", (7, 8), zx(1, 1), "old", zx(1, 1));
    let c = h.check();
    assert_clean(&c);
    // Not a violation, but stale: the set completed before the read.
    assert_eq!(c.report().stale_reads, 1);
    assert_eq!(c.report().clients[&R].stale_by_max, 1);
}

#[test]
fn a_sync_binds_only_reads_on_its_own_connection() {
    let mut h = History::new();
    h.established(0, S3, 1).serving(0, S1, 1, 3).serving(0, S2, 1, 3);
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.create(W, 1, "/x", "old", (1, 2), zx(1, 1));
    h.set(W, 2, "/x", "new", (3, 4), zx(1, 2));
    h.sync(R, 1, "/x", (5, 6), zx(1, 2));
    // r moves to server 2 (same session), which has applied zx(1,2) but
    // shows /x older: no sync on this connection, so only stale.
    h.connect(7, R, S2, 0x10);
    h.get(R, 2, "/x", (8, 9), zx(1, 2), "old", zx(1, 1));
    let c = h.check();
    assert_clean(&c);
    // The reply zxid shows everything applied: fresh by the header.
    assert_eq!(c.report().clients[&R].reads_fresh, 1);
}

/// A server still serving epoch `serving` answers r's sync and read,
/// missing a write committed in epoch 2 before the sync.
fn newer_epoch(serving: u64) -> ConsistencyChecker {
    let mut h = History::new();
    h.established(0, S3, 1).serving(0, S1, 1, 3);
    h.established(1, S2, 2);
    h.serving(1, S1, serving, if serving == 2 { 2 } else { 3 });
    h.connect(1, W, S2, 0x20).connect(1, R, S1, 0x10);
    h.create(W, 1, "/x", "v", (2, 3), zx(2, 1));
    h.sync(R, 1, "/x", (4, 5), zx(1, 7));
    h.invoke(6, R, 2, get_req("/x", false)).answer(7, R, 2, Err(Code::NoNode), zx(1, 7));
    h.check()
}

#[test]
fn a_read_after_sync_on_a_server_of_an_older_epoch_is_allowed_by_zookeeper_1675() {
    let c = newer_epoch(1);
    assert_clean(&c);
    assert_eq!(c.report().allowed_1675, 1);
    // The same history on a server that serves epoch 2 breaks the guarantee.
    let c = newer_epoch(2);
    let v = only(&c, ViolationKind::SyncThenRead);
    assert_eq!(names(&v), vec![(R, 1), (W, 1), (R, 2)], "{v}");
}

// --- stale reads, read-your-writes, data ----------------------------------

#[test]
fn a_stale_read_without_sync_is_allowed_and_counted() {
    let mut h = History::new();
    h.established(0, S3, 1).serving(0, S1, 1, 3);
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.create(W, 1, "/x", "v0", (1, 2), zx(1, 1));
    h.set(W, 2, "/x", "v1", (3, 4), zx(1, 2));
    h.set(W, 3, "/x", "v2", (5, 6), zx(1, 3));
    // Completed while r's read is out (invoked before it, answered before
    // its answer): not one the read must reflect, so not counted as missed.
    h.set(W, 4, "/x", "v3", (7, 9), zx(1, 4));
    h.get(R, 1, "/x", (8, 10), zx(1, 1), "v0", zx(1, 1));
    let c = h.check();
    assert_clean(&c);
    let r = c.report();
    assert_eq!(r.stale_reads, 1);
    assert_eq!(r.allowed_1675, 0);
    let t = &r.clients[&R];
    assert_eq!((t.reads_stale, t.reads_fresh), (1, 0));
    assert_eq!(t.stale_by_max, 2, "it missed zx(1,2) and zx(1,3)");
    assert_eq!(t.latest.as_ref().map(|n| n.class), Some(OpClass::ReadStale { by: 2 }));
}

#[test]
fn a_read_must_not_show_a_node_older_than_the_sessions_own_write() {
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2);
    h.set(B, 1, "/x", "b", (1, 2), zx(1, 1));
    h.set(A, 1, "/x", "a", (3, 4), zx(1, 2));
    h.set(B, 2, "/y", "b", (5, 6), zx(1, 3));
    // a's server has applied zx(1,3), so its reply zxid goes up; but it
    // shows /x at b's version, older than a's own write.
    h.get(A, 2, "/x", (7, 8), zx(1, 3), "b", zx(1, 1));
    let c = h.check();
    let v = only(&c, ViolationKind::ReadYourWrites);
    assert_eq!(names(&v), vec![(A, 1), (A, 2)], "{v}");
    // Another session may see that version: only stale.
    let mut h = History::new();
    h.connect(0, A, S1, 1).connect(0, B, S2, 2).connect(0, C, S1, 3);
    h.set(B, 1, "/x", "b", (1, 2), zx(1, 1));
    h.set(A, 1, "/x", "a", (3, 4), zx(1, 2));
    h.get(C, 1, "/x", (7, 8), zx(1, 1), "b", zx(1, 1));
    let c = h.check();
    assert_clean(&c);
    assert_eq!(c.report().stale_reads, 1);
}

#[test]
fn a_read_showing_a_writes_mzxid_with_other_data_is_a_data_violation() {
    let mut h = History::new();
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.set(W, 1, "/x", "v1", (1, 2), zx(1, 1));
    h.get(R, 1, "/x", (3, 4), zx(1, 1), "v2", zx(1, 1));
    let c = h.check();
    let v = only(&c, ViolationKind::ReadData);
    assert_eq!(names(&v), vec![(W, 1), (R, 1)], "{v}");
    // The right data is fine.
    let mut h = History::new();
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.set(W, 1, "/x", "v1", (1, 2), zx(1, 1));
    h.get(R, 1, "/x", (3, 4), zx(1, 1), "v1", zx(1, 1));
    assert_clean(&h.check());
}

#[test]
fn a_read_ahead_of_its_writes_answer_is_compared_when_the_answer_comes() {
    // r sees the version before w hears its write committed.
    let mut h = History::new();
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.set(W, 1, "/x", "v1", (1, 6), zx(1, 1));
    h.get(R, 1, "/x", (2, 3), zx(1, 1), "v2", zx(1, 1));
    let c = h.check();
    let v = only(&c, ViolationKind::ReadData);
    assert_eq!(names(&v), vec![(W, 1), (R, 1)], "{v}");
    assert_eq!(v.at, ms(6), "found when the write's answer arrives");
    let mut h = History::new();
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.set(W, 1, "/x", "v1", (1, 6), zx(1, 1));
    h.get(R, 1, "/x", (2, 3), zx(1, 1), "v1", zx(1, 1));
    assert_clean(&h.check());
}

#[test]
fn a_read_showing_another_nodes_zxid_is_a_data_violation() {
    let mut h = History::new();
    h.connect(0, W, S3, 0x30).connect(0, R, S1, 0x10);
    h.set(W, 1, "/y", "v1", (1, 2), zx(1, 1));
    h.get(R, 1, "/x", (3, 4), zx(1, 1), "v1", zx(1, 1));
    only(&h.check(), ViolationKind::ReadData);
}

// --- watches --------------------------------------------------------------

/// r reads /x with a watch, w changes it, then r reads it again; with
/// `event` r got the watch's event first.
fn watch_then_read(event: bool) -> ConsistencyChecker {
    let mut h = History::new();
    h.connect(0, W, S3, 0x30).connect(0, R, S3, 0x10);
    h.create(W, 1, "/x", "v0", (1, 2), zx(1, 1));
    h.invoke(3, R, 1, get_req("/x", true)).answer(4, R, 1, data("v0", zx(1, 1)), zx(1, 1));
    h.set(W, 2, "/x", "v1", (5, 6), zx(1, 2));
    if event {
        h.watch_event(7, R, EventType::NodeDataChanged, "/x");
    }
    h.get(R, 2, "/x", (8, 9), zx(1, 2), "v1", zx(1, 2));
    h.check()
}

#[test]
fn a_reply_showing_newer_data_before_the_watch_event_breaks_watch_order() {
    let c = watch_then_read(false);
    let v = only(&c, ViolationKind::WatchBeforeData);
    assert_eq!(names(&v), vec![(R, 1), (R, 2)], "{v}");
}

#[test]
fn the_watch_event_before_the_newer_data_is_fine() {
    assert_clean(&watch_then_read(true));
}

// --- waiting --------------------------------------------------------------

#[test]
fn an_unanswered_operation_is_listed_as_waiting_with_why() {
    let mut h = History::new();
    h.connect(0, A, S1, 1);
    h.invoke(1, A, 1, set_req("/x", "a"));
    let c = h.check();
    let w = c.waiting(ms(3_001));
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].class, OpClass::Waiting);
    assert_eq!(w[0].op.tag, 1);
    assert!(w[0].text.contains("waiting 3.0 s"), "{}", w[0].text);
    assert!(w[0].text.contains("server 1 has not answered yet"), "{}", w[0].text);
    assert_eq!(c.report().clients[&A].writes_waiting, 1);
    assert!(kinds(&c).is_empty());
}

// --- a property: write linearizability against brute force ---------------

#[cfg(not(target_arch = "wasm32"))]
mod property {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// One generated write: its client, when it is invoked and how long it
    /// takes (in ticks), where its linearization point falls inside that,
    /// and whether the client library fails it.
    #[derive(Clone, Debug)]
    struct GenWrite {
        client: u32,
        inv: u64,
        dur: u64,
        point: u64,
        fails: bool,
    }

    /// One generated read, each by a client of its own: when, and which of
    /// the writes it may see it shows.
    #[derive(Clone, Debug)]
    struct GenRead {
        inv: u64,
        dur: u64,
        pick: usize,
    }

    #[derive(Clone, Debug)]
    enum Zxids {
        /// In the order of the linearization points.
        Valid,
        /// Valid, then two writes' zxids swapped.
        Swap(usize, usize),
        /// Valid, then one write's zxid replaced.
        Replace(usize, u64),
        /// Drawn at random from a small range (duplicates likely).
        Random(Vec<u64>),
    }

    fn write() -> impl Strategy<Value = GenWrite> {
        (0u32..3, 0u64..20, 1u64..12, any::<u64>(), prop::bool::weighted(0.15))
            .prop_map(|(client, inv, dur, point, fails)| GenWrite { client, inv, dur, point, fails })
    }

    fn read() -> impl Strategy<Value = GenRead> {
        (0u64..30, 1u64..8, any::<usize>()).prop_map(|(inv, dur, pick)| GenRead { inv, dur, pick })
    }

    fn zxids() -> impl Strategy<Value = Zxids> {
        prop_oneof![
            2 => Just(Zxids::Valid),
            1 => (0usize..7, 0usize..7).prop_map(|(i, j)| Zxids::Swap(i, j)),
            1 => (0usize..7, 1u64..10).prop_map(|(i, z)| Zxids::Replace(i, z)),
            1 => prop::collection::vec(1u64..9, 7).prop_map(Zxids::Random),
        ]
    }

    /// Trace keys: at the same tick a completion comes before an
    /// invocation, so "a completed before b was invoked" is `done(a) <
    /// inv(b)` on keys.
    fn inv_key(t: u64) -> u64 {
        2 * t + 1
    }

    fn done_key(t: u64) -> u64 {
        2 * t
    }

    /// A write of the history, as the brute force sees it.
    #[derive(Clone, Copy, Debug)]
    struct Op {
        inv: u64,
        done: u64,
        zxid: Zxid,
    }

    /// Linearizability of the completed writes, by enumeration: is there a
    /// total order that respects real time (a before b whenever a
    /// completed before b was invoked) in which zxids strictly increase?
    fn brute_force_accepts(ops: &[Op]) -> bool {
        let distinct: BTreeSet<Zxid> = ops.iter().map(|o| o.zxid).collect();
        if distinct.len() != ops.len() {
            return false;
        }
        fn extend(ops: &[Op], order: &mut Vec<usize>, used: &mut [bool]) -> bool {
            if order.len() == ops.len() {
                return order.windows(2).all(|w| ops[w[0]].zxid < ops[w[1]].zxid);
            }
            for x in 0..ops.len() {
                // x may come next if every write that precedes it is placed.
                let ready = !used[x] && (0..ops.len()).all(|y| used[y] || ops[y].done >= ops[x].inv);
                if ready {
                    used[x] = true;
                    order.push(x);
                    let found = extend(ops, order, used);
                    order.pop();
                    used[x] = false;
                    if found {
                        return true;
                    }
                }
            }
            false
        }
        extend(ops, &mut Vec::new(), &mut vec![false; ops.len()])
    }

    #[test]
    fn brute_force_is_itself_right_on_small_cases() {
        let op = |inv, done, zxid| Op { inv, done, zxid };
        // Sequential, increasing.
        assert!(brute_force_accepts(&[op(1, 2, 1), op(3, 4, 2)]));
        // Sequential, decreasing.
        assert!(!brute_force_accepts(&[op(1, 2, 2), op(3, 4, 1)]));
        // Concurrent, either order.
        assert!(brute_force_accepts(&[op(1, 4, 2), op(3, 6, 1)]));
        // Duplicates.
        assert!(!brute_force_accepts(&[op(1, 4, 2), op(3, 6, 2)]));
        // a ‖ b, a ‖ c, b before c: c must be above b only.
        assert!(brute_force_accepts(&[op(1, 10, 1), op(2, 3, 2), op(5, 6, 3)]));
        assert!(!brute_force_accepts(&[op(1, 10, 1), op(2, 3, 3), op(5, 6, 2)]));
    }

    /// The zxid each write gets.
    fn assign(writes: &[GenWrite], how: &Zxids) -> Vec<Zxid> {
        let n = writes.len();
        // A linearization point inside each interval, on trace keys.
        let point = |w: &GenWrite| {
            let (lo, hi) = (inv_key(w.inv), done_key(w.inv + w.dur));
            lo + w.point % (hi - lo + 1)
        };
        let mut by_point: Vec<usize> = (0..n).collect();
        by_point.sort_by_key(|&i| (point(&writes[i]), i));
        let mut z = vec![0; n];
        for (rank, &i) in by_point.iter().enumerate() {
            z[i] = zx(1, 1 + rank as u64);
        }
        match how {
            Zxids::Valid => {}
            Zxids::Swap(i, j) => z.swap(i % n, j % n),
            Zxids::Replace(i, v) => z[i % n] = zx(1, *v),
            Zxids::Random(v) => {
                for (k, zz) in z.iter_mut().enumerate() {
                    *zz = zx(1, v[k]);
                }
            }
        }
        z
    }

    /// The trace of a generated history: writes, and (if asked) reads each
    /// showing a write invoked before the read completed.
    fn history(writes: &[GenWrite], z: &[Zxid], reads: &[GenRead]) -> (Vec<Entry<Zk>>, Vec<(NodeId, u64)>) {
        // (key, order of pushing, node, event)
        let mut ev: Vec<(u64, usize, NodeId, ClientEvent)> = Vec::new();
        let mut push = |key: u64, node: NodeId, e: ClientEvent| {
            let k = ev.len();
            ev.push((key, k, node, e));
        };
        for c in 0..3u32 {
            push(0, NodeId(101 + c), ClientEvent::State { state: ClientState::Connected, server: Some(S1) });
            push(0, NodeId(101 + c), ClientEvent::Session { id: 0x100 + u64::from(c), timeout_ms: 30_000 });
        }
        for (i, w) in writes.iter().enumerate() {
            let node = NodeId(101 + w.client);
            let tag = i as u64;
            push(inv_key(w.inv), node, ClientEvent::Invoked { tag, req: set_req("/k", &format!("v{i}")) });
            let (result, header) =
                if w.fails { (Err(Code::ConnectionLoss), 0) } else { (Ok(Response::Stat(stat(z[i]))), z[i]) };
            push(done_key(w.inv + w.dur), node, ClientEvent::Result { tag, result, zxid: header });
        }
        let mut expected_stale = Vec::new();
        for (k, r) in reads.iter().enumerate() {
            let node = NodeId(201 + k as u32);
            let (inv, done) = (inv_key(r.inv), done_key(r.inv + r.dur));
            // Writes that committed before the read completed or were
            // concurrent with it: any of them is a version a replica may
            // show.
            let visible: Vec<usize> =
                (0..writes.len()).filter(|&i| !writes[i].fails && inv_key(writes[i].inv) < done).collect();
            if visible.is_empty() {
                continue;
            }
            let i = visible[r.pick % visible.len()];
            push(0, node, ClientEvent::State { state: ClientState::Connected, server: Some(S2) });
            push(0, node, ClientEvent::Session { id: 0x200 + k as u64, timeout_ms: 30_000 });
            push(inv, node, ClientEvent::Invoked { tag: 1, req: get_req("/k", false) });
            push(done, node, ClientEvent::Result { tag: 1, result: data(&format!("v{i}"), z[i]), zxid: z[i] });
            // Missed: writes completed before the read was invoked, above
            // the zxid the read returned.
            let missed = (0..writes.len())
                .filter(|&j| !writes[j].fails && done_key(writes[j].inv + writes[j].dur) < inv && z[j] > z[i])
                .count();
            expected_stale.push((node, missed as u64));
        }
        ev.sort_by_key(|(key, k, _, _)| (*key, *k));
        let entries = ev
            .into_iter()
            .map(|(key, _, node, e)| Entry { at: Instant(key), what: Record::Emit { node, event: ZkEvent::Client(e) } })
            .collect();
        (entries, expected_stale)
    }

    fn run(entries: &[Entry<Zk>]) -> ConsistencyChecker {
        let mut c = ConsistencyChecker::new();
        for e in entries {
            c.observe(e);
        }
        c
    }

    fn is_write_kind(v: &Violation) -> bool {
        matches!(v.kind, ViolationKind::WriteOrder | ViolationKind::DuplicateZxid)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn write_order_is_flagged_iff_no_linearization_exists(
            writes in prop::collection::vec(write(), 1..=7),
            how in zxids(),
            reads in prop::collection::vec(read(), 0..=4),
        ) {
            let z = assign(&writes, &how);
            let completed: Vec<Op> = writes
                .iter()
                .zip(&z)
                .filter(|(w, _)| !w.fails)
                .map(|(w, &zxid)| Op { inv: inv_key(w.inv), done: done_key(w.inv + w.dur), zxid })
                .collect();
            let accepts = brute_force_accepts(&completed);
            if matches!(how, Zxids::Valid) {
                prop_assert!(accepts, "a valid linearization must be accepted: {completed:?}");
            }

            let (entries, _) = history(&writes, &z, &[]);
            let c = run(&entries);
            let r = c.report();
            let flagged: Vec<&Violation> = r.violations.iter().filter(|v| is_write_kind(v)).collect();
            prop_assert_eq!(flagged.is_empty(), accepts, "brute force {}, checker:\n{}", accepts, r.render());
            // Every counterexample is one.
            for v in &flagged {
                prop_assert_eq!(v.ops.len(), 2);
                let (a, b) = (&v.ops[0], &v.ops[1]);
                prop_assert_ne!(a.tag, b.tag);
                match v.kind {
                    ViolationKind::WriteOrder => {
                        prop_assert!(a.completed.expect("completed") < b.invoked, "{}", v);
                        prop_assert!(a.zxid > b.zxid, "{}", v);
                    }
                    _ => prop_assert_eq!(a.zxid, b.zxid),
                }
            }

            // Reads that show a committed or concurrent write never break
            // anything (when zxids name writes uniquely), and are stale by
            // exactly the completed writes above what they show.
            let distinct: BTreeSet<Zxid> = completed.iter().map(|o| o.zxid).collect();
            if distinct.len() == completed.len() {
                let (with_reads, stale) = history(&writes, &z, &reads);
                let c2 = run(&with_reads);
                let r2 = c2.report();
                prop_assert_eq!(&r2.violations, &r.violations, "reads added violations:\n{}", r2.render());
                prop_assert_eq!(r2.total_violations, r.total_violations);
                let mut stale_reads = 0;
                for (node, missed) in stale {
                    let t = &r2.clients[&node];
                    if missed == 0 {
                        prop_assert_eq!((t.reads_fresh, t.reads_stale), (1, 0));
                    } else {
                        stale_reads += 1;
                        prop_assert_eq!((t.reads_fresh, t.reads_stale, t.stale_by_max), (0, 1, missed));
                    }
                }
                prop_assert_eq!(r2.stale_reads, stale_reads);
            }
        }
    }
}
