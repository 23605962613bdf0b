//! Properties of the request pipeline's prepare step (PrepRequestProcessor):
//! outstanding change records, sequential naming and multi rollback.

use actor::{Instant, NodeId};
use proptest::prelude::*;
use zab::server::core::{PipelineOp, PipelineRequest, ServerCore};
use zab::server::db::ZkDatabase;
use zab::server::prep::Prepared;
use zab::server::sessions::Owner;
use zab::ServerConfig;
use znode::{Acl, CreateMode, CreateOp, DataTree, MultiOp, Request, Txn};

/// A server core with one session, driven directly.
struct Pipeline {
    core: ServerCore,
    session: u64,
}

impl Pipeline {
    fn new() -> Self {
        let cfg = ServerConfig { extended_types_enabled: true, ..ServerConfig::sample() };
        let mut core = ServerCore::new(cfg, NodeId(1), ZkDatabase::new(), Instant::ZERO);
        let session = core.sessions.create_session(30_000, 0);
        Pipeline { core, session }
    }

    fn prepare(&mut self, req: &Request) -> PipelineRequest {
        let mut r = PipelineRequest {
            conn: None,
            session: self.session,
            xid: 1,
            op: PipelineOp::Client(req.clone()),
            auth: vec![znode::Id::new("ip", "127.0.0.1")],
            arrived_ms: 0,
            prepared: None,
        };
        self.core.prepare(&mut r, Owner::Local, Instant::ZERO);
        r
    }

    fn apply(&mut self, r: &PipelineRequest) {
        if let Some(t) = r.logged() {
            self.core.db.apply(&t, &mut Vec::new());
            self.core.prep.applied(t.header.zxid);
        }
    }

    fn tree(&self) -> &DataTree {
        &self.core.db.tree
    }
}

/// One node as far as a comparison cares: path, data, Stat, ACL.
type NodeContents = (String, Option<Vec<u8>>, znode::Stat, Vec<Acl>);

/// What a tree holds, for comparing two trees.
fn contents(t: &DataTree) -> Vec<NodeContents> {
    t.iter().map(|(p, n)| (p.clone(), n.data.clone(), n.client_stat(), n.acl.clone())).collect()
}

fn txns(rs: &[PipelineRequest]) -> Vec<Option<Txn>> {
    rs.iter()
        .map(|r| match &r.prepared {
            Some(Prepared::Txn { txn, .. }) => Some(txn.clone()),
            _ => None,
        })
        .collect()
}

const PATHS: &[&str] = &["/a", "/a/b", "/a/c", "/q", "/q/x", "/e", "/e/x"];

fn path() -> impl Strategy<Value = String> {
    prop::sample::select(PATHS).prop_map(str::to_string)
}

fn mode() -> impl Strategy<Value = CreateMode> {
    prop::sample::select(vec![
        CreateMode::Persistent,
        CreateMode::Persistent,
        CreateMode::Ephemeral,
        CreateMode::PersistentSequential,
        CreateMode::EphemeralSequential,
        CreateMode::Container,
    ])
}

fn create(path: String, mode: CreateMode) -> (String, Option<Vec<u8>>, Vec<Acl>, CreateMode, CreateOp) {
    let path = if mode.is_sequential() { format!("{path}/s-") } else { path };
    (path, Some(b"v".to_vec()), Acl::open(), mode, CreateOp::for_mode(mode, None, true))
}

