//! A ZooKeeper server. [`core`] holds what every server does for its
//! clients; [`standalone`] is the one-server ZooKeeper (`ZooKeeperServer`
//! with Prep → Sync → Final).

pub mod cnxn;
pub mod core;
pub mod db;
pub mod prep;
pub mod sessions;
pub mod standalone;

use actor::{ConnId, Instant};
use serde::{Deserialize, Serialize};
use znode::{EventType, LoggedTxn, SessionId, WatchedEvent, WatcherType, Zxid};

pub use standalone::StandaloneServer;

/// Server settings, named as in zoo.cfg (and the Java system properties
/// where zoo.cfg has none). Times are in ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServerConfig {
    /// `tickTime`: the time unit of sessions and quorum timeouts.
    pub tick_time: u32,
    /// `minSessionTimeout`; 0 means 2 × tickTime.
    pub min_session_timeout: i32,
    /// `maxSessionTimeout`; 0 means 20 × tickTime.
    pub max_session_timeout: i32,
    /// `zookeeper.extendedTypesEnabled`: TTL nodes.
    pub extended_types_enabled: bool,
    /// `zookeeper.skipACL`.
    pub skip_acl: bool,
    /// Whether the container manager runs (off makes containers and TTL
    /// nodes stay, as a conformance replay needs).
    pub container_cleanup: bool,
    /// `znode.container.checkIntervalMs`.
    pub container_check_interval_ms: u64,
    /// `znode.container.maxNeverUsedIntervalMs` (0: never-used containers stay).
    pub container_max_never_used_interval_ms: i64,
    /// `jute.maxbuffer`: larger client packets make the server drop the connection.
    pub jute_max_buffer: usize,
    /// exists() needs READ on an existing node (3.8.4+); the traces' 3.8.0
    /// checks none.
    pub exists_requires_read: bool,
    /// The calendar time, in ms since the Unix epoch, at virtual time zero:
    /// transaction times (ctime, mtime) are this plus the local clock.
    pub wall_clock_base_ms: i64,
}

impl Default for ServerConfig {
    /// The code's own defaults (tickTime 3000 when zoo.cfg sets none).
    fn default() -> Self {
        ServerConfig {
            tick_time: 3000,
            min_session_timeout: 0,
            max_session_timeout: 0,
            extended_types_enabled: false,
            skip_acl: false,
            container_cleanup: true,
            container_check_interval_ms: 60_000,
            container_max_never_used_interval_ms: 0,
            jute_max_buffer: znode::ops::MAX_PACKET,
            exists_requires_read: false,
            // 2026-01-01T00:00:00Z
            wall_clock_base_ms: 1_767_225_600_000,
        }
    }
}

impl ServerConfig {
    /// conf/zoo_sample.cfg: tickTime 2000.
    pub fn sample() -> Self {
        ServerConfig { tick_time: 2000, ..Self::default() }
    }

    pub fn min_session_timeout(&self) -> i32 {
        if self.min_session_timeout > 0 {
            self.min_session_timeout
        } else {
            2 * self.tick_time as i32
        }
    }

    pub fn max_session_timeout(&self) -> i32 {
        if self.max_session_timeout > 0 {
            self.max_session_timeout
        } else {
            20 * self.tick_time as i32
        }
    }

    /// Wall-clock ms at local time `now`.
    pub fn wall_ms(&self, now: Instant) -> i64 {
        self.wall_clock_base_ms.saturating_add(i64::try_from(now.as_millis()).unwrap_or(i64::MAX))
    }

    /// `checkValidity`: refuse settings a server would refuse to start with.
    pub fn validate(&self) -> Result<(), String> {
        if self.tick_time == 0 {
            return Err("tickTime must be positive".into());
        }
        if self.min_session_timeout() > self.max_session_timeout() {
            return Err("minSessionTimeout must not be larger than maxSessionTimeout".into());
        }
        if self.jute_max_buffer == 0 {
            return Err("jute.maxbuffer must be positive".into());
        }
        Ok(())
    }
}

/// A server's timers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ServerTimer {
    /// The session tracker's next expiry bucket.
    SessionExpiry,
    /// The container manager's periodic sweep.
    ContainerCheck,
}

/// What a server writes to its disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerWrite {
    /// A transaction appended to the log.
    Txn(LoggedTxn),
}

/// Operator commands to a server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ServerCall {
    /// Run the container manager's sweep now.
    CheckContainers,
}

/// What a server reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ServerEvent {
    /// Started from disk, with this many records replayed; `sessions` are
    /// those rebuilt from the log (id, timeout).
    Booted {
        last_zxid: Zxid,
        replayed: usize,
        sessions: Vec<(SessionId, i32)>,
    },
    /// A transaction was applied to this server's tree.
    Applied {
        txn: LoggedTxn,
    },
    SessionCreated {
        session: SessionId,
        timeout: i32,
    },
    /// A connection is bound to a session (new or re-opened).
    SessionAttached {
        session: SessionId,
        conn: ConnId,
    },
    SessionExpired {
        session: SessionId,
    },
    SessionClosed {
        session: SessionId,
    },
    ConnectionRefused {
        conn: ConnId,
        reason: String,
    },
    /// A client packet over `jute.maxbuffer`: the connection was dropped.
    PacketTooLarge {
        conn: ConnId,
        len: usize,
    },
    WatchAdded {
        session: SessionId,
        path: String,
        kind: String,
    },
    WatchRemoved {
        session: SessionId,
        path: String,
        kind: WatcherType,
    },
    /// A watch notification was sent, while applying the txn at `zxid`.
    Notified {
        session: SessionId,
        event: WatchedEvent,
        zxid: Zxid,
    },
}

impl ServerEvent {
    /// The node event of a notification, for views.
    pub fn notified_kind(&self) -> Option<EventType> {
        match self {
            ServerEvent::Notified { event, .. } => Some(event.kind),
            _ => None,
        }
    }
}
