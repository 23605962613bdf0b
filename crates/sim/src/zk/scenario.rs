//! A scenario is data: the cluster, its configuration, the network, the
//! disks, the clients and what they do, the faults, the seed and how long
//! to run. It serializes with serde and travels in links.

use crate::fault::Fault;
use crate::net::Network;
use actor::NodeId;
use serde::{Deserialize, Serialize};
use zab::ServerConfig;

/// The scenario format version; links carry it as `#v<N>`.
pub const FORMAT: u32 = 1;

/// Limits that keep any scenario — a hostile link's included — bounded in
/// time and memory.
pub mod limits {
    pub const SERVERS: usize = 9;
    pub const CLIENTS: usize = 64;
    pub const FAULTS: usize = 10_000;
    pub const COMMANDS: usize = 10_000;
    /// A console line: room for data past the 1 MiB packet limit, so a
    /// scenario can show what that limit does.
    pub const LINE_CHARS: usize = 2 * 1024 * 1024;
    /// Every console line of a scenario together.
    pub const ALL_LINES_CHARS: usize = 4 * 1024 * 1024;
    /// 24 hours of virtual time.
    pub const END_MS: u64 = 24 * 3600 * 1000;
    pub const RATE_PER_SEC: u32 = 100_000;
    pub const KEYS: u32 = 1_000_000;
    pub const VALUE_BYTES: u32 = 1 << 20;
    pub const OUTSTANDING: u32 = 1000;
}

/// Which protocol the cluster runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolKind {
    #[default]
    Zookeeper,
}

/// One server of the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    /// Its `myid` (1..=100).
    pub id: u32,
    /// `server.N=...:observer`.
    #[serde(default)]
    pub observer: bool,
}

/// A line typed into a client's console at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub at_ms: u64,
    pub line: String,
}

/// Weights of the operations a workload draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpMix {
    pub create: u32,
    pub set: u32,
    pub get: u32,
    pub delete: u32,
    pub exists: u32,
    pub children: u32,
}

impl Default for OpMix {
    /// Write-heavy enough to watch commits: half writes, half reads.
    fn default() -> Self {
        OpMix { create: 2, set: 5, get: 5, delete: 1, exists: 1, children: 1 }
    }
}

impl OpMix {
    pub fn total(&self) -> u64 {
        [self.create, self.set, self.get, self.delete, self.exists, self.children].iter().map(|w| u64::from(*w)).sum()
    }
}

/// A generated workload: operations at a rate over a key space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Workload {
    pub start_ms: u64,
    /// When it stops (`None`: at the end of the run).
    pub stop_ms: Option<u64>,
    /// Operations per second of virtual time (0: as fast as replies come,
    /// keeping `max_outstanding` in flight).
    pub rate_per_sec: u32,
    pub mix: OpMix,
    /// Keys are `<prefix>/k<n>` for n in 0..keys.
    pub keys: u32,
    pub prefix: String,
    pub value_bytes: u32,
    /// Never more than this many operations in flight.
    pub max_outstanding: u32,
    /// Precede every read with a `sync` of the same path, pipelined (sync
    /// then read, answered in order), so each read must reflect every
    /// write completed before its sync was issued (ZOOKEEPER-1675 aside).
    /// Left out of the JSON while off, so older scenarios and their links
    /// stay byte for byte what they were.
    #[serde(skip_serializing_if = "is_false")]
    pub sync_before_reads: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            start_ms: 0,
            stop_ms: None,
            rate_per_sec: 10,
            mix: OpMix::default(),
            keys: 20,
            prefix: "/w".into(),
            value_bytes: 16,
            max_outstanding: 10,
            sync_before_reads: false,
        }
    }
}

/// One client: a ZooKeeper session with a zkCli console and, optionally, a
/// generated workload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// A short name (`a`, `web-1`).
    pub name: String,
    /// The connect string's servers, by id (empty: all of them).
    #[serde(default)]
    pub connect: Vec<u32>,
    #[serde(default = "default_session_timeout")]
    pub session_timeout_ms: i32,
    #[serde(default)]
    pub can_be_read_only: bool,
    #[serde(default)]
    pub commands: Vec<Command>,
    #[serde(default)]
    pub workload: Option<Workload>,
}

fn default_session_timeout() -> i32 {
    30_000
}

