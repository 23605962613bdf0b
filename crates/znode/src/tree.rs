//! The data tree (`DataTree`): nodes, ephemerals, containers, TTL nodes and
//! the two watch tables, with `apply` executing a transaction exactly as
//! every replica does.

use crate::acl::Acl;
use crate::error::Code;
use crate::java_hash::JavaHashSet;
use crate::mode::EphemeralKind;
use crate::ops::{EventType, WatchedEvent, WatcherType};
use crate::path::{child_name, is_special, parent_key, parent_path};
use crate::stat::{SessionId, Stat, StatPersisted, Zxid};
use crate::txn::{ApplyResult, SubKind, SubResult, Txn, TxnHeader};
use crate::watch::{WatchManager, WatcherId, WatcherMode};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One znode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataNode {
    /// `None` is Java's `null` data (zkCli prints `null`).
    pub data: Option<Vec<u8>>,
    pub acl: Vec<Acl>,
    pub stat: StatPersisted,
    pub children: BTreeSet<String>,
}

impl DataNode {
    /// The Stat a client sees (`copyStat`).
    pub fn client_stat(&self) -> Stat {
        Stat::from_persisted(&self.stat, self.data_len(), self.children.len())
    }

    pub fn data_len(&self) -> usize {
        self.data.as_ref().map_or(0, Vec::len)
    }

    pub fn kind(&self) -> EphemeralKind {
        EphemeralKind::of(self.stat.ephemeral_owner)
    }
}

/// A watch notification selected while applying a transaction: the event,
/// who it goes to, and the ACL a watcher must be able to READ to receive it
/// (CVE-2024-23944 filtering happens where the connection's ids are known).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fired {
    pub watcher: WatcherId,
    pub event: WatchedEvent,
    pub acl: Vec<Acl>,
}

/// What a snapshot holds of a tree: its nodes and last zxid, no watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeImage {
    pub nodes: BTreeMap<String, DataNode>,
    pub last_processed_zxid: Zxid,
}

/// The data tree of one server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataTree {
    nodes: BTreeMap<String, DataNode>,
    ephemerals: BTreeMap<SessionId, JavaHashSet>,
    containers: BTreeSet<String>,
    ttls: BTreeSet<String>,
    data_watches: WatchManager,
    child_watches: WatchManager,
    /// Highest zxid applied.
    pub last_processed_zxid: Zxid,
}

impl Default for DataTree {
    fn default() -> Self {
        Self::new()
    }
}

fn builtin(acl: Vec<Acl>, children: &[&str]) -> DataNode {
    DataNode {
        data: Some(Vec::new()),
        acl,
        stat: StatPersisted::default(),
        children: children.iter().map(|c| c.to_string()).collect(),
    }
}

impl DataTree {
    /// A fresh tree: `/`, `/zookeeper`, `/zookeeper/quota` and
    /// `/zookeeper/config`, attached without counting as creations.
    pub fn new() -> Self {
        let mut nodes = BTreeMap::new();
        nodes.insert("/".to_string(), builtin(Acl::open(), &["zookeeper"]));
        nodes.insert("/zookeeper".to_string(), builtin(Acl::open(), &["config", "quota"]));
        nodes.insert("/zookeeper/quota".to_string(), builtin(Acl::open(), &[]));
        let mut config = builtin(Acl::read_only(), &[]);
        config.stat.aversion = -1;
        config.stat.version = -1;
        nodes.insert("/zookeeper/config".to_string(), config);
        DataTree {
            nodes,
            ephemerals: BTreeMap::new(),
            containers: BTreeSet::new(),
            ttls: BTreeSet::new(),
            data_watches: WatchManager::new(),
            child_watches: WatchManager::new(),
            last_processed_zxid: 0,
        }
    }

    /// A snapshot of the tree (`serializeNodes`): nodes and last zxid.
    pub fn image(&self) -> TreeImage {
        TreeImage { nodes: self.nodes.clone(), last_processed_zxid: self.last_processed_zxid }
    }

    /// A tree loaded from a snapshot: ephemerals, containers and TTL nodes
    /// are rebuilt from the nodes; no watches.
    pub fn from_image(img: &TreeImage) -> Self {
        let mut t = DataTree::new();
        t.nodes = img.nodes.clone();
        t.last_processed_zxid = img.last_processed_zxid;
        for (path, n) in &t.nodes {
            match n.kind() {
                EphemeralKind::Normal(s) => {
                    t.ephemerals.entry(s).or_default().insert(path.clone());
                }
                EphemeralKind::Container => {
                    t.containers.insert(path.clone());
                }
                EphemeralKind::Ttl(_) => {
                    t.ttls.insert(path.clone());
                }
                EphemeralKind::Void => {}
            }
        }
        t
    }

