//! One of a server's two watch tables (`WatchManager`): 3.8.6's semantics,
//! including one mode per (watcher, path) and recursive matching.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A watcher: one client connection on one server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WatcherId(pub u64);

/// `WatcherMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WatcherMode {
    Standard,
    Persistent,
    PersistentRecursive,
}

impl WatcherMode {
    fn is_persistent(self) -> bool {
        self != WatcherMode::Standard
    }
    fn is_recursive(self) -> bool {
        self == WatcherMode::PersistentRecursive
    }
}

/// One watch table (data or child).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WatchManager {
    table: BTreeMap<String, BTreeSet<WatcherId>>,
    by_watcher: BTreeMap<WatcherId, BTreeSet<String>>,
    /// Modes other than Standard (Java keeps only those).
    modes: BTreeMap<(WatcherId, String), WatcherMode>,
    recursive: usize,
}

impl WatchManager {
    pub fn new() -> Self {
        Self::default()
    }

    /// `addWatch`: the mode replaces whatever mode this watcher had on this
    /// path (3.8 keeps one mode per watcher and path).
    pub fn add(&mut self, path: &str, watcher: WatcherId, mode: WatcherMode) {
        self.table.entry(path.to_string()).or_default().insert(watcher);
        self.by_watcher.entry(watcher).or_default().insert(path.to_string());
        self.set_mode(watcher, path, mode);
    }

    fn set_mode(&mut self, watcher: WatcherId, path: &str, mode: WatcherMode) {
        let key = (watcher, path.to_string());
        let old = if mode == WatcherMode::Standard { self.modes.remove(&key) } else { self.modes.insert(key, mode) };
        let was = old.is_some_and(WatcherMode::is_recursive);
        match (was, mode.is_recursive()) {
            (false, true) => self.recursive += 1,
            (true, false) => self.recursive -= 1,
            _ => {}
        }
    }

    fn mode(&self, watcher: WatcherId, path: &str) -> WatcherMode {
        self.modes.get(&(watcher, path.to_string())).copied().unwrap_or(WatcherMode::Standard)
    }

    /// Paths to look at for an event on `path`: the path itself, then (only
    /// if any recursive watch exists) every ancestor up to `/`.
    fn lookup_paths(&self, path: &str) -> Vec<String> {
        let mut out = vec![path.to_string()];
        if self.recursive > 0 {
            let mut p = path;
            while p != "/" {
                p = crate::path::parent_path(p);
                out.push(p.to_string());
            }
        }
        out
    }

    /// `triggerWatch`: select the watchers an event reaches, removing
    /// one-shot ones. Recursive watches match the path and its descendants
    /// but never for NodeChildrenChanged; other watches match only the path
    /// itself. Returns the selected watchers (each once).
    pub fn trigger(&mut self, path: &str, children_changed: bool) -> BTreeSet<WatcherId> {
        let mut selected = BTreeSet::new();
        for (depth, local) in self.lookup_paths(path).into_iter().enumerate() {
            let at_parent = depth > 0;
            let Some(watchers) = self.table.get(&local) else {
                continue;
            };
            let mut fired_once = Vec::new();
            for &w in watchers {
                let mode = self.mode(w, &local);
                if mode.is_recursive() {
                    if !children_changed {
                        selected.insert(w);
                    }
                } else if !at_parent {
                    selected.insert(w);
                    if !mode.is_persistent() {
                        fired_once.push(w);
                    }
                }
            }
            for w in fired_once {
                self.unlink(&local, w);
            }
        }
        selected
    }

    /// Drop the (path, watcher) entry from both indexes, but not its mode:
    /// Java's one-shot removal leaves the mode map alone (it only ever holds
    /// non-standard modes, which are never one-shot).
    fn unlink(&mut self, path: &str, watcher: WatcherId) {
        if let Some(set) = self.table.get_mut(path) {
            set.remove(&watcher);
            if set.is_empty() {
                self.table.remove(path);
            }
        }
        if let Some(paths) = self.by_watcher.get_mut(&watcher) {
            paths.remove(path);
            if paths.is_empty() {
                self.by_watcher.remove(&watcher);
            }
        }
    }

    /// `removeWatcher(watcher)`: a connection closed; drop all its watches.
    pub fn remove_watcher(&mut self, watcher: WatcherId) {
        let Some(paths) = self.by_watcher.remove(&watcher) else {
            return;
        };
        for p in paths {
            if let Some(set) = self.table.get_mut(&p) {
                set.remove(&watcher);
                if set.is_empty() {
                    self.table.remove(&p);
                }
            }
            self.set_mode(watcher, &p, WatcherMode::Standard);
        }
    }

