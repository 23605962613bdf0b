//! A ZooKeeper server. [`core`] holds what every server does for its
//! clients; [`standalone`] is the one-server ZooKeeper (`ZooKeeperServer`
//! with Prep → Sync → Final).

pub mod cnxn;
pub mod core;
pub mod db;
pub mod four_letter;
pub mod fourlw;
pub mod history;
pub mod prep;
pub mod sessions;
pub mod standalone;
pub mod stats;

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
    /// `initLimit`: ticks a learner may take to connect and sync (required
    /// in quorum mode; the sample zoo.cfg sets 10).
    pub init_limit: u32,
    /// `syncLimit`: ticks a learner may lag or stay silent (sample: 5).
    pub sync_limit: u32,
    /// `leaderServes`: whether the leader accepts client connections.
    pub leader_serves: bool,
    /// `readonlymode.enabled`: a LOOKING server serves read-only clients.
    pub readonly_mode_enabled: bool,
    /// `localSessionsEnabled`.
    pub local_sessions_enabled: bool,
    /// `cnxTimeout`: election connect timeout, ms.
    pub cnx_timeout: u64,
    /// `snapCount`: a snapshot after a random count in (snapCount/2, snapCount] txns.
    pub snap_count: u32,
    /// `commitLogCount`: committed proposals kept in memory for DIFF sync.
    pub commit_log_count: u32,
    /// `snapshotSizeFactor` in thousandths (330 = 0.33); negative turns
    /// txn-log based sync off.
    pub snapshot_size_factor_permille: i32,
    /// `4lw.commands.whitelist`: a comma-separated list, or `*` (3.8's
    /// default is `srvr` alone).
    #[serde(rename = "4lw.commands.whitelist")]
    pub four_letter_word_whitelist: String,
    /// ZooKeeper's known bugs, each a switch (all off: the safe protocol).
    pub bugs: crate::quorum::Bugs,
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
            init_limit: 0,
            sync_limit: 0,
            leader_serves: true,
            readonly_mode_enabled: false,
            local_sessions_enabled: false,
            cnx_timeout: 5000,
            snap_count: 100_000,
            commit_log_count: 500,
            snapshot_size_factor_permille: 330,
            four_letter_word_whitelist: "srvr".into(),
            bugs: crate::quorum::Bugs::default(),
        }
    }
}

impl ServerConfig {
    /// conf/zoo_sample.cfg: tickTime 2000, initLimit 10, syncLimit 5.
    pub fn sample() -> Self {
        ServerConfig { tick_time: 2000, init_limit: 10, sync_limit: 5, ..Self::default() }
    }

    /// `initLimit × tickTime`, µs.
    pub fn init_limit_time(&self) -> actor::Duration {
        actor::Duration::from_millis(u64::from(self.init_limit) * u64::from(self.tick_time))
    }

    /// `syncLimit × tickTime`, µs.
    pub fn sync_limit_time(&self) -> actor::Duration {
        actor::Duration::from_millis(u64::from(self.sync_limit) * u64::from(self.tick_time))
    }

    /// The quorum-mode checks of `QuorumPeerConfig.checkValidity`.
    pub fn validate_quorum(&self) -> Result<(), String> {
        self.validate()?;
        if self.init_limit == 0 {
            return Err("initLimit is not set".into());
        }
        if self.sync_limit == 0 {
            return Err("syncLimit is not set".into());
        }
        if self.commit_log_count < 500 {
            return Err("commitLogCount must be at least 500".into());
        }
        if self.snap_count < 2 {
            return Err("snapCount must be at least 2".into());
        }
        Ok(())
    }

    pub fn min_session_timeout(&self) -> i32 {
        if self.min_session_timeout > 0 {
            self.min_session_timeout
        } else {
            i32::try_from(self.tick_time).unwrap_or(i32::MAX).saturating_mul(2)
        }
    }

    pub fn max_session_timeout(&self) -> i32 {
        if self.max_session_timeout > 0 {
            self.max_session_timeout
        } else {
            i32::try_from(self.tick_time).unwrap_or(i32::MAX).saturating_mul(20)
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
    /// FLE: nothing arrived within the notification timeout.
    ElectionPoll,
    /// FLE: nothing better arrived within finalizeWait.
    ElectionFinalize,
    /// The leader's loop: every tickTime/2, ping and check the quorum.
    LeaderTick,
    /// A leader's wait in discovery or sync (initLimit × tickTime) ran out.
    LeaderDeadline,
    /// A learner heard nothing from its leader for too long.
    LearnerRead,
    /// A learner tries to connect to its leader again.
    LearnerConnect,
    /// An observer's pause before it looks for a leader again.
    ObserverRejoin,
    /// A LOOKING server has waited long enough to serve read-only.
    ReadOnly,
}

/// What a server writes to its disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerWrite {
    /// A transaction appended to the log.
    Txn(LoggedTxn),
    /// A snapshot of the whole database.
    Snapshot(Box<crate::quorum::packet::Snapshot>),
    /// The `acceptedEpoch` file.
    AcceptedEpoch(u64),
    /// The `currentEpoch` file.
    CurrentEpoch(u64),
    /// The log truncated after this zxid (TRUNC).
    Truncate(Zxid),
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
        /// How the database was rebuilt: its history digests.
        loaded: history::Loaded,
    },
    /// A transaction was applied to this server's tree; `history` is the
    /// digest of everything applied up to it.
    Applied {
        txn: LoggedTxn,
        history: history::HistoryDigest,
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

    // --- an ensemble member
    /// The peer's state and epochs changed (`leader` once known).
    PeerState {
        state: crate::quorum::packet::ServerState,
        accepted_epoch: u64,
        current_epoch: u64,
        leader: Option<u64>,
    },
    /// The vote this peer now broadcasts.
    Voted {
        vote: crate::quorum::packet::Vote,
    },
    /// The election decided.
    Elected {
        state: crate::quorum::packet::ServerState,
        vote: crate::quorum::packet::Vote,
    },
    /// A role ended (leader lost its quorum, follower lost its leader, ...).
    ShutDown {
        reason: String,
    },
    /// The process cannot go on (a real server exits).
    Fatal {
        reason: String,
    },
    /// This leader's epoch is established: a quorum acked NEWLEADER.
    Established {
        epoch: u64,
    },
    /// The leader proposed a transaction.
    Proposed {
        zxid: Zxid,
    },
    /// A LOOKING peer started (or stopped) serving read-only.
    ReadOnly {
        serving: bool,
    },
    /// The leader committed a transaction (a quorum acked it).
    Committed {
        zxid: Zxid,
    },
    /// The leader dropped a learner.
    LearnerRefused {
        sid: u64,
        reason: String,
    },
    /// The leader chose how to sync a learner (DIFF, TRUNC or SNAP).
    SyncChosen {
        learner: u64,
        mode: String,
        peer_zxid: Zxid,
    },
    /// A learner began syncing in this mode.
    SyncMode {
        mode: String,
        leader: u64,
        zxid: Zxid,
        /// The database the mode left (a SNAP's, a TRUNC's reload).
        loaded: history::Loaded,
    },
    /// A learner finished syncing and serves.
    Serving {
        epoch: u64,
        leader: u64,
    },
    /// A COMMIT with no proposal pending was ignored.
    CommitIgnored {
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
