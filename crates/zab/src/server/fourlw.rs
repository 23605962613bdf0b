//! ZooKeeper 3.8.6's four-letter words on the client port, rendered byte for
//! byte as 3.8.6 prints them (`server/command/*.java`, `ServerStats`,
//! `ServerCnxn.dumpConnectionInfo`, `WatchManager.dumpWatches`,
//! `ZooKeeperServer.dumpConf`, `QuorumZooKeeperServer.dumpConf`,
//! `MonitorCommand`), from a [`FourLetterView`] the server fills from its own
//! state. Nothing here reads a clock or touches a server.
//!
//! How a word travels (NIO, 3.8's default connection factory): on a new
//! connection the first four bytes are read as a packet length; if they spell
//! a known word, the server counts one packet received (server and
//! connection), checks the whitelist, writes the text and closes the
//! connection. Four bytes that are not a word are a packet length: a length
//! outside `0..=jute.maxbuffer` (any four printable ASCII letters) or a
//! server that is not serving closes the connection without a word.
//!
//! What the caller does around [`four_letter`]:
//! 1. if [`is_four_letter_word`] holds for the first four bytes, count one
//!    packet received in its [`ServerStats`] and on the asking connection;
//! 2. build the view with every open client connection *including the asking
//!    one* (see [`ConnectionInfo::four_letter_asker`]): 3.8 lists it in
//!    `stat`/`cons` and counts it in `Connections:`;
//! 3. send the [`FourLetterReply::Text`], then close the connection;
//! 4. apply [`four_letter_action`] (`srst`, `crst`, `stmk` change state).
//!
//! Orders 3.8 leaves to Java hash tables: connections (`stat`, `cons`) and
//! watchers (`wchc`, `wchp`) come in identity-hash order in 3.8, so any
//! order is as faithful as another; they print in the view's order. Watched
//! paths come in `HashMap<String>` order, which depends on the table's
//! history; [`WatchDump::from_manager`] gives path order. `mntr`'s gauges and
//! `conf`'s `server.N` lines are in 3.8's hash order, emulated exactly.
//!
//! `mntr` prints what 3.8.6 prints before its metrics (`zk_version`,
//! `zk_server_state`, a quorum server's `zk_peer_state`, an observer's
//! `zk_observer_master_id`), then every gauge the server registered (24
//! for any server, `zk_quorum_size` for a quorum server, nine more on a
//! leader, `zk_synced_observers` on a follower) in the iteration order of
//! the metrics provider's `ConcurrentHashMap`. Left out: the quota gauge
//! sets (they print nothing until a quota exists) and everything 3.8.6
//! prints after the gauges, the `ServerMetrics` counters and summaries
//! (about 140 keys such as `zk_stale_requests`, `zk_cnt_*`, `zk_p99_*`),
//! which measure Java internals (queues, caches, throttles, thread
//! latencies) the simulation does not have.
//!
//! Words: `ruok`, `isro`, `srvr`, `stat`, `cons`, `crst`, `srst`, `conf`,
//! `dirs`, `envi`, `mntr`, `wchs`, `wchc`, `wchp`, `gtmk`, `stmk` are
//! rendered; `dump` and `hash` are refused or answer "not serving" as 3.8
//! does, and are otherwise [`FourLetterReply::NotModelled`].

use super::stats::{java_double, BufferStats, ConnectionStats, ServerStats};
use super::ServerConfig;
use znode::java_hash::string_hash;
use znode::{SessionId, WatchManager, WatcherId, Zxid};

/// `Version.getFullVersion()` of release-3.8.6: the tagged commit's full
/// hash (Maven's `${mvngit.commit.id}`) and a build time in
/// `yyyy-MM-dd HH:mm zz` (UTC). The hash is the tag's commit; the build
/// minute is invented (plausible: the tag was committed 2026-01-28 20:21 UTC).
pub const VERSION: &str = "3.8.6-6df26081269769c160c8c3a24929c60c91cd19c3, built on 2026-01-28 20:30 UTC";

/// `AbstractFourLetterCommand.ZK_NOT_SERVING`.
pub const ZK_NOT_SERVING: &str = "This ZooKeeper instance is not currently serving requests";

/// `ZooTrace`'s default text trace mask: CLIENT_REQUEST | SERVER_PACKET |
/// SESSION | WARNING (`gtmk` prints it).
pub const DEFAULT_TRACE_MASK: i64 = 0b1_0011_0010;

/// `zk_open_file_descriptor_count` by default: what a fresh standalone
/// server in the official Docker image reports (a fixed, plausible value:
/// the simulation has no file descriptors).
pub const DEFAULT_OPEN_FILE_DESCRIPTORS: i64 = 62;

/// `zk_max_file_descriptor_count` by default (the container's `ulimit -n`).
pub const DEFAULT_MAX_FILE_DESCRIPTORS: i64 = 1_048_576;

/// The words 3.8.6 knows (`FourLetterCommands.cmd2String`), besides the
/// telnet close sequence `ff f4 ff fd`, known as `telnet close`.
pub const KNOWN_WORDS: [&str; 18] = [
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc", "wchp",
    "wchs", "mntr", "isro", "hash",
];

/// The name 3.8 gives the telnet close sequence in its word table.
pub const TELNET_CLOSE: &str = "telnet close";

/// What the server is, as the words see it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServingMode {
    /// `ZooKeeperServer` (one server, no quorum).
    Standalone,
    /// `LeaderZooKeeperServer`, running.
    Leader,
    /// `FollowerZooKeeperServer`, running (synced with its leader).
    Follower,
    /// `ObserverZooKeeperServer`, running.
    Observer,
    /// `ReadOnlyZooKeeperServer`: a LOOKING peer with `readonlymode.enabled`.
    ReadOnly,
    /// No running `ZooKeeperServer` (LOOKING, syncing, shutting down): most
    /// words answer [`ZK_NOT_SERVING`].
    #[default]
    NotServing,
}

impl ServingMode {
    /// `ServerStats.getServerState()`: what `Mode:` and `zk_server_state` print.
    pub fn server_state(self) -> Option<&'static str> {
        match self {
            ServingMode::Standalone => Some("standalone"),
            ServingMode::Leader => Some("leader"),
            ServingMode::Follower => Some("follower"),
            ServingMode::Observer => Some("observer"),
            ServingMode::ReadOnly => Some("read-only"),
            ServingMode::NotServing => None,
        }
    }

    pub fn is_serving(self) -> bool {
        self != ServingMode::NotServing
    }

    /// A `QuorumZooKeeperServer` (prints `peer_state`, `quorum_size` and
    /// `membership:`).
    fn is_quorum_server(self) -> bool {
        matches!(self, ServingMode::Leader | ServingMode::Follower | ServingMode::Observer)
    }

    /// `QuorumPeer.getDetailedPeerState()` of a peer serving in this mode:
    /// the peer state, then the Zab state (BROADCAST once serving); the sync
    /// mode is back to NONE by then, so it adds nothing.
    pub fn default_peer_state(self) -> Option<&'static str> {
        match self {
            ServingMode::Leader => Some("leading - broadcast"),
            ServingMode::Follower => Some("following - broadcast"),
            ServingMode::Observer => Some("observing - broadcast"),
            _ => None,
        }
    }
}

/// `QuorumPeer.LearnerType`; `conf` prints its ordinal as `peerType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LearnerType {
    #[default]
    Participant,
    Observer,
}

impl LearnerType {
    pub fn ordinal(self) -> u8 {
        match self {
            LearnerType::Participant => 0,
            LearnerType::Observer => 1,
        }
    }
}

/// One client connection as `stat` and `cons` print it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// `InetSocketAddress.toString()` of the peer: `/127.0.0.1:52514`.
    pub remote: String,
    /// NIO interest ops: 1 (`OP_READ`) for an idle connection, 5 with
    /// replies queued, 0 while throttled or for the asking word's own
    /// connection (its selection key is cancelled). Printed in hex.
    pub interest_ops: u32,
    /// Requests submitted and not yet answered (`queued=`).
    pub outstanding: u64,
    /// 0 until the connect handshake names a session; then `cons` prints
    /// the long form.
    pub session_id: SessionId,
    /// Wall-clock ms when the connection was accepted (`est=`).
    pub established_ms: i64,
    /// The negotiated session timeout (`to=`).
    pub session_timeout_ms: i32,
    /// Packets, last op/cxid/zxid, latencies.
    pub stats: ConnectionStats,
}

impl ConnectionInfo {
    /// The connection a word arrived on, as 3.8 lists it while answering:
    /// no session, one packet received (the word), nothing sent, interest
    /// ops 0.
    pub fn four_letter_asker(remote: &str) -> Self {
        let mut stats = ConnectionStats::new();
        stats.packet_received();
        ConnectionInfo { remote: remote.to_string(), stats, ..ConnectionInfo::default() }
    }

