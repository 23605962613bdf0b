//! `PrepRequestProcessor`: turns a client request into a transaction,
//! checking it against the tree *and* every change still in flight
//! (outstanding change records). A request that fails still becomes a
//! transaction — an error transaction — and takes a zxid.

use super::sessions::{Owner, SessionTracker};
use std::collections::{BTreeMap, VecDeque};
use znode::acl::{check_acl, fixup_acl, perms};
use znode::java_hash::JavaHashSet;
use znode::mode::{validate_ttl, EphemeralKind};
use znode::path::{is_special, validate_path, validate_path_for};
use znode::{
    Acl, Code, CreateMode, CreateOp, DataTree, Id, MultiOp, Request, SessionId, StatPersisted, Txn, TxnHeader, Zxid,
};

/// A pending change to one path (`ChangeRecord`); `stat: None` is a delete.
#[derive(Clone, Debug)]
struct ChangeRecord {
    zxid: Zxid,
    path: String,
    stat: Option<StatPersisted>,
    child_count: usize,
    acl: Vec<Acl>,
}

/// What prepare made of a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Prepared {
    /// A write: its transaction (an error transaction if a check failed).
    /// `error` is the exception FinalRequestProcessor reports.
    Txn { header: TxnHeader, txn: Txn, error: Option<Code> },
    /// A read or a session-level request: no transaction; `error` if the
    /// session check failed.
    NoTxn { error: Option<Code> },
}

/// Settings prepare needs.
#[derive(Clone, Copy, Debug)]
pub struct PrepSettings {
    /// `zookeeper.extendedTypesEnabled` (TTL nodes).
    pub extended_types: bool,
    /// `zookeeper.skipACL`.
    pub skip_acl: bool,
}

/// The request being prepared.
pub struct PrepInput<'a> {
    pub session: SessionId,
    pub cxid: i32,
    pub request: &'a Request,
    /// The connection's ids when the request arrived.
    pub auth: &'a [Id],
    pub owner: Owner,
    /// Wall-clock ms for the transaction header.
    pub time: i64,
}

/// The outstanding changes of one server's request pipeline.
#[derive(Clone, Debug, Default)]
pub struct Prep {
    outstanding: VecDeque<ChangeRecord>,
    for_path: BTreeMap<String, ChangeRecord>,
}

/// Everything `prepare` reads or updates besides its own records.
pub struct PrepContext<'a> {
    pub tree: &'a DataTree,
    pub sessions: &'a mut SessionTracker,
    pub settings: PrepSettings,
    /// The last zxid handed out; prepare increments it for each write.
    pub zxid: &'a mut Zxid,
    /// The server's local clock in ms (session expiry runs on it).
    pub now_ms: u64,
}

impl Prep {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget every pending change (a new leader starts clean).
    pub fn clear(&mut self) {
        self.outstanding.clear();
        self.for_path.clear();
    }

    pub fn outstanding_len(&self) -> usize {
        self.outstanding.len()
    }

    /// A transaction has been applied: drop its records and older ones.
    /// The per-path index only ever points at records still outstanding,
    /// so an index entry this old is one of those dropped.
    pub fn applied(&mut self, zxid: Zxid) {
        while self.outstanding.front().is_some_and(|c| c.zxid <= zxid) {
            if let Some(c) = self.outstanding.pop_front() {
                if self.for_path.get(&c.path).is_some_and(|r| r.zxid <= zxid) {
                    self.for_path.remove(&c.path);
                }
            }
        }
    }

    fn add(&mut self, c: ChangeRecord) {
        self.for_path.insert(c.path.clone(), c.clone());
        self.outstanding.push_back(c);
    }

    fn record(&self, tree: &DataTree, path: &str) -> Result<ChangeRecord, Code> {
        let rec = match self.for_path.get(path) {
            Some(r) => r.clone(),
            None => {
                let n = tree.node(path).ok_or(Code::NoNode)?;
                ChangeRecord {
                    zxid: u64::MAX,
                    path: path.to_string(),
                    stat: Some(n.stat),
                    child_count: n.children.len(),
                    acl: n.acl.clone(),
                }
            }
        };
        if rec.stat.is_none() {
            return Err(Code::NoNode);
        }
        Ok(rec)
    }

