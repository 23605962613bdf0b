//! The client's own record of its watches (`ZKWatchManager`): what to
//! re-register after a reconnect, which one-shot watches an event uses up,
//! and what `removeWatches` may remove.

use std::collections::BTreeSet;
use znode::{AddWatchMode, EventType, Request, Response, SetWatches, WatcherType, Zxid};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientWatches {
    pub data: BTreeSet<String>,
    pub exist: BTreeSet<String>,
    pub child: BTreeSet<String>,
    pub persistent: BTreeSet<String>,
    pub persistent_recursive: BTreeSet<String>,
}

/// The kinds of removal event a `removeWatches` reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub child: bool,
    pub data: bool,
    pub persistent: bool,
}

impl Removed {
    /// The client-side events, in a fixed order.
    pub fn events(&self) -> Vec<EventType> {
        let mut v = Vec::new();
        if self.child {
            v.push(EventType::ChildWatchRemoved);
        }
        if self.data {
            v.push(EventType::DataWatchRemoved);
        }
        if self.persistent {
            v.push(EventType::PersistentWatchRemoved);
        }
        v
    }
}

impl ClientWatches {
    /// `WatchRegistration.register`: a successful (or, for exists, NONODE)
    /// reply to a watching read records the watch.
    pub fn register(&mut self, req: &Request, ok: bool, nonode: bool) {
        match req {
            Request::Exists { path, watch: true } if ok => {
                self.data.insert(path.clone());
            }
            Request::Exists { path, watch: true } if nonode => {
                self.exist.insert(path.clone());
            }
            Request::GetData { path, watch: true } if ok => {
                self.data.insert(path.clone());
            }
            Request::GetChildren { path, watch: true, .. } if ok => {
                self.child.insert(path.clone());
            }
            Request::AddWatch { path, mode } if ok => {
                match mode {
                    AddWatchMode::Persistent => self.persistent.insert(path.clone()),
                    AddWatchMode::PersistentRecursive => self.persistent_recursive.insert(path.clone()),
                };
            }
            _ => {}
        }
    }

    /// `materialize`: an event uses up the one-shot watches it matches.
    pub fn materialize(&mut self, kind: EventType, path: &str) {
        match kind {
            EventType::NodeDataChanged | EventType::NodeCreated => {
                self.data.remove(path);
                self.exist.remove(path);
            }
            EventType::NodeChildrenChanged => {
                self.child.remove(path);
            }
            EventType::NodeDeleted => {
                self.data.remove(path);
                self.exist.remove(path);
                self.child.remove(path);
            }
            _ => {}
        }
    }

    /// `containsWatcher(path, null, type)`.
    pub fn contains(&self, path: &str, kind: WatcherType) -> bool {
        let persistent = self.persistent.contains(path) || self.persistent_recursive.contains(path);
        match kind {
            WatcherType::Children => self.child.contains(path) || persistent,
            WatcherType::Data => self.data.contains(path) || self.exist.contains(path) || persistent,
            WatcherType::Any => {
                self.child.contains(path) || self.data.contains(path) || self.exist.contains(path) || persistent
            }
        }
    }

    /// `removeWatcher(path, null, type, ...)` after the server agreed (or
    /// `local`): NOWATCHER when nothing of that type was registered here —
    /// note that Children and Data never remove persistent watches.
    pub fn remove(&mut self, path: &str, kind: WatcherType) -> Option<Removed> {
        if !self.contains(path, kind) {
            return None;
        }
        let mut r = Removed::default();
        match kind {
            WatcherType::Children => r.child = self.child.remove(path),
            WatcherType::Data => r.data = self.data.remove(path) | self.exist.remove(path),
            WatcherType::Any => {
                r.child = self.child.remove(path);
                r.data = self.data.remove(path) | self.exist.remove(path);
                r.persistent = self.persistent.remove(path) | self.persistent_recursive.remove(path);
            }
        }
        (r.child || r.data || r.persistent).then_some(r)
    }

    /// What `primeConnection` sends as `setWatches`.
    pub fn set_watches(&self, relative_zxid: Zxid) -> SetWatches {
        SetWatches {
            relative_zxid,
            data: self.data.iter().cloned().collect(),
            exist: self.exist.iter().cloned().collect(),
            child: self.child.iter().cloned().collect(),
            persistent: self.persistent.iter().cloned().collect(),
            persistent_recursive: self.persistent_recursive.iter().cloned().collect(),
        }
    }

    pub fn clear(&mut self) {
        *self = ClientWatches::default();
    }
}

/// Whether a reply to `req` means "it is not there" for watch registration.
pub fn is_nonode(resp: &Result<Response, znode::Code>) -> bool {
    matches!(resp, Err(znode::Code::NoNode))
}