    /// `ServerCnxn.dumpConnectionInfo(pw, brief)`, without the line end.
    pub fn render(&self, brief: bool) -> String {
        let ops = if self.interest_ops == 0 { "0".to_string() } else { format!("{:x}", self.interest_ops) };
        let mut s = format!(
            " {}[{}](queued={},recved={},sent={}",
            self.remote, ops, self.outstanding, self.stats.packets_received, self.stats.packets_sent
        );
        if !brief && self.session_id != 0 {
            let st = &self.stats;
            s.push_str(&format!(
                ",sid=0x{:x},lop={},est={},to={}",
                self.session_id,
                st.last_op_text(),
                self.established_ms,
                self.session_timeout_ms
            ));
            if st.last_cxid >= 0 {
                s.push_str(&format!(",lcxid=0x{:x}", st.last_cxid));
            }
            s.push_str(&format!(
                ",lzxid=0x{:x},lresp={},llat={},minlat={},avglat={},maxlat={}",
                st.last_zxid as u64,
                st.last_response_time,
                st.last_latency,
                st.min_latency(),
                st.avg_latency(),
                st.max_latency()
            ));
        }
        s.push(')');
        s
    }
}

/// The data-watch table (`DataTree.dataWatches`), which is all `wchs`,
/// `wchc` and `wchp` show: child watches are not listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchDump {
    /// `wchc`: per watching connection, its session and watched paths.
    pub by_session: Vec<(SessionId, Vec<String>)>,
    /// `wchp`: per watched path, the sessions of its watchers.
    pub by_path: Vec<(String, Vec<SessionId>)>,
}

impl WatchDump {
    /// From a server's data `WatchManager`; `session_of` names the session
    /// of a watcher's connection (0 if it has none).
    pub fn from_manager(watches: &WatchManager, session_of: impl Fn(WatcherId) -> SessionId) -> Self {
        WatchDump {
            by_session: watches
                .by_watcher()
                .iter()
                .map(|(w, paths)| (session_of(*w), paths.iter().cloned().collect()))
                .collect(),
            by_path: watches
                .by_path()
                .iter()
                .map(|(p, ws)| (p.clone(), ws.iter().map(|w| session_of(*w)).collect()))
                .collect(),
        }
    }

    /// `WatchManager.toString()` (`wchs`, without the final line end).
    fn summary(&self) -> String {
        let total: usize = self.by_session.iter().map(|(_, p)| p.len()).sum();
        format!("{} connections watching {} paths\nTotal watches:{}", self.by_session.len(), self.by_path.len(), total)
    }
}

/// What `conf` prints that `ServerConfig` does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfView {
    /// The client port; -1 without one.
    pub client_port: i32,
    /// -1: no secure client port.
    pub secure_client_port: i32,
    /// `dataDir` as configured (absolute); `conf` prints the snapshot
    /// directory, `<dataDir>/version-2`.
    pub data_dir: String,
    /// Bytes of the files in `<dataDir>/version-2` (`dataDirSize`, `dirs`).
    pub data_dir_size: u64,
    /// `dataLogDir` as configured (= dataDir if not set); printed with
    /// `/version-2`.
    pub data_log_dir: String,
    pub data_log_size: u64,
    /// `maxClientCnxns` (default 60).
    pub max_client_cnxns: i32,
    /// `clientPortListenBacklog` (default -1: the OS default).
    pub client_port_listen_backlog: i32,
    /// 0 for a standalone server, `myid` for a peer.
    pub server_id: u64,
}

impl Default for ConfView {
    fn default() -> Self {
        ConfView {
            client_port: 2181,
            secure_client_port: -1,
            data_dir: "/data".into(),
            data_dir_size: 0,
            data_log_dir: "/datalog".into(),
            data_log_size: 0,
            max_client_cnxns: 60,
            client_port_listen_backlog: -1,
            server_id: 0,
        }
    }
}

/// One `server.N` of the quorum verifier (`QuorumServer.toString()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumMember {
    pub id: u64,
    /// The host as written in the config (`getHostString`); IPv6 literals
    /// are printed in brackets.
    pub host: String,
    pub quorum_port: u16,
    pub election_port: u16,
    pub learner_type: LearnerType,
    /// `;host:port` of the client address, only when the `server.N` line
    /// itself gave one (not when it comes from `clientPort`).
    pub client: Option<(String, u16)>,
}

impl QuorumMember {
    pub fn render(&self) -> String {
        let mut s = format!("{}:{}:{}", delimited_host(&self.host), self.quorum_port, self.election_port);
        s.push_str(match self.learner_type {
            LearnerType::Observer => ":observer",
            LearnerType::Participant => ":participant",
        });
        if let Some((host, port)) = &self.client {
            s.push_str(&format!(";{}:{}", delimited_host(host), port));
        }
        s
    }
}

fn delimited_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// A peer's quorum settings and state (leader, follower, observer, and a
/// read-only peer's `conf`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuorumView {
    /// `electionAlg` (3, the only one in 3.8).
    pub election_alg: i32,
    /// This peer's election ports (several only with multiAddress), joined
    /// by `|`.
    pub election_ports: Vec<u16>,
    pub quorum_ports: Vec<u16>,
    /// This peer's own type (`peerType`).
    pub peer_type: LearnerType,
    /// Every member of the quorum verifier, in configuration order (ties in
    /// Java's hash order keep this order).
    pub members: Vec<QuorumMember>,
    /// The quorum verifier's version (`version=`; 0 with reconfig off).
    pub config_version: u64,
    /// `getDetailedPeerState()`; `None`: [`ServingMode::default_peer_state`].
    pub peer_state: Option<String>,
    /// Voting members (`zk_quorum_size`).
    pub quorum_size: usize,
}

impl QuorumView {
    /// `QuorumMaj.toString()`: one `server.N=` line per member in
    /// `HashMap<Long, QuorumServer>` order, then `version=<hex>` with no
    /// line end.
    pub fn membership(&self) -> String {
        let mut out = String::new();
        for m in java_long_map_order(&self.members, |m| m.id) {
            out.push_str(&format!("server.{}={}\n", m.id, m.render()));
        }
        out.push_str(&format!("version={:x}", self.config_version));
        out
    }
}

/// The leader-only gauges of `mntr` and the proposal sizes of `srvr`/`stat`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderView {
    /// Connected learners, followers and observers (`zk_learners`).
    pub learners: usize,
    /// Synced (forwarding) followers, voting or not.
    pub synced_followers: usize,
    /// Synced followers that are not voting members.
    pub synced_non_voting_followers: usize,
    /// Outstanding `sync` requests.
    pub pending_syncs: usize,
    /// ms since this leader's epoch was established (`leader_uptime`).
    pub uptime_ms: u64,
    /// Sizes of the serialized proposals (`Proposal sizes last/min/max`).
    pub proposal_stats: BufferStats,
}

/// Everything the four-letter words print, filled by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FourLetterView {
    /// `Version.getFullVersion()`.
    pub version: String,
    pub mode: ServingMode,
    /// The last processed zxid (`Zxid:`).
    pub last_zxid: Zxid,
    /// `Node count:`, `zk_znode_count`.
    pub node_count: usize,
    pub stats: ServerStats,
    /// Requests in the pipeline (`Outstanding:`).
    pub outstanding_requests: u64,
    /// Every open client connection, the asking one included.
    pub connections: Vec<ConnectionInfo>,
    /// Data watches (`wchs`, `wchc`, `wchp`).
    pub watches: WatchDump,
    /// Data plus child watches, (watcher, path) pairs (`zk_watch_count`).
    pub watch_count: usize,
    pub ephemerals_count: usize,
    /// Sum of path lengths and data lengths (`zk_approximate_data_size`).
    pub approximate_data_size: u64,
    /// Sessions in the database (`zk_global_sessions`).
    pub global_sessions: usize,
    pub local_sessions: usize,
    /// ms since this `ZooKeeperServer` was created (`zk_uptime`).
    pub uptime_ms: u64,
    pub open_file_descriptor_count: i64,
    pub max_file_descriptor_count: i64,
    pub conf: ConfView,
    /// Set for Leader, Follower, Observer and ReadOnly.
    pub quorum: Option<QuorumView>,
    /// Read in Leader mode.
    pub leader: LeaderView,
    /// Observers synced with this leader, or with this follower acting as
    /// an observer master (`zk_synced_observers`, leader and follower).
    pub synced_observers: usize,
    /// An observer's learner master (`zk_observer_master_id`; `None` prints
    /// `null`).
    pub observer_master_id: Option<u64>,
    /// The roles this process served in before the current one, oldest
    /// first: each registered its gauges and unregistered them on shutdown,
    /// which can reorder `mntr` lines that share a hash bin. Empty for a
    /// fresh process.
    pub metrics_history: Vec<ServingMode>,
    /// `envi` lines after `zookeeper.version` (which comes from `version`).
    pub environment: Vec<(String, String)>,
    /// `ZooTrace`'s text trace mask (`gtmk`, set by `stmk`).
    pub trace_mask: i64,
}