/// A fault at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedFault {
    pub at_ms: u64,
    pub fault: Fault,
}

/// How long every server's disk sync takes unless a fault changes it.
fn default_sync_us() -> u64 {
    1000
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub format: u32,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub seed: u64,
    #[serde(default)]
    pub protocol: ProtocolKind,
    pub servers: Vec<ServerSpec>,
    /// zoo.cfg settings shared by every server.
    #[serde(default = "ServerConfig::sample")]
    pub config: ServerConfig,
    #[serde(default)]
    pub network: Network,
    #[serde(default = "default_sync_us")]
    pub disk_sync_us: u64,
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    #[serde(default)]
    pub faults: Vec<TimedFault>,
    pub end_ms: u64,
    /// Where a viewer should start watching.
    #[serde(default)]
    pub jump_to_ms: Option<u64>,
}

/// The node id of the `i`-th client (servers keep ids up to 100).
pub fn client_node(i: usize) -> NodeId {
    NodeId(101 + i as u32)
}

impl Scenario {
    /// A standalone server and `clients` idle clients, sample zoo.cfg.
    pub fn standalone(seed: u64, clients: &[&str], end_ms: u64) -> Scenario {
        Scenario {
            format: FORMAT,
            name: String::new(),
            description: String::new(),
            seed,
            protocol: ProtocolKind::Zookeeper,
            servers: vec![ServerSpec { id: 1, observer: false }],
            config: ServerConfig::sample(),
            network: Network::default(),
            disk_sync_us: default_sync_us(),
            clients: clients
                .iter()
                .map(|n| ClientSpec {
                    name: n.to_string(),
                    connect: vec![],
                    session_timeout_ms: default_session_timeout(),
                    can_be_read_only: false,
                    commands: vec![],
                    workload: None,
                })
                .collect(),
            faults: vec![],
            end_ms,
            jump_to_ms: None,
        }
    }

    pub fn server_ids(&self) -> Vec<NodeId> {
        self.servers.iter().map(|s| NodeId(s.id)).collect()
    }

    /// The ensemble's membership (voters and observers).
    pub fn members(&self) -> zab::quorum::Members {
        zab::quorum::Members {
            voters: self.servers.iter().filter(|s| !s.observer).map(|s| u64::from(s.id)).collect(),
            observers: self.servers.iter().filter(|s| s.observer).map(|s| u64::from(s.id)).collect(),
        }
    }

    /// A fresh ensemble of `n` voters with the sample zoo.cfg.
    pub fn ensemble(seed: u64, n: u32, clients: &[&str], end_ms: u64) -> Scenario {
        let mut s = Scenario::standalone(seed, clients, end_ms);
        s.servers = (1..=n).map(|id| ServerSpec { id, observer: false }).collect();
        s
    }

    /// Every node id the scenario names: servers, then clients.
    pub fn node_ids(&self) -> Vec<NodeId> {
        self.server_ids().into_iter().chain((0..self.clients.len()).map(client_node)).collect()
    }