    /// Replace `/zookeeper/config`'s data (the static membership text).
    pub fn set_config_text(&mut self, text: &str) {
        if let Some(n) = self.nodes.get_mut("/zookeeper/config") {
            n.data = Some(text.as_bytes().to_vec());
        }
    }

    // ---------------------------------------------------------------- reads

    /// The node at `path`; `""` is the root, as in DataTree's own map.
    pub fn node(&self, path: &str) -> Option<&DataNode> {
        self.nodes.get(if path.is_empty() { "/" } else { path })
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Every node, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &DataNode)> {
        self.nodes.iter()
    }

    /// `statNode`: registers a data watch whether or not the node exists.
    pub fn stat_node(&mut self, path: &str, watcher: Option<WatcherId>) -> Result<Stat, Code> {
        if let Some(w) = watcher {
            self.data_watches.add(path, w, WatcherMode::Standard);
        }
        self.node(path).map(DataNode::client_stat).ok_or(Code::NoNode)
    }

    /// `getData`: the watch is left only if the node exists.
    pub fn get_data(&mut self, path: &str, watcher: Option<WatcherId>) -> Result<(Option<Vec<u8>>, Stat), Code> {
        let n = self.node(path).ok_or(Code::NoNode)?;
        let out = (n.data.clone(), n.client_stat());
        if let Some(w) = watcher {
            self.data_watches.add(path, w, WatcherMode::Standard);
        }
        Ok(out)
    }

    /// `getChildren`: names in sorted order; the watch only if it exists.
    pub fn get_children(&mut self, path: &str, watcher: Option<WatcherId>) -> Result<(Vec<String>, Stat), Code> {
        let n = self.node(path).ok_or(Code::NoNode)?;
        let out = (n.children.iter().cloned().collect(), n.client_stat());
        if let Some(w) = watcher {
            self.child_watches.add(path, w, WatcherMode::Standard);
        }
        Ok(out)
    }