impl Default for FourLetterView {
    fn default() -> Self {
        FourLetterView {
            version: VERSION.into(),
            mode: ServingMode::NotServing,
            last_zxid: 0,
            node_count: 0,
            stats: ServerStats::default(),
            outstanding_requests: 0,
            connections: Vec::new(),
            watches: WatchDump::default(),
            watch_count: 0,
            ephemerals_count: 0,
            approximate_data_size: 0,
            global_sessions: 0,
            local_sessions: 0,
            uptime_ms: 0,
            open_file_descriptor_count: DEFAULT_OPEN_FILE_DESCRIPTORS,
            max_file_descriptor_count: DEFAULT_MAX_FILE_DESCRIPTORS,
            conf: ConfView::default(),
            quorum: None,
            leader: LeaderView::default(),
            synced_observers: 0,
            observer_master_id: None,
            metrics_history: Vec::new(),
            environment: default_environment("localhost"),
            trace_mask: DEFAULT_TRACE_MASK,
        }
    }
}

/// `Environment.list()` after `zookeeper.version`, as a server in the
/// official `zookeeper:3.8.6` Docker image (Temurin 17, `-Xmx1000m`) would
/// print it. Invented but plausible: the simulation has no JVM. The class
/// path is shortened to the ZooKeeper jar and the conf directory.
pub fn default_environment(host_name: &str) -> Vec<(String, String)> {
    [
        ("host.name", host_name),
        ("java.version", "17.0.17"),
        ("java.vendor", "Eclipse Adoptium"),
        ("java.home", "/opt/java/openjdk"),
        (
            "java.class.path",
            "/apache-zookeeper-3.8.6-bin/bin/../lib/zookeeper-3.8.6.jar:/apache-zookeeper-3.8.6-bin/bin/../lib/zookeeper-jute-3.8.6.jar:/conf:",
        ),
        ("java.library.path", "/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib"),
        ("java.io.tmpdir", "/tmp"),
        ("java.compiler", "<NA>"),
        ("os.name", "Linux"),
        ("os.arch", "amd64"),
        ("os.version", "6.8.0-90-generic"),
        ("user.name", "zookeeper"),
        ("user.home", "/home/zookeeper"),
        ("user.dir", "/apache-zookeeper-3.8.6-bin"),
        ("os.memory.free", "42MB"),
        ("os.memory.max", "1000MB"),
        ("os.memory.total", "64MB"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// What the server answers a word with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FourLetterReply {
    /// This text is written, then the server closes the connection.
    Text(String),
    /// No text: the server closes the connection. The four bytes were not a
    /// word and, read as a packet length, were negative or above
    /// `jute.maxbuffer`, or the server is not serving (3.8's `Len error` /
    /// `ZooKeeperServer not running`); or a whitelisted telnet close
    /// sequence; or `stmk` without its 8-byte mask.
    Closed,
    /// Fewer than four bytes: 3.8 waits for more.
    Incomplete,
    /// Not a word but a plausible packet length on a serving server: the
    /// bytes start an ordinary request (the ConnectRequest).
    NotAWord,
    /// A word 3.8.6 answers that this model does not render: `dump`
    /// (session expiry buckets with dates, connection expiry queue) and
    /// `hash` (the tree digest log) on a serving server.
    NotModelled(&'static str),
}

/// State a word changes, for the caller to apply after answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FourLetterAction {
    None,
    /// `srst`: [`ServerStats::reset`]; on a leader also reset
    /// `LeaderView::proposal_stats`.
    ResetServerStats,
    /// `crst`: [`ConnectionStats::reset`] on every connection.
    ResetConnectionStats,
    /// `stmk`: the new text trace mask.
    SetTraceMask(i64),
}

/// The word the first four bytes spell, if 3.8.6 knows it
/// (`FourLetterCommands.isKnown`).
pub fn known_word(bytes: &[u8]) -> Option<&'static str> {
    let head = bytes.get(..4)?;
    if head == [0xff, 0xf4, 0xff, 0xfd] {
        return Some(TELNET_CLOSE);
    }
    KNOWN_WORDS.iter().copied().find(|w| w.as_bytes() == head)
}

/// Whether the first four bytes are a word 3.8.6 knows: the server then
/// counts one packet received, whitelisted or not.
pub fn is_four_letter_word(bytes: impl AsRef<[u8]>) -> bool {
    known_word(bytes.as_ref()).is_some()
}

/// `FourLetterCommands.isEnabled`: the comma-separated
/// `4lw.commands.whitelist` (an item `*` enables every known word), plus
/// `srvr` always and `isro` with `readonlymode.enabled`.
pub fn four_letter_enabled(cfg: &ServerConfig, word: &str) -> bool {
    if word == "srvr" || (word == "isro" && cfg.readonly_mode_enabled) {
        return true;
    }
    cfg.four_letter_word_whitelist.split(',').map(str::trim).any(|c| c == "*" || c == word)
}

/// The server's answer to the bytes a new client connection starts with.
pub fn four_letter(cmd: impl AsRef<[u8]>, view: &FourLetterView, cfg: &ServerConfig) -> FourLetterReply {
    use FourLetterReply::{Closed, Incomplete, NotAWord, NotModelled, Text};
    let bytes = cmd.as_ref();
    let Some(head) = bytes.get(..4) else {
        return Incomplete;
    };
    let Some(word) = known_word(head) else {
        let len = i32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let fits = usize::try_from(len).is_ok_and(|l| l <= cfg.jute_max_buffer);
        return if fits && view.mode.is_serving() { NotAWord } else { Closed };
    };
    if !four_letter_enabled(cfg, word) {
        return Text(format!("{word} is not executed because it is not in the whitelist.\n"));
    }
    match word {
        "ruok" => return Text("imok".into()),
        "gtmk" => return Text(view.trace_mask.to_string()),
        "stmk" => {
            return match stmk_mask(bytes) {
                Some(mask) => Text(mask.to_string()),
                None => Closed,
            }
        }
        "envi" => return Text(envi(view)),
        TELNET_CLOSE => return Closed,
        _ => {}
    }
    if !view.mode.is_serving() {
        return Text(match word {
            "isro" => "null".into(),
            "hash" => ZK_NOT_SERVING.into(),
            _ => format!("{ZK_NOT_SERVING}\n"),
        });
    }
    Text(match word {
        "isro" => (if view.mode == ServingMode::ReadOnly { "ro" } else { "rw" }).into(),
        "srvr" => stat(view, false),
        "stat" => stat(view, true),
        "cons" => cons(view),
        "conf" => conf(view, cfg),
        "mntr" => mntr(view),
        "wchs" => format!("{}\n", view.watches.summary()),
        "wchc" => wchc(view),
        "wchp" => wchp(view),
        "dirs" => format!("datadir_size: {}\nlogdir_size: {}\n", view.conf.data_dir_size, view.conf.data_log_size),
        "srst" => "Server stats reset.\n".into(),
        "crst" => "Connection stats reset.\n".into(),
        other => return NotModelled(other),
    })
}

/// What answering `cmd` changes in the server (nothing for a refused word,
/// or for `srst`/`crst` on a server that is not serving).
pub fn four_letter_action(cmd: impl AsRef<[u8]>, view: &FourLetterView, cfg: &ServerConfig) -> FourLetterAction {
    let bytes = cmd.as_ref();
    let Some(word) = known_word(bytes) else {
        return FourLetterAction::None;
    };
    if !four_letter_enabled(cfg, word) {
        return FourLetterAction::None;
    }
    match word {
        "stmk" => stmk_mask(bytes).map_or(FourLetterAction::None, FourLetterAction::SetTraceMask),
        "srst" if view.mode.is_serving() => FourLetterAction::ResetServerStats,
        "crst" if view.mode.is_serving() => FourLetterAction::ResetConnectionStats,
        _ => FourLetterAction::None,
    }
}

/// `stmk`'s argument: the 8 bytes after the word, a big-endian long.
fn stmk_mask(bytes: &[u8]) -> Option<i64> {
    let b = bytes.get(4..12)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(i64::from_be_bytes(a))
}

/// `StatCommand`: `srvr`, or `stat` with the client list.
fn stat(view: &FourLetterView, with_clients: bool) -> String {
    let mut out = format!("Zookeeper version: {}\n", view.version);
    if view.mode == ServingMode::ReadOnly {
        out.push_str("READ-ONLY mode; serving only read-only clients\n");
    }
    if with_clients {
        out.push_str("Clients:\n");
        for c in &view.connections {
            out.push_str(&c.render(true));
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&server_stats_text(view));
    out.push_str(&format!("Node count: {}\n", view.node_count));
    if view.mode == ServingMode::Leader {
        out.push_str(&format!("Proposal sizes last/min/max: {}\n", view.leader.proposal_stats.render()));
    }
    out
}

/// `ServerStats.toString()`.
fn server_stats_text(view: &FourLetterView) -> String {
    let s = &view.stats;
    format!(
        "Latency min/avg/max: {}/{}/{}\nReceived: {}\nSent: {}\nConnections: {}\nOutstanding: {}\nZxid: 0x{:x}\nMode: {}\n",
        s.min_latency(),
        java_double(s.avg_latency()),
        s.max_latency(),
        s.packets_received,
        s.packets_sent,
        view.connections.len(),
        view.outstanding_requests,
        view.last_zxid,
        view.mode.server_state().unwrap_or("")
    )
}

/// `ConsCommand`.
fn cons(view: &FourLetterView) -> String {
    let mut out = String::new();
    for c in &view.connections {
        out.push_str(&c.render(false));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// `ZooKeeperServer.dumpConf`, extended by `QuorumZooKeeperServer` (with
/// the membership) and `ReadOnlyZooKeeperServer` (without it).
fn conf(view: &FourLetterView, cfg: &ServerConfig) -> String {
    let c = &view.conf;
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k}={v}\n"));
    line("clientPort", c.client_port.to_string());
    line("secureClientPort", c.secure_client_port.to_string());
    line("dataDir", version_dir(&c.data_dir));
    line("dataDirSize", c.data_dir_size.to_string());
    line("dataLogDir", version_dir(&c.data_log_dir));
    line("dataLogSize", c.data_log_size.to_string());
    line("tickTime", cfg.tick_time.to_string());
    line("maxClientCnxns", c.max_client_cnxns.to_string());
    line("minSessionTimeout", cfg.min_session_timeout().to_string());
    line("maxSessionTimeout", cfg.max_session_timeout().to_string());
    line("clientPortListenBacklog", c.client_port_listen_backlog.to_string());
    line("serverId", c.server_id.to_string());
    let quorum_conf = view.mode.is_quorum_server() || view.mode == ServingMode::ReadOnly;
    if let (true, Some(q)) = (quorum_conf, &view.quorum) {
        let ports = |p: &[u16]| p.iter().map(u16::to_string).collect::<Vec<_>>().join("|");
        line("initLimit", cfg.init_limit.to_string());
        line("syncLimit", cfg.sync_limit.to_string());
        line("electionAlg", q.election_alg.to_string());
        line("electionPort", ports(&q.election_ports));
        line("quorumPort", ports(&q.quorum_ports));
        line("peerType", q.peer_type.ordinal().to_string());
        if view.mode != ServingMode::ReadOnly {
            out.push_str("membership: \n");
            out.push_str(&q.membership());
        }
    }
    out
}

/// `FileTxnSnapLog`'s directories: `new File(dir, "version-2")`.
fn version_dir(dir: &str) -> String {
    let base = dir.trim_end_matches('/');
    if base.is_empty() && dir.starts_with('/') {
        "/version-2".into()
    } else {
        format!("{base}/version-2")
    }
}

/// `WatchCommand` for `wchc`: per connection `0x<session>` and its paths,
/// then one empty line.
fn wchc(view: &FourLetterView) -> String {
    let mut out = String::new();
    for (session, paths) in &view.watches.by_session {
        out.push_str(&format!("0x{session:x}\n"));
        for p in paths {
            out.push_str(&format!("\t{p}\n"));
        }
    }
    out.push('\n');
    out
}

/// `WatchCommand` for `wchp`: per path its watchers' sessions.
fn wchp(view: &FourLetterView) -> String {
    let mut out = String::new();
    for (path, sessions) in &view.watches.by_path {
        out.push_str(&format!("{path}\n"));
        for s in sessions {
            out.push_str(&format!("\t0x{s:x}\n"));
        }
    }
    out.push('\n');
    out
}

/// `EnvCommand`.
fn envi(view: &FourLetterView) -> String {
    let mut out = format!("Environment:\nzookeeper.version={}\n", view.version);
    for (k, v) in &view.environment {
        out.push_str(&format!("{k}={v}\n"));
    }
    out
}

// ------------------------------------------------------------------- mntr

/// Gauges every `ZooKeeperServer` registers, in registration order.
const BASE_GAUGES: [&str; 24] = [
    "avg_latency",
    "max_latency",
    "min_latency",
    "packets_received",
    "packets_sent",
    "num_alive_connections",
    "outstanding_requests",
    "uptime",
    "znode_count",
    "watch_count",
    "ephemerals_count",
    "approximate_data_size",
    "global_sessions",
    "local_sessions",
    "open_file_descriptor_count",
    "max_file_descriptor_count",
    "connection_drop_probability",
    "last_client_response_size",
    "max_client_response_size",
    "min_client_response_size",
    "outstanding_tls_handshake",
    "auth_failed_count",
    "non_mtls_remote_conn_count",
    "non_mtls_local_conn_count",
];

/// The one base gauge `unregisterMetrics` forgets (3.8.6): it stays in the
/// provider's map across role changes.
const NEVER_UNREGISTERED: &str = "outstanding_tls_handshake";

/// `LeaderZooKeeperServer.registerMetrics`, after `quorum_size`.
const LEADER_GAUGES: [&str; 9] = [
    "learners",
    "synced_followers",
    "synced_non_voting_followers",
    "synced_observers",
    "pending_syncs",
    "leader_uptime",
    "last_proposal_size",
    "max_proposal_size",
    "min_proposal_size",
];

/// The gauges a server in `mode` registers, in order.
fn gauges_of(mode: ServingMode) -> Vec<&'static str> {
    let mut g = BASE_GAUGES.to_vec();
    if mode.is_quorum_server() {
        g.push("quorum_size");
    }
    match mode {
        ServingMode::Leader => g.extend(LEADER_GAUGES),
        ServingMode::Follower => g.push("synced_observers"),
        _ => {}
    }
    g
}

/// The order `DefaultMetricsProvider` dumps its gauges in: iteration order
/// of its `ConcurrentHashMap<String, Gauge>` after the process's history of
/// registrations.
fn gauge_order(history: &[ServingMode], mode: ServingMode) -> Vec<&'static str> {
    let mut map = ChmOrder::default();
    for &past in history.iter().filter(|m| m.is_serving()) {
        for g in gauges_of(past) {
            map.put(g);
        }
        for g in gauges_of(past) {
            if g != NEVER_UNREGISTERED {
                map.remove(g);
            }
        }
    }
    for g in gauges_of(mode) {
        map.put(g);
    }
    map.order()
}

/// The value a gauge reads, as `MonitorCommand.print` formats it.
fn gauge_value(name: &str, view: &FourLetterView) -> String {
    let s = &view.stats;
    let l = &view.leader;
    let quorum_size = view.quorum.as_ref().map_or(0, |q| q.quorum_size);
    match name {
        "avg_latency" => java_double(s.avg_latency()),
        "max_latency" => s.max_latency().to_string(),
        "min_latency" => s.min_latency().to_string(),
        "packets_received" => s.packets_received.to_string(),
        "packets_sent" => s.packets_sent.to_string(),
        "num_alive_connections" => view.connections.len().to_string(),
        "outstanding_requests" => view.outstanding_requests.to_string(),
        "uptime" => view.uptime_ms.to_string(),
        "znode_count" => view.node_count.to_string(),
        "watch_count" => view.watch_count.to_string(),
        "ephemerals_count" => view.ephemerals_count.to_string(),
        "approximate_data_size" => view.approximate_data_size.to_string(),
        "global_sessions" => view.global_sessions.to_string(),
        "local_sessions" => view.local_sessions.to_string(),
        "open_file_descriptor_count" => view.open_file_descriptor_count.to_string(),
        "max_file_descriptor_count" => view.max_file_descriptor_count.to_string(),
        // BlueThrottle is off by default: it never drops.
        "connection_drop_probability" => java_double(0.0),
        "last_client_response_size" => s.client_response_stats.last.to_string(),
        "max_client_response_size" => s.client_response_stats.max.to_string(),
        "min_client_response_size" => s.client_response_stats.min.to_string(),
        "auth_failed_count" => s.auth_failed_count.to_string(),
        "non_mtls_remote_conn_count" => s.non_mtls_remote_conn_count.to_string(),
        "non_mtls_local_conn_count" => s.non_mtls_local_conn_count.to_string(),
        "quorum_size" => quorum_size.to_string(),
        "learners" => l.learners.to_string(),
        "synced_followers" => l.synced_followers.to_string(),
        "synced_non_voting_followers" => l.synced_non_voting_followers.to_string(),
        "synced_observers" => view.synced_observers.to_string(),
        "pending_syncs" => l.pending_syncs.to_string(),
        "leader_uptime" => l.uptime_ms.to_string(),
        "last_proposal_size" => l.proposal_stats.last.to_string(),
        "max_proposal_size" => l.proposal_stats.max.to_string(),
        "min_proposal_size" => l.proposal_stats.min.to_string(),
        // outstanding_tls_handshake: the NIO factory has no TLS handshakes.
        _ => "0".into(),
    }
}

/// `MonitorCommand`: `dumpMonitorValues` (version, state, a quorum
/// server's peer state, an observer's master), then the metrics provider's
/// gauges. What is left out is listed in the module's documentation.
fn mntr(view: &FourLetterView) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| out.push_str(&format!("zk_{k}\t{v}\n"));
    line("version", &view.version);
    line("server_state", view.mode.server_state().unwrap_or(""));
    if view.mode.is_quorum_server() {
        let state = view.quorum.as_ref().and_then(|q| q.peer_state.clone());
        line("peer_state", state.as_deref().or(view.mode.default_peer_state()).unwrap_or(""));
    }
    if view.mode == ServingMode::Observer {
        let id = view.observer_master_id.map_or_else(|| "null".to_string(), |id| id.to_string());
        line("observer_master_id", &id);
    }
    for g in gauge_order(&view.metrics_history, view.mode) {
        line(g, &gauge_value(g, view));
    }
    out
}

