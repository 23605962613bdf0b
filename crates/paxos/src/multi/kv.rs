//! The replicated state machine: a key-value store fed with chosen
//! commands in slot order. A request id executes once; a duplicate (the
//! same command chosen in two slots after a retransmission or a leader
//! change) is skipped.

use super::Command;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kv {
    pub map: BTreeMap<String, String>,
    done: BTreeSet<u64>,
}

impl Kv {
    /// Execute one command: a Put returns the value it replaced, a Get the
    /// value read; a no-op or duplicate returns `None`.
    pub fn apply(&mut self, cmd: &Command) -> Option<String> {
        match cmd {
            Command::Noop => None,
            Command::Put { id, key, value } => {
                if !self.done.insert(*id) {
                    return None;
                }
                self.map.insert(key.clone(), value.clone())
            }
            Command::Get { id, key } => {
                self.done.insert(*id);
                self.map.get(key).cloned()
            }
        }
    }

    /// Whether request `id` was executed.
    pub fn executed(&self, id: u64) -> bool {
        self.done.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_once_and_reads() {
        let mut kv = Kv::default();
        let put = Command::Put { id: 1, key: "a".into(), value: "x".into() };
        assert_eq!(kv.apply(&put), None);
        assert_eq!(kv.apply(&Command::Put { id: 2, key: "a".into(), value: "y".into() }), Some("x".into()));
        assert_eq!(kv.apply(&put), None, "duplicate skipped");
        assert_eq!(kv.apply(&Command::Get { id: 3, key: "a".into() }), Some("y".into()));
        assert_eq!(kv.apply(&Command::Noop), None);
        assert!(kv.executed(1) && !kv.executed(4));
    }
}