    /// Check everything once, so nothing deeper needs to: ids, names,
    /// times, rates and sizes within [`limits`].
    pub fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("scenario format {} is not {FORMAT}, the one this build runs", self.format));
        }
        if self.servers.is_empty() || self.servers.len() > limits::SERVERS {
            return Err(format!("a cluster needs 1 to {} servers, not {}", limits::SERVERS, self.servers.len()));
        }
        let mut ids = std::collections::BTreeSet::new();
        for s in &self.servers {
            if !(1..=100).contains(&s.id) {
                return Err(format!("server id {} is outside 1..=100", s.id));
            }
            if !ids.insert(s.id) {
                return Err(format!("server id {} appears twice", s.id));
            }
        }
        if self.servers.len() == 1 && self.servers[0].observer {
            return Err("a standalone server cannot be an observer".into());
        }
        if self.servers.iter().all(|s| s.observer) {
            return Err("an ensemble needs at least one voting server".into());
        }
        if self.servers.len() > 1 {
            self.config.validate_quorum()?;
            if self.config.extended_types_enabled && self.servers.iter().any(|s| s.id > 254) {
                return Err("extendedTypesEnabled is true but a server id is larger than 254".into());
            }
        } else {
            self.config.validate()?;
        }
        self.network.default.validate()?;
        for spec in self.network.links.values() {
            spec.validate()?;
        }
        if self.end_ms == 0 || self.end_ms > limits::END_MS {
            return Err(format!("end_ms must be in 1..={} (24 hours)", limits::END_MS));
        }
        if self.jump_to_ms.is_some_and(|j| j > self.end_ms) {
            return Err("jump_to_ms is after end_ms".into());
        }
        if self.disk_sync_us > 60_000_000 {
            return Err("disk_sync_us must be under a minute".into());
        }
        self.validate_clients()?;
        self.validate_faults()
    }

    fn validate_clients(&self) -> Result<(), String> {
        if self.clients.len() > limits::CLIENTS {
            return Err(format!("at most {} clients, not {}", limits::CLIENTS, self.clients.len()));
        }
        let mut names = std::collections::BTreeSet::new();
        let servers: Vec<u32> = self.servers.iter().map(|s| s.id).collect();
        let mut commands = 0usize;
        let mut chars = 0usize;
        for c in &self.clients {
            let valid_name = !c.name.is_empty()
                && c.name.len() <= 32
                && c.name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
            if !valid_name {
                return Err(format!("client name {:?} must be 1-32 letters, digits, - or _", c.name));
            }
            if !names.insert(c.name.as_str()) {
                return Err(format!("client name {:?} appears twice", c.name));
            }
            if let Some(s) = c.connect.iter().find(|s| !servers.contains(s)) {
                return Err(format!("client {} connects to server {s}, which the cluster does not have", c.name));
            }
            if c.session_timeout_ms <= 0 || c.session_timeout_ms > 3_600_000 {
                return Err(format!("client {}: session_timeout_ms must be in 1..=3600000", c.name));
            }
            commands += c.commands.len();
            for cmd in &c.commands {
                chars += cmd.line.len();
                if cmd.at_ms > self.end_ms || cmd.line.chars().count() > limits::LINE_CHARS {
                    return Err(format!(
                        "client {}: a command is after end_ms or longer than {} characters",
                        c.name,
                        limits::LINE_CHARS
                    ));
                }
            }
            if let Some(w) = &c.workload {
                validate_workload(&c.name, w)?;
            }
        }
        if commands > limits::COMMANDS {
            return Err(format!("at most {} console commands in all", limits::COMMANDS));
        }
        if chars > limits::ALL_LINES_CHARS {
            return Err(format!("console commands hold more than {} bytes in all", limits::ALL_LINES_CHARS));
        }
        Ok(())
    }

    fn validate_faults(&self) -> Result<(), String> {
        if self.faults.len() > limits::FAULTS {
            return Err(format!("at most {} faults", limits::FAULTS));
        }
        let known = self.node_ids();
        for f in &self.faults {
            if f.at_ms > self.end_ms {
                return Err(format!("fault '{}' at {} ms is after end_ms", f.fault.label(), f.at_ms));
            }
            if let Some(n) = f.fault.nodes().into_iter().find(|n| !known.contains(n)) {
                return Err(format!("fault '{}' names node {n}, which the scenario does not have", f.fault.label()));
            }
            if let Fault::SetLink { spec, .. } = &f.fault {
                spec.validate()?;
            }
        }
        Ok(())
    }
}

fn validate_workload(client: &str, w: &Workload) -> Result<(), String> {
    let bad = |what: &str| Err(format!("client {client}: workload {what}"));
    if w.rate_per_sec > limits::RATE_PER_SEC {
        return bad("rate_per_sec is too high (at most 100000)");
    }
    if w.keys == 0 || w.keys > limits::KEYS {
        return bad("keys must be in 1..=1000000");
    }
    if w.value_bytes > limits::VALUE_BYTES {
        return bad("value_bytes must be at most 1 MiB");
    }
    if w.max_outstanding == 0 || w.max_outstanding > limits::OUTSTANDING {
        return bad("max_outstanding must be in 1..=1000");
    }
    if w.mix.total() == 0 {
        return bad("mix needs at least one non-zero weight");
    }
    if znode::path::validate_path(&w.prefix).is_err() || w.prefix == "/" {
        return bad("prefix must be a valid path other than /");
    }
    if w.stop_ms.is_some_and(|s| s < w.start_ms) {
        return bad("stops before it starts");
    }
    Ok(())
}