/// The iteration order of a `java.util.concurrent.ConcurrentHashMap<String, _>`
/// built by `put` and `remove` alone: a table of 16 bins on first use,
/// doubled when the count reaches ¾ of it; new keys at the tail of their
/// bin; a resize splits each bin, keeping the longest tail run that goes to
/// one side and prepending the nodes before it (so those reverse).
#[derive(Default)]
struct ChmOrder {
    table: Vec<Vec<(u32, &'static str)>>,
    count: usize,
    size_ctl: usize,
}

impl ChmOrder {
    fn spread(key: &str) -> u32 {
        let h = string_hash(key) as u32;
        (h ^ (h >> 16)) & 0x7fff_ffff
    }

    fn bin(&self, hash: u32) -> usize {
        (hash as usize) & (self.table.len() - 1)
    }

    fn put(&mut self, key: &'static str) {
        if self.table.is_empty() {
            self.table = vec![Vec::new(); 16];
            self.size_ctl = 12;
        }
        let hash = Self::spread(key);
        let i = self.bin(hash);
        if self.table[i].iter().any(|(_, k)| *k == key) {
            return; // the value is replaced in place
        }
        self.table[i].push((hash, key));
        self.count += 1;
        while self.count >= self.size_ctl {
            self.transfer();
        }
    }