    /// `getAllChildrenNumber`: every descendant (for `/`, every node but the root).
    pub fn all_children_number(&self, path: &str) -> i32 {
        let n = if path == "/" {
            self.nodes.len() - 1
        } else {
            let prefix = format!("{path}/");
            self.nodes.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).count()
        };
        i32::try_from(n).unwrap_or(i32::MAX)
    }

    /// The ephemerals a session owns, in the order of a clone of Java's
    /// `HashSet` (what `getEphemerals` and `closeSession` iterate).
    pub fn ephemerals_of(&self, session: SessionId) -> JavaHashSet {
        self.ephemerals.get(&session).map(JavaHashSet::java_clone).unwrap_or_default()
    }

    /// Every session owning ephemerals, with its paths in order.
    pub fn all_ephemerals(&self) -> BTreeMap<SessionId, Vec<String>> {
        self.ephemerals.iter().map(|(s, set)| (*s, set.iter_order())).collect()
    }

    pub fn ephemeral_count(&self) -> usize {
        self.ephemerals.values().map(JavaHashSet::len).sum()
    }

    pub fn containers(&self) -> &BTreeSet<String> {
        &self.containers
    }

    pub fn ttls(&self) -> &BTreeSet<String> {
        &self.ttls
    }

    /// Approximate data size as `mntr` reports it: path length plus data
    /// length per node.
    pub fn approximate_data_size(&self) -> u64 {
        self.nodes.iter().map(|(p, n)| (p.len() + n.data_len()) as u64).sum()
    }

    // -------------------------------------------------------------- watches

    /// `addWatch` (opcode 106): filed in both tables, no existence check.
    pub fn add_watch(&mut self, path: &str, watcher: WatcherId, recursive: bool) {
        let mode = if recursive { WatcherMode::PersistentRecursive } else { WatcherMode::Persistent };
        self.data_watches.add(path, watcher, mode);
        self.child_watches.add(path, watcher, mode);
    }

    /// `setWatches`: re-register after a reconnect, firing catch-up events
    /// for what changed since `relative_zxid` (these are not ACL-filtered).
    pub fn set_watches(&mut self, w: &crate::ops::SetWatches, watcher: WatcherId) -> Vec<WatchedEvent> {
        let mut events = Vec::new();
        for p in &w.data {
            match self.node(p).map(|n| n.stat.mzxid) {
                None => events.push(WatchedEvent::node(EventType::NodeDeleted, p)),
                Some(m) if m > w.relative_zxid => events.push(WatchedEvent::node(EventType::NodeDataChanged, p)),
                Some(_) => self.data_watches.add(p, watcher, WatcherMode::Standard),
            }
        }
        for p in &w.exist {
            if self.node(p).is_some() {
                events.push(WatchedEvent::node(EventType::NodeCreated, p));
            } else {
                self.data_watches.add(p, watcher, WatcherMode::Standard);
            }
        }
        for p in &w.child {
            match self.node(p).map(|n| n.stat.pzxid) {
                None => events.push(WatchedEvent::node(EventType::NodeDeleted, p)),
                Some(z) if z > w.relative_zxid => events.push(WatchedEvent::node(EventType::NodeChildrenChanged, p)),
                Some(_) => self.child_watches.add(p, watcher, WatcherMode::Standard),
            }
        }
        for p in &w.persistent {
            self.child_watches.add(p, watcher, WatcherMode::Persistent);
            self.data_watches.add(p, watcher, WatcherMode::Persistent);
        }
        for p in &w.persistent_recursive {
            self.child_watches.add(p, watcher, WatcherMode::PersistentRecursive);
            self.data_watches.add(p, watcher, WatcherMode::PersistentRecursive);
        }
        events
    }

    /// `containsWatcher(path, type, watcher)`.
    pub fn contains_watcher(&self, path: &str, kind: WatcherType, watcher: WatcherId) -> bool {
        let child = || self.child_watches.contains(path, watcher);
        let data = || self.data_watches.contains(path, watcher);
        match kind {
            WatcherType::Children => child(),
            WatcherType::Data => data(),
            WatcherType::Any => child() | data(),
        }
    }

    /// `removeWatch(path, type, watcher)`.
    pub fn remove_watch(&mut self, path: &str, kind: WatcherType, watcher: WatcherId) -> bool {
        match kind {
            WatcherType::Children => self.child_watches.remove(path, watcher),
            WatcherType::Data => self.data_watches.remove(path, watcher),
            WatcherType::Any => {
                let c = self.child_watches.remove(path, watcher);
                let d = self.data_watches.remove(path, watcher);
                c || d
            }
        }
    }

    /// A connection closed: forget its watches.
    pub fn remove_watcher(&mut self, watcher: WatcherId) {
        self.data_watches.remove_watcher(watcher);
        self.child_watches.remove_watcher(watcher);
    }

    pub fn data_watches(&self) -> &WatchManager {
        &self.data_watches
    }

    pub fn child_watches(&self) -> &WatchManager {
        &self.child_watches
    }

    // ---------------------------------------------------------------- apply

    /// `processTxn`: execute a transaction. Errors inside (a node that is
    /// not there) are results, as in Java; fired watches are appended to
    /// `fired` in the order they trigger.
    pub fn apply(&mut self, hdr: &TxnHeader, txn: &Txn, fired: &mut Vec<Fired>) -> ApplyResult {
        let rc = self.apply_one(hdr, txn, fired);
        if hdr.zxid > self.last_processed_zxid {
            self.last_processed_zxid = hdr.zxid;
        }
        rc
    }

    fn apply_one(&mut self, hdr: &TxnHeader, txn: &Txn, fired: &mut Vec<Fired>) -> ApplyResult {
        let mut rc = ApplyResult { path: txn.path().map(str::to_string), ..Default::default() };
        let outcome = match txn {
            Txn::Create { op, path, data, acl, ephemeral, parent_cversion } => {
                let owner = match op {
                    crate::ops::CreateOp::Container => crate::mode::CONTAINER_OWNER,
                    crate::ops::CreateOp::Ttl(ttl) => crate::mode::ttl_owner(*ttl),
                    _ if *ephemeral => hdr.session,
                    _ => 0,
                };
                let r = self.create_node(path, data.clone(), acl.clone(), owner, *parent_cversion, hdr, fired);
                if r == Err(Code::NodeExists) {
                    // Replaying a log over a fuzzy snapshot: keep the parent's
                    // counters right (`setCversionPzxid`).
                    self.set_cversion_pzxid(path, *parent_cversion, hdr.zxid);
                }
                r.map(|stat| rc.stat = op.returns_stat().then_some(stat))
            }
            Txn::Delete { path, .. } => self.delete_node(path, hdr.zxid, fired),
            Txn::SetData { path, data, version } => {
                self.set_data(path, data.clone(), *version, hdr, fired).map(|s| rc.stat = Some(s))
            }
            Txn::SetAcl { path, acl, version } => self.set_acl(path, acl.clone(), *version).map(|s| rc.stat = Some(s)),
            Txn::CloseSession { paths } => {
                self.kill_session(hdr.session, hdr.zxid, paths, fired);
                Ok(())
            }
            Txn::Error(code) => Err(*code),
            Txn::Check { .. } | Txn::CreateSession { .. } => Ok(()),
            Txn::Multi(subs) => {
                rc.multi = self.apply_multi(hdr, subs, fired);
                rc.err = rc.multi.iter().map(|r| r.err).find(|e| !e.is_ok());
                Ok(())
            }
        };
        if let Err(code) = outcome {
            rc.err = Some(code);
        }
        rc
    }

    /// A multi whose sub-transactions include an error applies nothing: ops
    /// before the failure report OK, after it RUNTIMEINCONSISTENCY.
    fn apply_multi(&mut self, hdr: &TxnHeader, subs: &[Txn], fired: &mut Vec<Fired>) -> Vec<SubResult> {
        let failed = subs.iter().any(|t| matches!(t, Txn::Error(_)));
        let mut post_failed = false;
        let mut out = Vec::with_capacity(subs.len());
        for sub in subs {
            if failed {
                let err = match sub {
                    Txn::Error(code) => {
                        post_failed = true;
                        *code
                    }
                    _ if post_failed => Code::RuntimeInconsistency,
                    _ => Code::Ok,
                };
                out.push(SubResult { txn: SubKind::Error, err, path: None, stat: None });
                continue;
            }
            let r = self.apply_one(hdr, sub, fired);
            let kind = match sub {
                Txn::Create { op, .. } => SubKind::Create(*op),
                Txn::Delete { .. } => SubKind::Delete,
                Txn::SetData { .. } => SubKind::SetData,
                Txn::Check { .. } => SubKind::Check,
                _ => SubKind::Error,
            };
            out.push(SubResult { txn: kind, err: r.err.unwrap_or(Code::Ok), path: r.path, stat: r.stat });
        }
        out
    }

    fn parent_name(path: &str) -> Result<(&str, String), Code> {
        let parent = parent_key(path).ok_or(Code::NoNode)?;
        Ok((child_name(path), if parent.is_empty() { "/".to_string() } else { parent.to_string() }))
    }

    #[allow(clippy::too_many_arguments)]
    fn create_node(
        &mut self,
        path: &str,
        data: Option<Vec<u8>>,
        acl: Vec<Acl>,
        owner: u64,
        parent_cversion: i32,
        hdr: &TxnHeader,
        fired: &mut Vec<Fired>,
    ) -> Result<Stat, Code> {
        let (child, parent_name) = Self::parent_name(path)?;
        let parent = self.nodes.get_mut(&parent_name).ok_or(Code::NoNode)?;
        let parent_acl = parent.acl.clone();
        if self.nodes.contains_key(path) {
            return Err(Code::NodeExists);
        }
        let parent = self.nodes.get_mut(&parent_name).ok_or(Code::NoNode)?;
        let cversion = if parent_cversion == -1 { parent.stat.cversion.wrapping_add(1) } else { parent_cversion };
        if cversion > parent.stat.cversion {
            parent.stat.cversion = cversion;
            parent.stat.pzxid = hdr.zxid;
        }
        parent.children.insert(child.to_string());
        let node = DataNode {
            data,
            acl: acl.clone(),
            stat: StatPersisted::new(hdr.zxid, hdr.time, owner),
            children: BTreeSet::new(),
        };
        let stat = node.client_stat();
        self.nodes.insert(path.to_string(), node);
        match EphemeralKind::of(owner) {
            EphemeralKind::Container => {
                self.containers.insert(path.to_string());
            }
            EphemeralKind::Ttl(_) => {
                self.ttls.insert(path.to_string());
            }
            EphemeralKind::Normal(session) => {
                self.ephemerals.entry(session).or_default().insert(path.to_string());
            }
            EphemeralKind::Void => {}
        }
        self.trigger_data(path, EventType::NodeCreated, &acl, None, fired);
        self.trigger_child(&parent_name, EventType::NodeChildrenChanged, &parent_acl, None, fired);
        Ok(stat)
    }

    fn delete_node(&mut self, path: &str, zxid: Zxid, fired: &mut Vec<Fired>) -> Result<(), Code> {
        let (child, parent_name) = Self::parent_name(path)?;
        let parent = self.nodes.get_mut(&parent_name).ok_or(Code::NoNode)?;
        parent.children.remove(child);
        if zxid > parent.stat.pzxid {
            parent.stat.pzxid = zxid;
        }
        let parent_acl = parent.acl.clone();
        let node = self.nodes.remove(path).ok_or(Code::NoNode)?;
        match node.kind() {
            EphemeralKind::Container => {
                self.containers.remove(path);
            }
            EphemeralKind::Ttl(_) => {
                self.ttls.remove(path);
            }
            EphemeralKind::Normal(session) => {
                if let Some(set) = self.ephemerals.get_mut(&session) {
                    set.remove(path);
                }
            }
            EphemeralKind::Void => {}
        }
        let processed = self.trigger_data(path, EventType::NodeDeleted, &node.acl, None, fired);
        self.trigger_child(path, EventType::NodeDeleted, &node.acl, Some(&processed), fired);
        self.trigger_child(&parent_name, EventType::NodeChildrenChanged, &parent_acl, None, fired);
        Ok(())
    }

    fn set_data(
        &mut self,
        path: &str,
        data: Option<Vec<u8>>,
        version: i32,
        hdr: &TxnHeader,
        fired: &mut Vec<Fired>,
    ) -> Result<Stat, Code> {
        let n = self.nodes.get_mut(path).ok_or(Code::NoNode)?;
        n.data = data;
        n.stat.mtime = hdr.time;
        n.stat.mzxid = hdr.zxid;
        n.stat.version = version;
        let stat = n.client_stat();
        let acl = n.acl.clone();
        self.trigger_data(path, EventType::NodeDataChanged, &acl, None, fired);
        Ok(stat)
    }

    fn set_acl(&mut self, path: &str, acl: Vec<Acl>, version: i32) -> Result<Stat, Code> {
        let n = self.nodes.get_mut(path).ok_or(Code::NoNode)?;
        n.stat.aversion = version;
        n.acl = acl;
        Ok(n.client_stat())
    }

    fn set_cversion_pzxid(&mut self, path: &str, cversion: i32, zxid: Zxid) {
        let parent = parent_path(path).to_string();
        if let Some(n) = self.nodes.get_mut(&parent) {
            let c = if cversion == -1 { n.stat.cversion.wrapping_add(1) } else { cversion };
            if c > n.stat.cversion {
                n.stat.cversion = c;
                n.stat.pzxid = zxid;
            }
        }
    }

    /// `killSession`: delete the paths the close txn lists (in its order),
    /// then any the tree still has for the session.
    fn kill_session(&mut self, session: SessionId, zxid: Zxid, paths: &[String], fired: &mut Vec<Fired>) {
        let local = self.ephemerals.remove(&session);
        for p in paths {
            let _ = self.delete_node(p, zxid, fired);
        }
        if let Some(mut rest) = local {
            for p in paths {
                rest.remove(p);
            }
            for p in rest.iter_order() {
                let _ = self.delete_node(&p, zxid, fired);
            }
        }
    }

    fn trigger_data(
        &mut self,
        path: &str,
        kind: EventType,
        acl: &[Acl],
        suppress: Option<&BTreeSet<WatcherId>>,
        fired: &mut Vec<Fired>,
    ) -> BTreeSet<WatcherId> {
        let selected = self.data_watches.trigger(path, kind == EventType::NodeChildrenChanged);
        push_fired(&selected, path, kind, acl, suppress, fired);
        selected
    }

    fn trigger_child(
        &mut self,
        path: &str,
        kind: EventType,
        acl: &[Acl],
        suppress: Option<&BTreeSet<WatcherId>>,
        fired: &mut Vec<Fired>,
    ) {
        let selected = self.child_watches.trigger(path, kind == EventType::NodeChildrenChanged);
        push_fired(&selected, path, kind, acl, suppress, fired);
    }

    /// Whether the built-in or a special path may be deleted.
    pub fn is_special_path(path: &str) -> bool {
        is_special(path)
    }
}

fn push_fired(
    selected: &BTreeSet<WatcherId>,
    path: &str,
    kind: EventType,
    acl: &[Acl],
    suppress: Option<&BTreeSet<WatcherId>>,
    fired: &mut Vec<Fired>,
) {
    for w in selected {
        if suppress.is_some_and(|s| s.contains(w)) {
            continue;
        }
        fired.push(Fired { watcher: *w, event: WatchedEvent::node(kind, path), acl: acl.to_vec() });
    }
}
