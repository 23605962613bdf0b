//! `SessionTrackerImpl` with its `ExpiryQueue`: sessions expire in buckets
//! one tick wide, between `timeout` and `timeout + tickTime` after their
//! last touch.

use std::collections::{BTreeMap, BTreeSet};
use znode::{Code, SessionId};

/// Which server connection a session belongs to (the leader tracks owners;
/// a standalone server has only itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Local,
    Learner(u32),
}

#[derive(Clone, Debug)]
struct Session {
    timeout_ms: i32,
    closing: bool,
    owner: Option<Owner>,
    bucket: u64,
}

/// Session tracking for one server, in local milliseconds.
#[derive(Clone, Debug)]
pub struct SessionTracker {
    tick_ms: u64,
    sessions: BTreeMap<SessionId, Session>,
    buckets: BTreeMap<u64, BTreeSet<SessionId>>,
    next_session_id: u64,
}

impl SessionTracker {
    /// `initializeNextSessionId`: the clock's low 40 bits at bits 16..55,
    /// the server id in the top byte.
    pub fn new(tick_ms: u64, myid: u64, clock_ms: u64) -> Self {
        let mut next = (clock_ms << 24) >> 8;
        next |= myid << 56;
        if next == znode::mode::CONTAINER_OWNER {
            next += 1;
        }
        SessionTracker {
            tick_ms: tick_ms.max(1),
            sessions: BTreeMap::new(),
            buckets: BTreeMap::new(),
            next_session_id: next,
        }
    }

    fn round_to_next_interval(&self, t: u64) -> u64 {
        (t / self.tick_ms + 1) * self.tick_ms
    }

    /// Allocate a new session id and track it.
    pub fn create_session(&mut self, timeout_ms: i32, now_ms: u64) -> SessionId {
        let id = self.next_session_id;
        self.next_session_id += 1;
        self.track_session(id, timeout_ms, now_ms);
        id
    }

    /// `trackSession`: start tracking a session (no-op if already known).
    pub fn track_session(&mut self, id: SessionId, timeout_ms: i32, now_ms: u64) {
        if self.sessions.contains_key(&id) {
            return;
        }
        self.sessions.insert(id, Session { timeout_ms, closing: false, owner: None, bucket: 0 });
        self.update_expiry(id, now_ms);
    }

    fn update_expiry(&mut self, id: SessionId, now_ms: u64) {
        let Some(s) = self.sessions.get(&id) else {
            return;
        };
        let bucket = self.round_to_next_interval(now_ms + u64::try_from(s.timeout_ms.max(0)).unwrap_or(0));
        let old = s.bucket;
        if old == bucket {
            return;
        }
        if let Some(set) = self.buckets.get_mut(&old) {
            set.remove(&id);
            if set.is_empty() {
                self.buckets.remove(&old);
            }
        }
        self.buckets.entry(bucket).or_default().insert(id);
        if let Some(s) = self.sessions.get_mut(&id) {
            s.bucket = bucket;
        }
    }

    /// `touchSession`: false if the session is unknown or closing.
    pub fn touch(&mut self, id: SessionId, now_ms: u64) -> bool {
        match self.sessions.get(&id) {
            Some(s) if !s.closing => {
                self.update_expiry(id, now_ms);
                true
            }
            _ => false,
        }
    }

    /// `checkSession`: unknown → UNKNOWNSESSION (a quorum leader maps it to
    /// SESSIONEXPIRED), closing → SESSIONEXPIRED, no owner yet → adopt the
    /// caller, another owner → SESSIONMOVED.
    pub fn check_session(&mut self, id: SessionId, owner: Owner) -> Result<(), Code> {
        let s = self.sessions.get_mut(&id).ok_or(Code::UnknownSession)?;
        if s.closing {
            return Err(Code::SessionExpired);
        }
        match s.owner {
            None => {
                s.owner = Some(owner);
                Ok(())
            }
            Some(o) if o == owner => Ok(()),
            Some(_) => Err(Code::SessionMoved),
        }
    }

    pub fn set_owner(&mut self, id: SessionId, owner: Owner) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.owner = Some(owner);
        }
    }

    pub fn set_closing(&mut self, id: SessionId) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.closing = true;
        }
    }

    pub fn is_live(&self, id: SessionId) -> bool {
        self.sessions.get(&id).is_some_and(|s| !s.closing)
    }

    pub fn timeout_of(&self, id: SessionId) -> Option<i32> {
        self.sessions.get(&id).map(|s| s.timeout_ms)
    }

    pub fn remove(&mut self, id: SessionId) {
        if let Some(s) = self.sessions.remove(&id) {
            if let Some(set) = self.buckets.get_mut(&s.bucket) {
                set.remove(&id);
                if set.is_empty() {
                    self.buckets.remove(&s.bucket);
                }
            }
        }
    }

    /// When the earliest bucket expires (ms), if any session is tracked.
    pub fn next_expiry_ms(&self) -> Option<u64> {
        self.buckets.keys().next().copied()
    }

    /// Sessions whose bucket has passed at `now_ms`; they are marked closing
    /// (the caller submits their closeSession).
    pub fn expire_due(&mut self, now_ms: u64) -> Vec<SessionId> {
        let mut out = Vec::new();
        while let Some((&t, _)) = self.buckets.first_key_value() {
            if t > now_ms {
                break;
            }
            if let Some(set) = self.buckets.remove(&t) {
                for id in set {
                    if let Some(s) = self.sessions.get_mut(&id) {
                        s.closing = true;
                        s.bucket = 0;
                    }
                    out.push(id);
                }
            }
        }
        out
    }

    /// Every tracked session with its timeout and expiry bucket (`dump`).
    pub fn dump(&self) -> Vec<(SessionId, i32, u64, bool)> {
        self.sessions.iter().map(|(id, s)| (*id, s.timeout_ms, s.bucket, s.closing)).collect()
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_lands_between_timeout_and_timeout_plus_tick() {
        let mut t = SessionTracker::new(2000, 1, 1_000);
        let id = t.create_session(4000, 1_500);
        // round_to_next_interval(5500) = 6000
        assert_eq!(t.next_expiry_ms(), Some(6000));
        assert!(t.expire_due(5999).is_empty());
        assert_eq!(t.expire_due(6000), vec![id]);
        assert!(!t.is_live(id));
        assert!(!t.touch(id, 6001), "a closing session cannot be touched");
    }

    #[test]
    fn touch_moves_the_bucket() {
        let mut t = SessionTracker::new(2000, 1, 0);
        let id = t.create_session(4000, 0);
        assert!(t.touch(id, 3000));
        assert_eq!(t.next_expiry_ms(), Some(8000));
    }

    #[test]
    fn owners_and_unknown_sessions() {
        let mut t = SessionTracker::new(2000, 1, 0);
        assert_eq!(t.check_session(99, Owner::Local), Err(Code::UnknownSession));
        let id = t.create_session(4000, 0);
        assert_eq!(t.check_session(id, Owner::Learner(2)), Ok(()));
        assert_eq!(t.check_session(id, Owner::Learner(3)), Err(Code::SessionMoved));
        t.set_closing(id);
        assert_eq!(t.check_session(id, Owner::Learner(2)), Err(Code::SessionExpired));
    }

    #[test]
    fn session_ids_carry_the_server_id() {
        let mut t = SessionTracker::new(2000, 3, 0x1234);
        let id = t.create_session(4000, 0);
        assert_eq!(id >> 56, 3);
        assert_eq!((id >> 16) & 0xff_ffff_ffff, 0x1234);
    }
}