    fn remove(&mut self, key: &str) {
        if self.table.is_empty() {
            return;
        }
        let i = self.bin(Self::spread(key));
        if let Some(pos) = self.table[i].iter().position(|(_, k)| *k == key) {
            self.table[i].remove(pos);
            self.count -= 1;
        }
    }

    fn transfer(&mut self) {
        let n = self.table.len();
        let mut next = vec![Vec::new(); 2 * n];
        for (i, bin) in self.table.iter().enumerate() {
            let Some(first) = bin.first() else {
                continue;
            };
            let side = |h: u32| (h as usize) & n != 0;
            let mut run_bit = side(first.0);
            let mut last_run = 0;
            for (j, node) in bin.iter().enumerate().skip(1) {
                if side(node.0) != run_bit {
                    run_bit = side(node.0);
                    last_run = j;
                }
            }
            let (mut low, mut high): (Vec<_>, Vec<_>) =
                if run_bit { (Vec::new(), bin[last_run..].to_vec()) } else { (bin[last_run..].to_vec(), Vec::new()) };
            for node in &bin[..last_run] {
                if side(node.0) {
                    high.insert(0, *node);
                } else {
                    low.insert(0, *node);
                }
            }
            next[i] = low;
            next[i + n] = high;
        }
        self.table = next;
        self.size_ctl = (n << 1) - (n >> 1);
    }

    fn order(&self) -> Vec<&'static str> {
        self.table.iter().flatten().map(|(_, k)| *k).collect()
    }
}