    /// createSession: registers the session with its owner and takes a
    /// zxid like any write.
    pub fn prepare_create_session(&mut self, cx: PrepContext<'_>, input: &PrepInput<'_>, timeout: i32) -> Prepared {
        *cx.zxid += 1;
        let header = TxnHeader { session: input.session, cxid: input.cxid, zxid: *cx.zxid, time: input.time };
        cx.sessions.track_session(input.session, timeout, cx.now_ms);
        cx.sessions.set_owner(input.session, input.owner);
        Prepared::Txn { header, txn: Txn::CreateSession { timeout }, error: None }
    }

    /// The container manager's `deleteContainer`: no session and no ACL
    /// check; a node that gained a child meanwhile is NOTEMPTY, and an
    /// ephemeral is refused (Java reports BADVERSION for it).
    pub fn prepare_delete_container(&mut self, cx: PrepContext<'_>, path: &str, time: i64) -> Prepared {
        *cx.zxid += 1;
        let header = TxnHeader { session: 0, cxid: 0, zxid: *cx.zxid, time };
        let zxid = header.zxid;
        let outcome = (|| {
            let parent = Step::parent_of(path)?;
            let node = self.record(cx.tree, path)?;
            if node.child_count > 0 {
                return Err(Code::NotEmpty);
            }
            if matches!(EphemeralKind::of(node.stat.unwrap_or_default().ephemeral_owner), EphemeralKind::Normal(_)) {
                return Err(Code::BadVersion);
            }
            let mut parent_rec = self.record(cx.tree, parent)?;
            parent_rec.zxid = zxid;
            parent_rec.child_count = parent_rec.child_count.saturating_sub(1);
            if let Some(s) = parent_rec.stat.as_mut() {
                s.pzxid = zxid;
            }
            self.add(parent_rec);
            self.add(ChangeRecord { zxid, path: path.to_string(), stat: None, child_count: 0, acl: Vec::new() });
            Ok(Txn::Delete { path: path.to_string(), container: true })
        })();
        match outcome {
            Ok(txn) => Prepared::Txn { header, txn, error: None },
            Err(code) => Prepared::Txn { header, txn: Txn::Error(code), error: Some(code) },
        }
    }

    /// `pRequest`: prepare one request.
    pub fn prepare(&mut self, cx: PrepContext<'_>, input: &PrepInput<'_>) -> Prepared {
        let r = input.request;
        if !r.is_write() {
            let error = match r {
                Request::Auth { .. } => None,
                _ => cx.sessions.check_session(input.session, input.owner).err(),
            };
            return Prepared::NoTxn { error };
        }
        *cx.zxid += 1;
        let header = TxnHeader { session: input.session, cxid: input.cxid, zxid: *cx.zxid, time: input.time };
        let mut step = Step { prep: self, tree: cx.tree, sessions: cx.sessions, settings: cx.settings, input, header };
        let outcome = match r {
            Request::Multi(ops) => Ok(step.multi(ops)),
            _ => step.single(r),
        };
        match outcome {
            Ok((txn, error)) => Prepared::Txn { header, txn, error },
            Err(code) => Prepared::Txn { header, txn: Txn::Error(code), error: Some(code) },
        }
    }
}

/// One request being prepared.
struct Step<'p, 'i, 'a> {
    prep: &'p mut Prep,
    tree: &'p DataTree,
    sessions: &'p mut SessionTracker,
    settings: PrepSettings,
    input: &'i PrepInput<'a>,
    header: TxnHeader,
}