fn multi_op() -> impl Strategy<Value = MultiOp> {
    let version = prop::sample::select(vec![-1, -1, 0, 1]);
    prop_oneof![
        (path(), mode()).prop_map(|(p, m)| {
            let (path, data, acl, mode, _) = create(p, m);
            MultiOp::Create { path, data, acl, mode, op: CreateOp::Create }
        }),
        (path(), version.clone()).prop_map(|(path, version)| MultiOp::Delete { path, version }),
        (path(), version.clone()).prop_map(|(path, version)| MultiOp::SetData {
            path,
            data: Some(b"m".to_vec()),
            version
        }),
        (path(), version).prop_map(|(path, version)| MultiOp::Check { path, version }),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    let version = prop::sample::select(vec![-1, -1, 0, 1]);
    prop_oneof![
        3 => (path(), mode()).prop_map(|(p, m)| {
            let (path, data, acl, mode, op) = create(p, m);
            Request::Create { path, data, acl, mode, op }
        }),
        1 => (path(), version.clone()).prop_map(|(path, version)| Request::Delete { path, version }),
        1 => (path(), version.clone()).prop_map(|(path, version)| Request::SetData { path, data: Some(b"x".to_vec()), version }),
        1 => (path(), version).prop_map(|(path, version)| Request::SetAcl { path, acl: Acl::open(), version }),
        2 => prop::collection::vec(multi_op(), 1..5).prop_map(Request::Multi),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Preparing a whole batch before applying any of it (as a busy
    /// server's pipeline does) gives the same transactions and the same
    /// tree as preparing and applying one request at a time: outstanding
    /// change records, multi rollback included, stand in exactly for the
    /// tree.
    #[test]
    fn pipelined_prepare_matches_one_at_a_time(reqs in prop::collection::vec(request(), 1..25)) {
        let mut serial = Pipeline::new();
        let mut one_by_one = Vec::new();
        for r in &reqs {
            let p = serial.prepare(r);
            serial.apply(&p);
            one_by_one.push(p);
        }
        let mut piped = Pipeline::new();
        let batch: Vec<_> = reqs.iter().map(|r| piped.prepare(r)).collect();
        for p in &batch {
            piped.apply(p);
        }
        prop_assert_eq!(txns(&batch), txns(&one_by_one));
        prop_assert_eq!(contents(piped.tree()), contents(serial.tree()));
        prop_assert_eq!(piped.core.prep.outstanding_len(), 0);
    }

    /// A failed multi changes nothing, and leaves nothing behind that
    /// changes how later requests are judged.
    #[test]
    fn a_failed_multi_leaves_no_trace(
        setup in prop::collection::vec(request(), 0..10),
        ops in prop::collection::vec(multi_op(), 1..5),
        after in prop::collection::vec(request(), 1..8),
    ) {
        let mut with = Pipeline::new();
        let mut without = Pipeline::new();
        for r in &setup {
            for p in [&mut with, &mut without] {
                let prepared = p.prepare(r);
                p.apply(&prepared);
            }
        }
        let before = contents(with.tree());
        let multi = with.prepare(&Request::Multi(ops));
        let failed = matches!(&multi.prepared, Some(Prepared::Txn { error: Some(_), .. }));
        // Later requests are prepared while the multi is still outstanding.
        let later_with: Vec<_> = after.iter().map(|r| with.prepare(r)).collect();
        with.apply(&multi);
        if failed {
            prop_assert_eq!(contents(with.tree()), before);
            // Without the multi, the zxid sequence is one shorter; compare
            // transactions, which carry no zxid.
            let later_without: Vec<_> = after.iter().map(|r| without.prepare(r)).collect();
            prop_assert_eq!(txns(&later_with), txns(&later_without));
        }
    }

    /// Sequential names under a parent count every creation ever made
    /// there, successful multis included, failed ones not: they are unique
    /// and strictly increasing, and deletions never free a number.
    #[test]
    fn sequential_names_are_unique_and_never_reused(reqs in prop::collection::vec(request(), 1..40)) {
        let mut p = Pipeline::new();
        let mut seen: std::collections::BTreeMap<String, i64> = Default::default();
        for r in &reqs {
            let prepared = p.prepare(r);
            p.apply(&prepared);
            let created: Vec<String> = match &prepared.prepared {
                Some(Prepared::Txn { txn: Txn::Create { path, .. }, .. }) => vec![path.clone()],
                // A failed multi still lists the ops before the failing one;
                // none of them takes effect.
                Some(Prepared::Txn { txn: Txn::Multi(subs), error: None, .. }) => subs.iter().filter_map(|t| match t {
                    Txn::Create { path, .. } => Some(path.clone()),
                    _ => None,
                }).collect(),
                _ => vec![],
            };
            for path in created {
                let Some(i) = path.rfind("/s-") else { continue };
                let (parent, n) = (&path[..i], path[i + 3..].parse::<i64>().unwrap_or(-1));
                if let Some(prev) = seen.get(parent) {
                    prop_assert!(n > *prev, "{} after {} under {}", n, prev, parent);
                }
                seen.insert(parent.to_string(), n);
            }
        }
    }
}