    /// `removeWatcher(path, watcher)`: drop one watch; false if absent.
    pub fn remove(&mut self, path: &str, watcher: WatcherId) -> bool {
        let listed = self.by_watcher.get(&watcher).is_some_and(|p| p.contains(path));
        let present = self.table.get(path).is_some_and(|s| s.contains(&watcher));
        if !listed || !present {
            if listed {
                // Java removed it from watch2Paths before finding the table
                // entry missing; mirror that.
                if let Some(paths) = self.by_watcher.get_mut(&watcher) {
                    paths.remove(path);
                }
            }
            return false;
        }
        self.unlink(path, watcher);
        self.set_mode(watcher, path, WatcherMode::Standard);
        true
    }

    /// `containsWatcher(path, watcher)`.
    pub fn contains(&self, path: &str, watcher: WatcherId) -> bool {
        let mode = self.mode(watcher, path);
        for (depth, local) in self.lookup_paths(path).into_iter().enumerate() {
            if depth == 0 && self.table.contains_key(&local) {
                return true;
            }
            if mode.is_recursive() {
                return true;
            }
        }
        false
    }

    /// Every (path, watcher, mode) in the table, in path order.
    pub fn entries(&self) -> Vec<(String, WatcherId, WatcherMode)> {
        self.table.iter().flat_map(|(p, ws)| ws.iter().map(move |w| (p.clone(), *w, self.mode(*w, p)))).collect()
    }

    /// Paths watched by `watcher`, in order.
    pub fn paths_of(&self, watcher: WatcherId) -> Vec<String> {
        self.by_watcher.get(&watcher).map(|p| p.iter().cloned().collect()).unwrap_or_default()
    }

    /// Number of connections watching, number of paths, total watches
    /// (`wchs`).
    pub fn summary(&self) -> (usize, usize, usize) {
        let total = self.by_watcher.values().map(BTreeSet::len).sum();
        (self.by_watcher.len(), self.table.len(), total)
    }

    /// Watchers per path (`wchp`).
    pub fn by_path(&self) -> &BTreeMap<String, BTreeSet<WatcherId>> {
        &self.table
    }

    /// Paths per watcher (`wchc`).
    pub fn by_watcher(&self) -> &BTreeMap<WatcherId, BTreeSet<String>> {
        &self.by_watcher
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: WatcherId = WatcherId(1);
    const B: WatcherId = WatcherId(2);

    #[test]
    fn standard_watch_fires_once() {
        let mut m = WatchManager::new();
        m.add("/a", A, WatcherMode::Standard);
        assert_eq!(m.trigger("/a", false), BTreeSet::from([A]));
        assert!(m.trigger("/a", false).is_empty());
    }

    #[test]
    fn persistent_watch_stays_and_matches_only_its_path() {
        let mut m = WatchManager::new();
        m.add("/a", A, WatcherMode::Persistent);
        assert_eq!(m.trigger("/a", false), BTreeSet::from([A]));
        assert_eq!(m.trigger("/a", true), BTreeSet::from([A]));
        assert!(m.trigger("/a/b", false).is_empty());
    }

    #[test]
    fn recursive_watch_matches_descendants_but_never_children_changed() {
        let mut m = WatchManager::new();
        m.add("/a", A, WatcherMode::PersistentRecursive);
        m.add("/a/b", B, WatcherMode::Standard);
        assert_eq!(m.trigger("/a/b/c", false), BTreeSet::from([A]));
        assert!(m.trigger("/a", true).is_empty());
        assert_eq!(m.trigger("/a/b", false), BTreeSet::from([A, B]));
        assert_eq!(m.trigger("/a/b", false), BTreeSet::from([A]), "B was one-shot");
    }

    #[test]
    fn a_standard_registration_makes_a_persistent_entry_one_shot() {
        let mut m = WatchManager::new();
        m.add("/p", A, WatcherMode::Persistent);
        m.add("/p", A, WatcherMode::Standard);
        assert_eq!(m.trigger("/p", false), BTreeSet::from([A]));
        assert!(m.trigger("/p", false).is_empty());
    }

    #[test]
    fn removal_and_contains() {
        let mut m = WatchManager::new();
        m.add("/x", A, WatcherMode::PersistentRecursive);
        assert!(m.contains("/x", A));
        assert!(!m.contains("/y", A));
        assert!(m.remove("/x", A));
        assert!(!m.remove("/x", A));
        assert!(m.trigger("/x/y", false).is_empty());
        m.add("/x", B, WatcherMode::Standard);
        m.remove_watcher(B);
        assert_eq!(m.summary(), (0, 0, 0));
    }
}