/// A sub-request in the shape `pRequest2Txn` takes it.
enum One<'r> {
    Create { path: &'r str, data: &'r Option<Vec<u8>>, acl: &'r [Acl], mode: CreateMode, op: CreateOp },
    Delete { path: &'r str, version: i32 },
    SetData { path: &'r str, data: &'r Option<Vec<u8>>, version: i32 },
    SetAcl { path: &'r str, acl: &'r [Acl], version: i32 },
    Check { path: &'r str, version: i32 },
    CloseSession,
}

impl<'r> One<'r> {
    fn of_multi(op: &'r MultiOp) -> One<'r> {
        match op {
            MultiOp::Create { path, data, acl, mode, op } => One::Create { path, data, acl, mode: *mode, op: *op },
            MultiOp::Delete { path, version } => One::Delete { path, version: *version },
            MultiOp::SetData { path, data, version } => One::SetData { path, data, version: *version },
            MultiOp::Check { path, version } => One::Check { path, version: *version },
        }
    }
}

impl Step<'_, '_, '_> {
    fn single(&mut self, r: &Request) -> Result<(Txn, Option<Code>), Code> {
        let one = match r {
            Request::Create { path, data, acl, mode, op } => One::Create { path, data, acl, mode: *mode, op: *op },
            Request::Delete { path, version } => One::Delete { path, version: *version },
            Request::SetData { path, data, version } => One::SetData { path, data, version: *version },
            Request::SetAcl { path, acl, version } => One::SetAcl { path, acl, version: *version },
            Request::CloseSession => One::CloseSession,
            _ => return Err(Code::MarshallingError),
        };
        self.txn_for(one).map(|t| (t, None))
    }

    /// `pRequest` for opcode multi: every op gets the same zxid; on the
    /// first failure this multi's change records are rolled back and the
    /// remaining ops become RUNTIMEINCONSISTENCY.
    fn multi(&mut self, ops: &[MultiOp]) -> (Txn, Option<Code>) {
        let saved = self.pending_for(ops);
        let mut failed: Option<Code> = None;
        let mut txns = Vec::with_capacity(ops.len());
        for op in ops {
            if failed.is_some() {
                txns.push(Txn::Error(Code::RuntimeInconsistency));
                continue;
            }
            match self.txn_for(One::of_multi(op)) {
                Ok(t) => txns.push(t),
                Err(code) => {
                    failed = Some(code);
                    txns.push(Txn::Error(code));
                    self.rollback(saved.clone());
                }
            }
        }
        (Txn::Multi(txns), failed)
    }

    /// `getPendingChanges`: the records in flight for each op's path and
    /// its parent, so a failed multi can put them back.
    fn pending_for(&self, ops: &[MultiOp]) -> BTreeMap<String, ChangeRecord> {
        let mut out = BTreeMap::new();
        for op in ops {
            let path = op.path();
            if let Some(c) = self.prep.for_path.get(path) {
                out.insert(path.to_string(), c.clone());
            }
            let Some(i) = path.rfind('/') else { continue };
            if path.contains('\0') {
                continue;
            }
            let parent = &path[..i];
            if let Some(c) = self.prep.for_path.get(parent) {
                out.insert(parent.to_string(), c.clone());
            }
        }
        out
    }

    /// `rollbackPendingChanges`.
    fn rollback(&mut self, saved: BTreeMap<String, ChangeRecord>) {
        let zxid = self.header.zxid;
        while self.prep.outstanding.back().is_some_and(|c| c.zxid == zxid) {
            if let Some(c) = self.prep.outstanding.pop_back() {
                self.prep.for_path.remove(&c.path);
            }
        }
        let Some(first) = self.prep.outstanding.front().map(|c| c.zxid) else {
            return;
        };
        for (path, c) in saved {
            if c.zxid >= first {
                self.prep.for_path.insert(path, c);
            }
        }
    }

    fn check_session(&mut self) -> Result<(), Code> {
        self.sessions.check_session(self.input.session, self.input.owner)
    }

    fn check_acl(&self, acl: &[Acl], perm: i32) -> Result<(), Code> {
        if self.settings.skip_acl {
            return Ok(());
        }
        check_acl(acl, perm, self.input.auth)
    }

    /// `getParentPathAndValidate`: no `/`, a NUL or a special path is
    /// BADARGUMENTS; the parent key (`""` for the root) otherwise.
    fn parent_of(path: &str) -> Result<&str, Code> {
        match path.rfind('/') {
            Some(i) if !path.contains('\0') && !is_special(path) => Ok(&path[..i]),
            _ => Err(Code::BadArguments),
        }
    }

    fn validate(path: &str) -> Result<(), Code> {
        validate_path(path).map_err(|_| Code::BadArguments)
    }

    /// `checkAndIncVersion`.
    fn check_version(current: i32, expected: i32) -> Result<i32, Code> {
        if expected != -1 && expected != current {
            return Err(Code::BadVersion);
        }
        Ok(current.wrapping_add(1))
    }

    /// `pRequest2Txn`: validate one (sub-)request against the tree and the
    /// pending changes, record its effect, and build its transaction.
    fn txn_for(&mut self, one: One<'_>) -> Result<Txn, Code> {
        let zxid = self.header.zxid;
        match one {
            One::Create { path, data, acl, mode, op } => self.create(path, data, acl, mode, op),
            One::Delete { path, version } => {
                self.check_session()?;
                let parent = Self::parent_of(path)?;
                let mut parent_rec = self.prep.record(self.tree, parent)?;
                self.check_acl(&parent_rec.acl, perms::DELETE)?;
                let node = self.prep.record(self.tree, path)?;
                let stat = node.stat.unwrap_or_default();
                Self::check_version(stat.version, version)?;
                if node.child_count > 0 {
                    return Err(Code::NotEmpty);
                }
                parent_rec.zxid = zxid;
                parent_rec.child_count = parent_rec.child_count.saturating_sub(1);
                if let Some(s) = parent_rec.stat.as_mut() {
                    s.pzxid = zxid;
                }
                self.prep.add(parent_rec);
                self.prep.add(ChangeRecord {
                    zxid,
                    path: path.to_string(),
                    stat: None,
                    child_count: 0,
                    acl: Vec::new(),
                });
                Ok(Txn::Delete { path: path.to_string(), container: false })
            }
            One::SetData { path, data, version } => {
                self.check_session()?;
                Self::validate(path)?;
                let mut rec = self.prep.record(self.tree, path)?;
                self.check_acl(&rec.acl, perms::WRITE)?;
                let mut stat = rec.stat.unwrap_or_default();
                let new_version = Self::check_version(stat.version, version)?;
                stat.version = new_version;
                stat.mtime = self.header.time;
                stat.mzxid = zxid;
                rec.stat = Some(stat);
                rec.zxid = zxid;
                self.prep.add(rec);
                Ok(Txn::SetData { path: path.to_string(), data: data.clone(), version: new_version })
            }
            One::SetAcl { path, acl, version } => {
                self.check_session()?;
                Self::validate(path)?;
                let fixed = fixup_acl(self.input.auth, acl)?;
                let mut rec = self.prep.record(self.tree, path)?;
                self.check_acl(&rec.acl, perms::ADMIN)?;
                let mut stat = rec.stat.unwrap_or_default();
                let new_version = Self::check_version(stat.aversion, version)?;
                stat.aversion = new_version;
                rec.stat = Some(stat);
                rec.zxid = zxid;
                self.prep.add(rec);
                Ok(Txn::SetAcl { path: path.to_string(), acl: fixed, version: new_version })
            }
            One::Check { path, version } => {
                self.check_session()?;
                Self::validate(path)?;
                let rec = self.prep.record(self.tree, path)?;
                self.check_acl(&rec.acl, perms::READ)?;
                Self::check_version(rec.stat.unwrap_or_default().version, version)?;
                Ok(Txn::Check { path: path.to_string(), version })
            }
            One::CloseSession => self.close_session(),
        }
    }

    /// `pRequest2TxnCreate`, checks in 3.8's order.
    fn create(
        &mut self,
        path: &str,
        data: &Option<Vec<u8>>,
        acl: &[Acl],
        mode: CreateMode,
        op: CreateOp,
    ) -> Result<Txn, Code> {
        let zxid = self.header.zxid;
        let ttl = op.ttl();
        if mode.is_ttl() && !self.settings.extended_types {
            return Err(Code::Unimplemented);
        }
        if !validate_ttl(mode, ttl) {
            return Err(Code::BadArguments);
        }
        if mode.is_ephemeral() {
            self.check_session().map_err(|e| if e == Code::UnknownSession { Code::SessionExpired } else { e })?;
        } else {
            self.check_session()?;
        }
        let parent = match path.rfind('/') {
            Some(i) if !path.contains('\0') => &path[..i],
            _ => return Err(Code::BadArguments),
        };
        let fixed = fixup_acl(self.input.auth, acl)?;
        let mut parent_rec = self.prep.record(self.tree, parent)?;
        self.check_acl(&parent_rec.acl, perms::CREATE)?;
        let parent_stat = parent_rec.stat.unwrap_or_default();
        let final_path =
            if mode.is_sequential() { format!("{path}{:010}", parent_stat.cversion) } else { path.to_string() };
        Self::validate(&final_path)?;
        if self.prep.record(self.tree, &final_path).is_ok() {
            return Err(Code::NodeExists);
        }
        if matches!(EphemeralKind::of(parent_stat.ephemeral_owner), EphemeralKind::Normal(_)) {
            return Err(Code::NoChildrenForEphemerals);
        }
        let new_cversion = parent_stat.cversion.wrapping_add(1);
        let owner = match op {
            CreateOp::Container => znode::mode::CONTAINER_OWNER,
            CreateOp::Ttl(t) => znode::mode::ttl_owner(t),
            _ if mode.is_ephemeral() => self.input.session,
            _ => 0,
        };
        parent_rec.zxid = zxid;
        parent_rec.child_count += 1;
        if let Some(s) = parent_rec.stat.as_mut() {
            s.cversion = new_cversion;
            s.pzxid = zxid;
        }
        self.prep.add(parent_rec);
        self.prep.add(ChangeRecord {
            zxid,
            path: final_path.clone(),
            stat: Some(StatPersisted::new(zxid, self.header.time, owner)),
            child_count: 0,
            acl: fixed.clone(),
        });
        Ok(Txn::Create {
            op,
            path: final_path,
            data: data.clone(),
            acl: fixed,
            ephemeral: mode.is_ephemeral(),
            parent_cversion: new_cversion,
        })
    }

    /// closeSession: the session's ephemerals (tree plus pending changes,
    /// in Java's HashSet order) are listed in the transaction, each parent's
    /// pending pzxid moves (3.8 does this with digests on, its default), and
    /// the session is marked closing.
    fn close_session(&mut self) -> Result<Txn, Code> {
        let session = self.input.session;
        let mut es: JavaHashSet = self.tree.ephemerals_of(session);
        for c in &self.prep.outstanding {
            match &c.stat {
                None => {
                    es.remove(&c.path);
                }
                Some(s) if s.ephemeral_owner == session => {
                    es.insert(c.path.clone());
                }
                Some(_) => {}
            }
        }
        let paths = es.iter_order();
        for p in &paths {
            let mut parent_rec = self.prep.record(self.tree, Self::parent_of(p)?)?;
            parent_rec.zxid = self.header.zxid;
            if let Some(s) = parent_rec.stat.as_mut() {
                s.pzxid = self.header.zxid;
            }
            self.prep.add(parent_rec);
            self.prep.add(ChangeRecord {
                zxid: self.header.zxid,
                path: p.clone(),
                stat: None,
                child_count: 0,
                acl: Vec::new(),
            });
        }
        self.sessions.set_closing(session);
        Ok(Txn::CloseSession { paths })
    }
}

/// The paths a client may pass to a sequential create are checked with a
/// digit appended (used by the client library, kept here beside the
/// server's own checks).
pub fn client_path_ok(path: &str, mode: CreateMode) -> Result<(), String> {
    validate_path_for(path, mode.is_sequential()).map_err(|e| e.0)
}