/// Iteration order of a `java.util.HashMap<Long, _>` filled in `items`'
/// order: by bin (`Long.hashCode` spread, table 16 doubled past ¾ full),
/// then insertion order (a `HashMap` resize keeps it).
fn java_long_map_order<T>(items: &[T], key: impl Fn(&T) -> u64) -> Vec<&T> {
    let mut cap = 16usize;
    while items.len() > cap / 4 * 3 {
        cap *= 2;
    }
    let bin = |v: u64| {
        let h = (v ^ (v >> 32)) as u32;
        ((h ^ (h >> 16)) as usize) & (cap - 1)
    };
    let mut order: Vec<(usize, usize, &T)> = items.iter().enumerate().map(|(i, t)| (bin(key(t)), i, t)).collect();
    order.sort_by_key(|(b, i, _)| (*b, *i));
    order.into_iter().map(|(_, _, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "3.8.6-6df26081269769c160c8c3a24929c60c91cd19c3, built on 2026-01-28 20:30 UTC";
    const SID: SessionId = 0x1000004d5e60000;

    fn text(reply: FourLetterReply) -> String {
        match reply {
            FourLetterReply::Text(t) => t,
            other => panic!("expected text, got {other:?}"),
        }
    }

    fn cfg_all() -> ServerConfig {
        ServerConfig { four_letter_word_whitelist: "*".into(), ..ServerConfig::sample() }
    }

    fn quorum_cfg_all() -> ServerConfig {
        cfg_all()
    }

    /// A client with a session that connected, read twice, and the asker.
    fn connections() -> Vec<ConnectionInfo> {
        let mut stats = ConnectionStats::new();
        for _ in 0..9 {
            stats.packet_received();
        }
        for _ in 0..8 {
            stats.packet_sent();
        }
        stats.update_for_response(0, 0x2, "SESS", 1000, 1004);
        stats.update_for_response(7, 0x5, "GETD", 51_999, 52_000);
        let client = ConnectionInfo {
            remote: "/127.0.0.1:41234".into(),
            interest_ops: 1,
            outstanding: 0,
            session_id: SID,
            established_ms: 1_767_225_600_123,
            session_timeout_ms: 30_000,
            stats,
        };
        vec![client, ConnectionInfo::four_letter_asker("/127.0.0.1:41240")]
    }

    fn server_stats() -> ServerStats {
        let mut s = ServerStats::new();
        for _ in 0..10 {
            s.packet_received();
        }
        for _ in 0..8 {
            s.packet_sent();
        }
        s.update_latency(0, 1);
        s.update_latency(0, 2);
        s.update_latency(0, 4);
        s.update_client_response_size(16);
        s.update_client_response_size(200);
        s.update_client_response_size(24);
        s
    }

    fn standalone() -> FourLetterView {
        FourLetterView {
            mode: ServingMode::Standalone,
            last_zxid: 0x5,
            node_count: 6,
            stats: server_stats(),
            connections: connections(),
            watches: WatchDump {
                by_session: vec![(SID, vec!["/app".into(), "/app/x".into()])],
                by_path: vec![("/app".into(), vec![SID]), ("/app/x".into(), vec![SID])],
            },
            watch_count: 3,
            ephemerals_count: 1,
            approximate_data_size: 80,
            global_sessions: 1,
            uptime_ms: 60_000,
            conf: ConfView { data_dir_size: 1234, data_log_size: 67_108_880, ..ConfView::default() },
            ..FourLetterView::default()
        }
    }

    fn member(id: u64) -> QuorumMember {
        QuorumMember {
            id,
            host: format!("zoo{id}"),
            quorum_port: 2888,
            election_port: 3888,
            learner_type: LearnerType::Participant,
            client: None,
        }
    }

    fn quorum(mode: ServingMode, myid: u64) -> FourLetterView {
        let mut v = standalone();
        v.mode = mode;
        v.last_zxid = 0x100000005;
        v.conf.server_id = myid;
        let mut third = member(3);
        third.client = Some(("0.0.0.0".into(), 2181));
        v.quorum = Some(QuorumView {
            election_alg: 3,
            election_ports: vec![3888],
            quorum_ports: vec![2888],
            peer_type: LearnerType::Participant,
            members: vec![member(1), member(2), third],
            config_version: 0,
            peer_state: None,
            quorum_size: 3,
        });
        v
    }

    fn leader() -> FourLetterView {
        let mut v = quorum(ServingMode::Leader, 1);
        let mut proposals = BufferStats::default();
        proposals.set_last(64);
        proposals.set_last(48);
        proposals.set_last(120);
        v.leader = LeaderView {
            learners: 2,
            synced_followers: 2,
            synced_non_voting_followers: 0,
            pending_syncs: 0,
            uptime_ms: 30_000,
            proposal_stats: proposals,
        };
        v
    }

    fn follower() -> FourLetterView {
        quorum(ServingMode::Follower, 2)
    }

    // ------------------------------------------------------------ whitelist

    #[test]
    fn whitelist_is_3_8s() {
        let default = ServerConfig::default();
        assert!(four_letter_enabled(&default, "srvr"));
        assert!(!four_letter_enabled(&default, "stat"));
        assert!(!four_letter_enabled(&default, "isro"));
        let ro = ServerConfig { readonly_mode_enabled: true, ..ServerConfig::default() };
        assert!(four_letter_enabled(&ro, "isro"));
        let listed = ServerConfig { four_letter_word_whitelist: " stat , ruok".into(), ..ServerConfig::default() };
        assert!(four_letter_enabled(&listed, "stat") && four_letter_enabled(&listed, "ruok"));
        assert!(four_letter_enabled(&listed, "srvr"), "srvr is always enabled");
        assert!(!four_letter_enabled(&listed, "mntr"));
        let star = ServerConfig { four_letter_word_whitelist: "stat, *".into(), ..ServerConfig::default() };
        assert!(four_letter_enabled(&star, "mntr") && four_letter_enabled(&star, TELNET_CLOSE));
    }

    #[test]
    fn refused_word() {
        let v = standalone();
        let cfg = ServerConfig::default();
        assert_eq!(text(four_letter("stat", &v, &cfg)), "stat is not executed because it is not in the whitelist.\n");
        assert_eq!(text(four_letter("ruok", &v, &cfg)), "ruok is not executed because it is not in the whitelist.\n");
        assert_eq!(four_letter_action("srst", &v, &cfg), FourLetterAction::None);
        let telnet = [0xff, 0xf4, 0xff, 0xfd];
        assert!(is_four_letter_word(telnet));
        assert_eq!(
            text(four_letter(telnet, &v, &cfg)),
            "telnet close is not executed because it is not in the whitelist.\n"
        );
        assert_eq!(four_letter(telnet, &v, &cfg_all()), FourLetterReply::Closed);
        // srvr needs no whitelisting.
        assert!(text(four_letter("srvr", &v, &cfg)).starts_with("Zookeeper version: "));
    }

    #[test]
    fn unknown_words_and_short_input() {
        let v = standalone();
        let cfg = cfg_all();
        assert!(!is_four_letter_word("abcd"));
        assert_eq!(four_letter("abcd", &v, &cfg), FourLetterReply::Closed);
        assert_eq!(four_letter("SRVR", &v, &cfg), FourLetterReply::Closed);
        assert_eq!(four_letter("sr", &v, &cfg), FourLetterReply::Incomplete);
        // A ConnectRequest's length prefix is not a word.
        assert_eq!(four_letter([0, 0, 0, 44], &v, &cfg), FourLetterReply::NotAWord);
        let not_serving = FourLetterView::default();
        assert_eq!(four_letter([0, 0, 0, 44], &not_serving, &cfg), FourLetterReply::Closed);
        // `echo srvr | nc`: the newline after the word is never read.
        assert_eq!(four_letter("srvr\n", &v, &cfg), four_letter("srvr", &v, &cfg));
    }

    // ----------------------------------------------------------- standalone

    #[test]
    fn standalone_srvr() {
        let out = text(four_letter("srvr", &standalone(), &cfg_all()));
        let expected = format!(
            "Zookeeper version: {V}\n\
             Latency min/avg/max: 1/2.3333/4\n\
             Received: 10\n\
             Sent: 8\n\
             Connections: 2\n\
             Outstanding: 0\n\
             Zxid: 0x5\n\
             Mode: standalone\n\
             Node count: 6\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn fresh_srvr_prints_a_decimal_average() {
        let v = FourLetterView { mode: ServingMode::Standalone, node_count: 5, ..FourLetterView::default() };
        let out = text(four_letter("srvr", &v, &ServerConfig::default()));
        assert!(out.contains("\nLatency min/avg/max: 0/0.0/0\n"), "{out}");
        assert!(out.contains("\nZxid: 0x0\nMode: standalone\nNode count: 5\n"), "{out}");
    }

    #[test]
    fn standalone_stat() {
        let out = text(four_letter("stat", &standalone(), &cfg_all()));
        let expected = format!(
            "Zookeeper version: {V}\n\
             Clients:\n \
             /127.0.0.1:41234[1](queued=0,recved=9,sent=8)\n \
             /127.0.0.1:41240[0](queued=0,recved=1,sent=0)\n\
             \n\
             Latency min/avg/max: 1/2.3333/4\n\
             Received: 10\n\
             Sent: 8\n\
             Connections: 2\n\
             Outstanding: 0\n\
             Zxid: 0x5\n\
             Mode: standalone\n\
             Node count: 6\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn standalone_cons() {
        let out = text(four_letter("cons", &standalone(), &cfg_all()));
        let expected = " /127.0.0.1:41234[1](queued=0,recved=9,sent=8,sid=0x1000004d5e60000,lop=GETD,\
                        est=1767225600123,to=30000,lcxid=0x7,lzxid=0x5,lresp=52000,llat=1,minlat=0,avglat=2,maxlat=4)\n \
                        /127.0.0.1:41240[0](queued=0,recved=1,sent=0)\n\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn cons_after_crst_and_before_any_reply() {
        let mut v = standalone();
        v.connections.truncate(1);
        let cfg = cfg_all();
        assert_eq!(four_letter_action("crst", &v, &cfg), FourLetterAction::ResetConnectionStats);
        assert_eq!(text(four_letter("crst", &v, &cfg)), "Connection stats reset.\n");
        v.connections[0].stats.reset();
        assert_eq!(
            text(four_letter("cons", &v, &cfg)),
            " /127.0.0.1:41234[1](queued=0,recved=0,sent=0,sid=0x1000004d5e60000,lop=NA,est=1767225600123,\
             to=30000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n"
        );
        v.connections[0].stats = ConnectionStats::new();
        assert_eq!(
            text(four_letter("cons", &v, &cfg)),
            " /127.0.0.1:41234[1](queued=0,recved=0,sent=0,sid=0x1000004d5e60000,lop=null,est=1767225600123,\
             to=30000,lcxid=0x0,lzxid=0x0,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n"
        );
    }

    #[test]
    fn standalone_conf() {
        let out = text(four_letter("conf", &standalone(), &cfg_all()));
        let expected = "clientPort=2181\n\
                        secureClientPort=-1\n\
                        dataDir=/data/version-2\n\
                        dataDirSize=1234\n\
                        dataLogDir=/datalog/version-2\n\
                        dataLogSize=67108880\n\
                        tickTime=2000\n\
                        maxClientCnxns=60\n\
                        minSessionTimeout=4000\n\
                        maxSessionTimeout=40000\n\
                        clientPortListenBacklog=-1\n\
                        serverId=0\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn standalone_mntr() {
        let out = text(four_letter("mntr", &standalone(), &cfg_all()));
        let expected = format!(
            "zk_version\t{V}\n\
             zk_server_state\tstandalone\n\
             zk_ephemerals_count\t1\n\
             zk_num_alive_connections\t2\n\
             zk_avg_latency\t2.3333\n\
             zk_outstanding_requests\t0\n\
             zk_znode_count\t6\n\
             zk_global_sessions\t1\n\
             zk_non_mtls_remote_conn_count\t0\n\
             zk_last_client_response_size\t24\n\
             zk_packets_sent\t8\n\
             zk_packets_received\t10\n\
             zk_max_client_response_size\t200\n\
             zk_connection_drop_probability\t0.0\n\
             zk_watch_count\t3\n\
             zk_auth_failed_count\t0\n\
             zk_min_latency\t1\n\
             zk_max_file_descriptor_count\t1048576\n\
             zk_approximate_data_size\t80\n\
             zk_open_file_descriptor_count\t62\n\
             zk_local_sessions\t0\n\
             zk_uptime\t60000\n\
             zk_max_latency\t4\n\
             zk_outstanding_tls_handshake\t0\n\
             zk_min_client_response_size\t16\n\
             zk_non_mtls_local_conn_count\t0\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn standalone_watches() {
        let v = standalone();
        let cfg = cfg_all();
        assert_eq!(text(four_letter("wchs", &v, &cfg)), "1 connections watching 2 paths\nTotal watches:2\n");
        assert_eq!(text(four_letter("wchc", &v, &cfg)), "0x1000004d5e60000\n\t/app\n\t/app/x\n\n");
        assert_eq!(text(four_letter("wchp", &v, &cfg)), "/app\n\t0x1000004d5e60000\n/app/x\n\t0x1000004d5e60000\n\n");
        let none = FourLetterView { mode: ServingMode::Standalone, ..FourLetterView::default() };
        assert_eq!(text(four_letter("wchs", &none, &cfg)), "0 connections watching 0 paths\nTotal watches:0\n");
        assert_eq!(text(four_letter("wchc", &none, &cfg)), "\n");
        assert_eq!(text(four_letter("wchp", &none, &cfg)), "\n");
    }

    #[test]
    fn watch_dump_from_a_watch_manager() {
        let mut m = WatchManager::new();
        m.add("/b", WatcherId(2), znode::WatcherMode::Standard);
        m.add("/a", WatcherId(1), znode::WatcherMode::Standard);
        m.add("/a", WatcherId(2), znode::WatcherMode::Persistent);
        let dump = WatchDump::from_manager(&m, |w| 0x100 + w.0);
        assert_eq!(dump.by_session, vec![(0x101, vec!["/a".into()]), (0x102, vec!["/a".into(), "/b".into()])]);
        assert_eq!(dump.by_path, vec![("/a".into(), vec![0x101, 0x102]), ("/b".into(), vec![0x102])]);
        assert_eq!(dump.summary(), "2 connections watching 2 paths\nTotal watches:3");
    }

    #[test]
    fn standalone_small_words() {
        let v = standalone();
        let cfg = cfg_all();
        assert_eq!(text(four_letter("ruok", &v, &cfg)), "imok");
        assert_eq!(text(four_letter("isro", &v, &cfg)), "rw");
        assert_eq!(text(four_letter("gtmk", &v, &cfg)), "306");
        assert_eq!(text(four_letter("dirs", &v, &cfg)), "datadir_size: 1234\nlogdir_size: 67108880\n");
        assert_eq!(text(four_letter("srst", &v, &cfg)), "Server stats reset.\n");
        assert_eq!(four_letter_action("srst", &v, &cfg), FourLetterAction::ResetServerStats);
        assert_eq!(four_letter("dump", &v, &cfg), FourLetterReply::NotModelled("dump"));
        assert_eq!(four_letter("hash", &v, &cfg), FourLetterReply::NotModelled("hash"));
        let mut stmk = b"stmk".to_vec();
        stmk.extend_from_slice(&0x32i64.to_be_bytes());
        assert_eq!(text(four_letter(&stmk, &v, &cfg)), "50");
        assert_eq!(four_letter_action(&stmk, &v, &cfg), FourLetterAction::SetTraceMask(50));
        assert_eq!(four_letter("stmk", &v, &cfg), FourLetterReply::Closed);
    }

    #[test]
    fn envi() {
        let v = FourLetterView { environment: default_environment("zoo1"), ..FourLetterView::default() };
        let out = text(four_letter("envi", &v, &cfg_all()));
        let expected = format!(
            "Environment:\n\
             zookeeper.version={V}\n\
             host.name=zoo1\n\
             java.version=17.0.17\n\
             java.vendor=Eclipse Adoptium\n\
             java.home=/opt/java/openjdk\n\
             java.class.path=/apache-zookeeper-3.8.6-bin/bin/../lib/zookeeper-3.8.6.jar:\
             /apache-zookeeper-3.8.6-bin/bin/../lib/zookeeper-jute-3.8.6.jar:/conf:\n\
             java.library.path=/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib\n\
             java.io.tmpdir=/tmp\n\
             java.compiler=<NA>\n\
             os.name=Linux\n\
             os.arch=amd64\n\
             os.version=6.8.0-90-generic\n\
             user.name=zookeeper\n\
             user.home=/home/zookeeper\n\
             user.dir=/apache-zookeeper-3.8.6-bin\n\
             os.memory.free=42MB\n\
             os.memory.max=1000MB\n\
             os.memory.total=64MB\n"
        );
        assert_eq!(out, expected, "envi answers even when not serving");
    }

    // --------------------------------------------------------------- leader

    #[test]
    fn leader_srvr() {
        let out = text(four_letter("srvr", &leader(), &quorum_cfg_all()));
        let expected = format!(
            "Zookeeper version: {V}\n\
             Latency min/avg/max: 1/2.3333/4\n\
             Received: 10\n\
             Sent: 8\n\
             Connections: 2\n\
             Outstanding: 0\n\
             Zxid: 0x100000005\n\
             Mode: leader\n\
             Node count: 6\n\
             Proposal sizes last/min/max: 120/48/120\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn fresh_leader_proposal_sizes() {
        let mut v = leader();
        v.leader.proposal_stats = BufferStats::default();
        let out = text(four_letter("srvr", &v, &quorum_cfg_all()));
        assert!(out.ends_with("Mode: leader\nNode count: 6\nProposal sizes last/min/max: -1/-1/-1\n"), "{out}");
    }

    #[test]
    fn leader_stat() {
        let out = text(four_letter("stat", &leader(), &quorum_cfg_all()));
        let expected = format!(
            "Zookeeper version: {V}\n\
             Clients:\n \
             /127.0.0.1:41234[1](queued=0,recved=9,sent=8)\n \
             /127.0.0.1:41240[0](queued=0,recved=1,sent=0)\n\
             \n\
             Latency min/avg/max: 1/2.3333/4\n\
             Received: 10\n\
             Sent: 8\n\
             Connections: 2\n\
             Outstanding: 0\n\
             Zxid: 0x100000005\n\
             Mode: leader\n\
             Node count: 6\n\
             Proposal sizes last/min/max: 120/48/120\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn leader_conf() {
        let out = text(four_letter("conf", &leader(), &quorum_cfg_all()));
        let expected = "clientPort=2181\n\
                        secureClientPort=-1\n\
                        dataDir=/data/version-2\n\
                        dataDirSize=1234\n\
                        dataLogDir=/datalog/version-2\n\
                        dataLogSize=67108880\n\
                        tickTime=2000\n\
                        maxClientCnxns=60\n\
                        minSessionTimeout=4000\n\
                        maxSessionTimeout=40000\n\
                        clientPortListenBacklog=-1\n\
                        serverId=1\n\
                        initLimit=10\n\
                        syncLimit=5\n\
                        electionAlg=3\n\
                        electionPort=3888\n\
                        quorumPort=2888\n\
                        peerType=0\n\
                        membership: \n\
                        server.1=zoo1:2888:3888:participant\n\
                        server.2=zoo2:2888:3888:participant\n\
                        server.3=zoo3:2888:3888:participant;0.0.0.0:2181\n\
                        version=0";
        assert_eq!(out, expected);
    }

    #[test]
    fn leader_mntr() {
        let out = text(four_letter("mntr", &leader(), &quorum_cfg_all()));
        let expected = format!(
            "zk_version\t{V}\n\
             zk_server_state\tleader\n\
             zk_peer_state\tleading - broadcast\n\
             zk_ephemerals_count\t1\n\
             zk_num_alive_connections\t2\n\
             zk_avg_latency\t2.3333\n\
             zk_min_proposal_size\t48\n\
             zk_outstanding_requests\t0\n\
             zk_znode_count\t6\n\
             zk_global_sessions\t1\n\
             zk_non_mtls_remote_conn_count\t0\n\
             zk_last_client_response_size\t24\n\
             zk_packets_sent\t8\n\
             zk_packets_received\t10\n\
             zk_max_proposal_size\t120\n\
             zk_max_client_response_size\t200\n\
             zk_synced_followers\t2\n\
             zk_connection_drop_probability\t0.0\n\
             zk_watch_count\t3\n\
             zk_synced_non_voting_followers\t0\n\
             zk_synced_observers\t0\n\
             zk_auth_failed_count\t0\n\
             zk_min_latency\t1\n\
             zk_max_file_descriptor_count\t1048576\n\
             zk_approximate_data_size\t80\n\
             zk_open_file_descriptor_count\t62\n\
             zk_last_proposal_size\t120\n\
             zk_pending_syncs\t0\n\
             zk_leader_uptime\t30000\n\
             zk_local_sessions\t0\n\
             zk_uptime\t60000\n\
             zk_max_latency\t4\n\
             zk_outstanding_tls_handshake\t0\n\
             zk_learners\t2\n\
             zk_min_client_response_size\t16\n\
             zk_non_mtls_local_conn_count\t0\n\
             zk_quorum_size\t3\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn a_leader_that_was_a_follower_lists_bin_mates_in_registration_order() {
        // As a real 3.6.3 leader prints them: avg_latency before
        // num_alive_connections once the gauges were registered again.
        let mut v = leader();
        v.metrics_history = vec![ServingMode::Follower];
        let out = text(four_letter("mntr", &v, &quorum_cfg_all()));
        let keys: Vec<&str> = out.lines().filter_map(|l| l.split('\t').next()).take(8).collect();
        assert_eq!(
            keys,
            [
                "zk_version",
                "zk_server_state",
                "zk_peer_state",
                "zk_ephemerals_count",
                "zk_avg_latency",
                "zk_num_alive_connections",
                "zk_min_proposal_size",
                "zk_outstanding_requests"
            ]
        );
        assert_eq!(out.lines().count(), text(four_letter("mntr", &leader(), &quorum_cfg_all())).lines().count());
    }

    #[test]
    fn leader_small_words() {
        let v = leader();
        let cfg = quorum_cfg_all();
        assert_eq!(text(four_letter("isro", &v, &cfg)), "rw");
        assert_eq!(text(four_letter("ruok", &v, &cfg)), "imok");
        assert_eq!(text(four_letter("wchs", &v, &cfg)), "1 connections watching 2 paths\nTotal watches:2\n");
        assert_eq!(text(four_letter("srst", &v, &cfg)), "Server stats reset.\n");
        assert_eq!(four_letter_action("srst", &v, &cfg), FourLetterAction::ResetServerStats);
    }

    // ------------------------------------------------------------- follower

    #[test]
    fn follower_srvr() {
        let out = text(four_letter("srvr", &follower(), &quorum_cfg_all()));
        let expected = format!(
            "Zookeeper version: {V}\n\
             Latency min/avg/max: 1/2.3333/4\n\
             Received: 10\n\
             Sent: 8\n\
             Connections: 2\n\
             Outstanding: 0\n\
             Zxid: 0x100000005\n\
             Mode: follower\n\
             Node count: 6\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn follower_stat_and_cons() {
        let v = follower();
        let cfg = quorum_cfg_all();
        let stat = text(four_letter("stat", &v, &cfg));
        assert_eq!(
            stat,
            format!(
                "Zookeeper version: {V}\n\
                 Clients:\n \
                 /127.0.0.1:41234[1](queued=0,recved=9,sent=8)\n \
                 /127.0.0.1:41240[0](queued=0,recved=1,sent=0)\n\
                 \n\
                 Latency min/avg/max: 1/2.3333/4\n\
                 Received: 10\n\
                 Sent: 8\n\
                 Connections: 2\n\
                 Outstanding: 0\n\
                 Zxid: 0x100000005\n\
                 Mode: follower\n\
                 Node count: 6\n"
            )
        );
        assert_eq!(text(four_letter("cons", &v, &cfg)), text(four_letter("cons", &standalone(), &cfg)));
    }

    #[test]
    fn follower_conf() {
        let out = text(four_letter("conf", &follower(), &quorum_cfg_all()));
        assert!(out.starts_with("clientPort=2181\nsecureClientPort=-1\n"), "{out}");
        assert!(
            out.ends_with(
                "clientPortListenBacklog=-1\n\
                 serverId=2\n\
                 initLimit=10\n\
                 syncLimit=5\n\
                 electionAlg=3\n\
                 electionPort=3888\n\
                 quorumPort=2888\n\
                 peerType=0\n\
                 membership: \n\
                 server.1=zoo1:2888:3888:participant\n\
                 server.2=zoo2:2888:3888:participant\n\
                 server.3=zoo3:2888:3888:participant;0.0.0.0:2181\n\
                 version=0"
            ),
            "{out}"
        );
    }

    #[test]
    fn follower_mntr() {
        let mut v = follower();
        v.synced_observers = 1;
        let out = text(four_letter("mntr", &v, &quorum_cfg_all()));
        let expected = format!(
            "zk_version\t{V}\n\
             zk_server_state\tfollower\n\
             zk_peer_state\tfollowing - broadcast\n\
             zk_ephemerals_count\t1\n\
             zk_num_alive_connections\t2\n\
             zk_avg_latency\t2.3333\n\
             zk_outstanding_requests\t0\n\
             zk_znode_count\t6\n\
             zk_global_sessions\t1\n\
             zk_non_mtls_remote_conn_count\t0\n\
             zk_last_client_response_size\t24\n\
             zk_packets_sent\t8\n\
             zk_packets_received\t10\n\
             zk_max_client_response_size\t200\n\
             zk_connection_drop_probability\t0.0\n\
             zk_watch_count\t3\n\
             zk_synced_observers\t1\n\
             zk_auth_failed_count\t0\n\
             zk_min_latency\t1\n\
             zk_max_file_descriptor_count\t1048576\n\
             zk_approximate_data_size\t80\n\
             zk_open_file_descriptor_count\t62\n\
             zk_local_sessions\t0\n\
             zk_uptime\t60000\n\
             zk_max_latency\t4\n\
             zk_outstanding_tls_handshake\t0\n\
             zk_min_client_response_size\t16\n\
             zk_non_mtls_local_conn_count\t0\n\
             zk_quorum_size\t3\n"
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn follower_watch_words() {
        let v = follower();
        let cfg = quorum_cfg_all();
        assert_eq!(text(four_letter("wchc", &v, &cfg)), "0x1000004d5e60000\n\t/app\n\t/app/x\n\n");
        assert_eq!(text(four_letter("wchp", &v, &cfg)), "/app\n\t0x1000004d5e60000\n/app/x\n\t0x1000004d5e60000\n\n");
        assert_eq!(text(four_letter("isro", &v, &cfg)), "rw");
    }

    // ------------------------------------------------- observer, read-only

    #[test]
    fn observer_words() {
        let mut v = quorum(ServingMode::Observer, 4);
        if let Some(q) = v.quorum.as_mut() {
            q.peer_type = LearnerType::Observer;
            let mut obs = member(4);
            obs.learner_type = LearnerType::Observer;
            q.members.push(obs);
        }
        v.observer_master_id = Some(2);
        let cfg = quorum_cfg_all();
        assert!(text(four_letter("srvr", &v, &cfg)).ends_with("Mode: observer\nNode count: 6\n"));
        let mntr = text(four_letter("mntr", &v, &cfg));
        assert!(mntr.starts_with(&format!(
            "zk_version\t{V}\nzk_server_state\tobserver\nzk_peer_state\tobserving - broadcast\n\
             zk_observer_master_id\t2\nzk_ephemerals_count\t1\n"
        )));
        assert!(!mntr.contains("zk_synced_observers") && mntr.ends_with("zk_quorum_size\t3\n"), "{mntr}");
        let conf = text(four_letter("conf", &v, &cfg));
        assert!(conf.contains("\npeerType=1\nmembership: \n"), "{conf}");
        assert!(conf.ends_with("server.4=zoo4:2888:3888:observer\nversion=0"), "{conf}");
    }

    #[test]
    fn read_only_words() {
        let mut v = quorum(ServingMode::ReadOnly, 2);
        v.connections.truncate(1);
        let cfg = ServerConfig { readonly_mode_enabled: true, ..ServerConfig::sample() };
        assert_eq!(text(four_letter("isro", &v, &cfg)), "ro");
        assert_eq!(
            text(four_letter("srvr", &v, &cfg)),
            format!(
                "Zookeeper version: {V}\n\
                 READ-ONLY mode; serving only read-only clients\n\
                 Latency min/avg/max: 1/2.3333/4\n\
                 Received: 10\n\
                 Sent: 8\n\
                 Connections: 1\n\
                 Outstanding: 0\n\
                 Zxid: 0x100000005\n\
                 Mode: read-only\n\
                 Node count: 6\n"
            )
        );
        let all = ServerConfig { four_letter_word_whitelist: "*".into(), ..cfg };
        let conf = text(four_letter("conf", &v, &all));
        assert!(conf.ends_with("serverId=2\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3888\nquorumPort=2888\npeerType=0\n"), "{conf}");
        let mntr = text(four_letter("mntr", &v, &all));
        assert!(mntr.starts_with(&format!("zk_version\t{V}\nzk_server_state\tread-only\nzk_ephemerals_count\t1\n")));
        assert!(!mntr.contains("peer_state") && !mntr.contains("quorum_size"), "{mntr}");
    }

    // ---------------------------------------------------------- not serving

    #[test]
    fn not_serving() {
        let v = FourLetterView::default();
        let cfg = cfg_all();
        let not_serving = "This ZooKeeper instance is not currently serving requests\n";
        for w in ["srvr", "stat", "cons", "conf", "mntr", "wchs", "wchc", "wchp", "dirs", "srst", "crst", "dump"] {
            assert_eq!(text(four_letter(w, &v, &cfg)), not_serving, "{w}");
        }
        assert_eq!(text(four_letter("hash", &v, &cfg)), not_serving.trim_end());
        assert_eq!(text(four_letter("isro", &v, &cfg)), "null");
        assert_eq!(text(four_letter("ruok", &v, &cfg)), "imok");
        assert_eq!(text(four_letter("gtmk", &v, &cfg)), "306");
        assert!(text(four_letter("envi", &v, &cfg)).starts_with("Environment:\nzookeeper.version=3.8.6-"));
        assert_eq!(four_letter_action("srst", &v, &cfg), FourLetterAction::None);
        // Refusal comes first, serving or not.
        assert_eq!(
            text(four_letter("mntr", &v, &ServerConfig::default())),
            "mntr is not executed because it is not in the whitelist.\n"
        );
    }

    // -------------------------------------------------------- hash orders

    #[test]
    fn standalone_gauges_in_the_order_a_real_server_prints_them() {
        // Recorded from a standalone 3.9.3 (same gauges as 3.8.6).
        let real = [
            "ephemerals_count",
            "num_alive_connections",
            "avg_latency",
            "outstanding_requests",
            "znode_count",
            "global_sessions",
            "non_mtls_remote_conn_count",
            "last_client_response_size",
            "packets_sent",
            "packets_received",
            "max_client_response_size",
            "connection_drop_probability",
            "watch_count",
            "auth_failed_count",
            "min_latency",
            "max_file_descriptor_count",
            "approximate_data_size",
            "open_file_descriptor_count",
            "local_sessions",
            "uptime",
            "max_latency",
            "outstanding_tls_handshake",
            "min_client_response_size",
            "non_mtls_local_conn_count",
        ];
        assert_eq!(gauge_order(&[], ServingMode::Standalone), real);
    }

    #[test]
    fn members_in_java_hashmap_order() {
        let q = QuorumView { members: [17, 2, 1, 33].into_iter().map(member).collect(), ..QuorumView::default() };
        // Table of 16: 17 and 33 share bin 1 with 1, in insertion order.
        assert_eq!(
            q.membership(),
            "server.17=zoo17:2888:3888:participant\n\
             server.1=zoo1:2888:3888:participant\n\
             server.33=zoo33:2888:3888:participant\n\
             server.2=zoo2:2888:3888:participant\n\
             version=0"
        );
        let v6 = QuorumMember { host: "::1".into(), client: Some(("::".into(), 2181)), ..member(1) };
        assert_eq!(v6.render(), "[::1]:2888:3888:participant;[::]:2181");
    }

    #[test]
    fn version_directories() {
        assert_eq!(version_dir("/data"), "/data/version-2");
        assert_eq!(version_dir("/data/"), "/data/version-2");
        assert_eq!(version_dir("/"), "/version-2");
    }
}
