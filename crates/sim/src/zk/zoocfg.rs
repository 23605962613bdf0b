//! zoo.cfg in and out.
//!
//! [`import`] reads a ZooKeeper 3.8 configuration file the way
//! `QuorumPeerConfig.parse` does (3.8.6): `java.util.Properties` syntax
//! (`#`/`!` comments, `key=value`, `key: value` or `key value`, backslash
//! escapes and line continuations), then each key as `parseProperties`
//! reads it — or, for keys it does not know, as the Java system property
//! `zookeeper.<key>` it becomes and the code that reads that property.
//!
//! - Import starts from [`ServerConfig::default`], the code's own defaults
//!   (tickTime 3000, no initLimit), not from the sample zoo.cfg: a real
//!   zoo.cfg that leaves a key out gets the code's default.
//! - A file ZooKeeper refuses to start with is refused, with its line
//!   number where one line is to blame. ZooScope is stricter in a few
//!   places: server ids are 1..=100, at most [`limits::SERVERS`] servers,
//!   and a server id defined twice is an error (ZooKeeper keeps one of
//!   them).
//! - Settings the simulator does not model (directories, ports, purging,
//!   TLS, metrics, ...) and unknown keys are listed in
//!   [`Imported::ignored`]; settings applied although a real server would
//!   read them differently are listed in [`Imported::warnings`]. Notably
//!   `jute.maxbuffer`, `readonlymode.enabled` and `znode.container.*` are
//!   JVM system properties: in zoo.cfg they become `zookeeper.<key>`, which
//!   nothing reads. ZooScope applies them as the file's author meant.
//! - One server line, or none, is a standalone server (with
//!   `standaloneEnabled=false` ZooKeeper would run a one-server quorum;
//!   ZooScope runs it standalone and says so).
//! - The role of each server comes from its `server.N` line (`:observer`);
//!   `peerType` is checked against it, as ZooKeeper does, and the server
//!   list wins.
//!
//! [`export`] writes a scenario's servers and settings as a zoo.cfg that
//! ZooKeeper 3.8 accepts. What only the simulator knows (bug switches, the
//! wall clock, ...) goes into `# zooscope: <name> = <JSON>` comment lines,
//! which ZooKeeper ignores and [`import`] reads back, so export → import
//! gives back the same servers and the same [`ServerConfig`].

use super::scenario::{limits, Scenario, ServerSpec, FORMAT};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use zab::ServerConfig;

/// Why a zoo.cfg cannot become a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CfgError {
    /// The (first) line of the offending setting, from 1.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for CfgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(n) => write!(f, "line {n}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CfgError {}

/// A remark about one setting of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub line: Option<usize>,
    pub key: String,
    pub why: String,
}

/// What [`import`] made of a zoo.cfg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// A complete scenario that passes [`Scenario::validate`]: the file's
    /// servers and settings, seed 1, no clients, 60 s.
    pub scenario: Scenario,
    /// Settings the simulator does not model (and unknown keys), and why.
    pub ignored: Vec<Note>,
    /// Settings applied, but which a real 3.8.6 server would read
    /// differently (defaults substituted, JVM-only properties, ...).
    pub warnings: Vec<Note>,
}

/// The ServerConfig fields (by serde name) that zoo.cfg keys set; every
/// other field is simulator-only and travels in `# zooscope:` comments.
const ZOO_CFG_FIELDS: &[&str] = &[
    "tickTime",
    "minSessionTimeout",
    "maxSessionTimeout",
    "extendedTypesEnabled",
    "skipAcl",
    "containerCheckIntervalMs",
    "containerMaxNeverUsedIntervalMs",
    "juteMaxBuffer",
    "initLimit",
    "syncLimit",
    "leaderServes",
    "readonlyModeEnabled",
    "localSessionsEnabled",
    "cnxTimeout",
    "snapCount",
    "commitLogCount",
    "snapshotSizeFactorPermille",
    "4lw.commands.whitelist",
];

/// The `# zooscope:` name of a standalone server's id (when it is not 1).
const STANDALONE_ID: &str = "standaloneServerId";

/// What export writes for the ignored-but-required settings.
const DATA_DIR: &str = "/var/lib/zookeeper";
const CLIENT_PORT: u16 = 2181;

// ---------------------------------------------------------------- import

/// Read a zoo.cfg into a scenario. `myid` is the id of the server this
/// file belongs to (its `dataDir/myid`), if known: it is checked against
/// the server list and against `peerType`.
pub fn import(text: &str, myid: Option<u32>) -> Result<Imported, CfgError> {
    import_named(text, myid, None)
}

/// [`import`], naming the scenario after the file it came from.
pub fn import_named(text: &str, myid: Option<u32>, file_name: Option<&str>) -> Result<Imported, CfgError> {
    let (props, directives) = read_properties(text)?;
    let mut im = Importer::default();
    im.settings(props)?;
    let mut servers = im.servers(myid)?;
    let cfg = im.apply_directives(directives, &mut servers)?;
    let name = file_name.unwrap_or("zoo.cfg");
    let mut scenario = Scenario::standalone(1, &[], 60_000);
    scenario.format = FORMAT;
    scenario.name = name.to_string();
    scenario.description = format!("Imported from {name} by `zooscope cfg import`.");
    scenario.servers = servers.specs;
    scenario.config = cfg;
    scenario
        .validate()
        .map_err(|e| CfgError { line: None, message: format!("the imported scenario is not valid: {e}") })?;
    Ok(Imported { scenario, ignored: im.ignored, warnings: im.warnings })
}

/// One `key=value` of the file: key and value unescaped, the value as
/// `Properties` keeps it (leading blanks gone, trailing ones kept).
#[derive(Clone, Debug)]
struct Prop {
    line: usize,
    key: String,
    value: String,
}

/// A `# zooscope: name = value` comment.
#[derive(Clone, Debug)]
struct Directive {
    line: usize,
    text: String,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, CfgError> {
    Err(CfgError { line: Some(line), message: message.into() })
}

/// Lines as `java.util.Properties` sees them: `\n`, `\r` or `\r\n` end one.
fn natural_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                i += 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

fn ends_in_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1
}

/// `Properties.load`: the logical lines' keys and values, in file order,
/// and the `# zooscope:` comments.
fn read_properties(text: &str) -> Result<(Vec<Prop>, Vec<Directive>), CfgError> {
    let lines = natural_lines(text);
    let (mut props, mut directives) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < lines.len() {
        let first = i + 1;
        let line = lines[i].trim_start_matches(is_blank);
        i += 1;
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') || line.starts_with('!') {
            // A comment is never continued.
            if let Some(d) = line.strip_prefix('#').map(str::trim).and_then(|r| r.strip_prefix("zooscope:")) {
                directives.push(Directive { line: first, text: d.trim().to_string() });
            }
            continue;
        }
        let mut logical = String::new();
        let mut cur = line;
        loop {
            if !ends_in_odd_backslashes(cur) {
                logical.push_str(cur);
                break;
            }
            logical.push_str(&cur[..cur.len() - 1]);
            match lines.get(i) {
                Some(next) => {
                    cur = next.trim_start_matches(is_blank);
                    i += 1;
                }
                None => break,
            }
        }
        let (key, value) = split_key_value(&logical);
        props.push(Prop { line: first, key: unescape(key, first)?, value: unescape(value, first)? });
    }
    Ok((props, directives))
}

/// The key ends at the first unescaped `=`, `:` or blank; blanks and one
/// `=` or `:` separate it from the value.
fn split_key_value(line: &str) -> (&str, &str) {
    let (mut key_end, mut value_start, mut has_sep) = (line.len(), line.len(), false);
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if !escaped && (c == '=' || c == ':') {
            (key_end, value_start, has_sep) = (i, i + 1, true);
            break;
        }
        if !escaped && is_blank(c) {
            (key_end, value_start) = (i, i + 1);
            break;
        }
        escaped = c == '\\' && !escaped;
    }
    let mut value = &line[value_start..];
    loop {
        value = value.trim_start_matches(is_blank);
        match value.chars().next() {
            Some(c @ ('=' | ':')) if !has_sep => {
                has_sep = true;
                value = &value[c.len_utf8()..];
            }
            _ => break,
        }
    }
    (&line[..key_end], value)
}

/// `Properties.loadConvert`: `\t \n \r \f`, `\uXXXX`, and `\x` for x.
fn unescape(s: &str, line: usize) -> Result<String, CfgError> {
    let mut units: Vec<u16> = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    let mut buf = [0u16; 2];
    while let Some(c) = chars.next() {
        let c = if c == '\\' {
            match chars.next() {
                None => break,
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    match u16::from_str_radix(&hex, 16) {
                        Ok(u) if hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()) => {
                            units.push(u);
                            continue;
                        }
                        _ => return err(line, "Malformed \\uxxxx encoding."),
                    }
                }
                Some('t') => '\t',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('f') => '\x0c',
                Some(other) => other,
            }
        } else {
            c
        };
        units.extend_from_slice(c.encode_utf16(&mut buf));
    }
    Ok(String::from_utf16_lossy(&units))
}

/// `Integer.parseInt` / `Long.parseLong` (ASCII digits, optional sign).
fn java_int(s: &str) -> Option<i32> {
    s.parse().ok()
}

fn java_long(s: &str) -> Option<i64> {
    s.parse().ok()
}

/// `Long.decode` (as `Integer.getInteger`/`Long.getLong` read properties):
/// decimal, `0x`/`0X`/`#` hex, or `0`-prefixed octal, with a sign.
fn java_decode(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, h)
    } else if let Some(h) = rest.strip_prefix('#') {
        (16, h)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    if digits.is_empty() || digits.starts_with(['-', '+']) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

fn java_decode_int(s: &str) -> Option<i32> {
    java_decode(s).and_then(|v| i32::try_from(v).ok())
}

/// `Double.parseDouble`, for the forms a config file plausibly holds.
fn java_double(s: &str) -> Option<f64> {
    let body = s.strip_suffix(['d', 'D', 'f', 'F']).filter(|b| b.ends_with(|c: char| c.is_ascii_digit() || c == '.'));
    let body = body.unwrap_or(s);
    let unsigned = body.strip_prefix(['+', '-']).unwrap_or(body);
    match unsigned {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(if body.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }),
        _ => {}
    }
    let numeric = !unsigned.is_empty()
        && unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && unsigned.chars().any(|c| c.is_ascii_digit());
    if numeric {
        body.parse().ok()
    } else {
        None
    }
}

/// A parsed `server.N` line.
struct ServerLine {
    line: usize,
    id: u32,
    observer: bool,
}

/// The servers a file describes and how ZooKeeper would run them.
struct Servers {
    specs: Vec<ServerSpec>,
    /// Whether the file names no server (the id may come from a comment).
    from_lines: bool,
}

/// The state of one import.
struct Importer {
    cfg: ServerConfig,
    ignored: Vec<Note>,
    warnings: Vec<Note>,
    /// Where each zoo.cfg key was set (last occurrence).
    seen: BTreeMap<String, usize>,
    server_props: Vec<Prop>,
    standalone_enabled: bool,
    multi_address_enabled: bool,
    dynamic_config_file: bool,
    data_dir: bool,
    client_port: i32,
    client_port_address: Option<usize>,
    secure_client_port: i32,
    secure_client_port_address: Option<usize>,
    sasl_enabled: bool,
    sasl_server_required: bool,
    sasl_learner_required: bool,
    peer_type: Option<(usize, bool)>,
    /// minSessionTimeout/maxSessionTimeout as written (ZooKeeper's -1: unset).
    min_session: i32,
    max_session: i32,
}

impl Default for Importer {
    fn default() -> Self {
        Importer {
            cfg: ServerConfig::default(),
            ignored: Vec::new(),
            warnings: Vec::new(),
            seen: BTreeMap::new(),
            server_props: Vec::new(),
            standalone_enabled: true,
            multi_address_enabled: false,
            dynamic_config_file: false,
            data_dir: false,
            client_port: 0,
            client_port_address: None,
            secure_client_port: 0,
            secure_client_port_address: None,
            sasl_enabled: false,
            sasl_server_required: false,
            sasl_learner_required: false,
            peer_type: None,
            min_session: -1,
            max_session: -1,
        }
    }
}

/// Why a known key the simulator does not model is ignored.
fn ignored_reason(key: &str) -> Option<&'static str> {
    const NO_DISK_FILES: &str = "each server's snapshots and log live on its simulated disk";
    const NO_PORTS: &str = "clients and servers meet on the simulated network; there are no ports or addresses";
    const NO_TLS: &str = "TLS is not modeled";
    const NO_SASL: &str = "quorum SASL authentication is not modeled";
    const NO_JVM: &str = "the JVM is not modeled";
    Some(match key {
        "dataDir" | "dataLogDir" => NO_DISK_FILES,
        "clientPort"
        | "clientPortAddress"
        | "secureClientPort"
        | "secureClientPortAddress"
        | "observerMasterPort"
        | "clientPortListenBacklog"
        | "quorumListenOnAllIPs" => NO_PORTS,
        "maxClientCnxns" | "maxCnxns" => "connection limits are not modeled",
        "connectToLearnerMasterLimit" => "not modeled: learners connect within initLimit",
        "syncEnabled" => "not modeled: observers keep their log as participants do",
        "autopurge.snapRetainCount" | "autopurge.purgeInterval" => "the simulation never purges old snapshots or logs",
        "reconfigEnabled" => "dynamic reconfiguration is not implemented",
        "localSessionsUpgradingEnabled" => "upgrading local sessions to global ones is not modeled",
        "sslQuorum" | "portUnification" | "sslQuorumReloadCertFiles" | "secureClientPortAddress.ssl" => NO_TLS,
        "quorum.auth.enableSasl"
        | "quorum.auth.serverRequireSasl"
        | "quorum.auth.learnerRequireSasl"
        | "quorum.auth.learner.saslLoginContext"
        | "quorum.auth.server.saslLoginContext"
        | "quorum.auth.kerberos.servicePrincipal" => NO_SASL,
        "quorum.cnxn.threads.size" => "threads are not modeled",
        "jvm.pause.monitor"
        | "jvm.pause.info-threshold.ms"
        | "jvm.pause.warn-threshold.ms"
        | "jvm.pause.sleep.time.ms" => NO_JVM,
        "multiAddress.enabled"
        | "multiAddress.reachabilityCheckEnabled"
        | "multiAddress.reachabilityCheckTimeoutMs" => "ZooScope gives each server one address",
        "oraclePath" => "the quorum oracle (QuorumOracleMaj) is not modeled; quorums are majorities",
        "dynamicConfigFile" => "ZooScope reads the servers from this file only; a dynamic config file is not read",
        "version" => "the dynamic configuration version is not modeled",
        "electionPort" => NO_PORTS,
        "globalOutstandingLimit" | "requestThrottleLimit" | "requestThrottleStallTime" | "throttledOpWaitTime" => {
            "request throttling is not modeled"
        }
        "preAllocSize" | "snapSizeLimitInKb" | "txnLogSizeLimitInKb" => "file sizes are not modeled",
        "forceSync" | "fsync.warningthresholdms" => "disks sync as the scenario's disk model says",
        "enforceQuota" => "quotas are not implemented",
        "serverCnxnFactory" | "nio.numSelectorThreads" | "nio.numWorkerThreads" | "netty.server.outboundBufferSize" => {
            "the network layer is the simulated one"
        }
        _ if key.starts_with("metricsProvider.") => "metrics are not modeled",
        _ if key.starts_with("admin.") => "the AdminServer is not modeled",
        _ if key.starts_with("ssl.") || key.starts_with("ssl.quorum.") || key.starts_with("client.") => NO_TLS,
        _ if key.starts_with("authProvider.") || key.starts_with("kerberos.") => {
            "only the built-in digest, ip and world providers exist"
        }
        _ if key.starts_with("group") || key.starts_with("weight") => {
            "hierarchical quorums are not modeled; ZooScope uses majority quorums"
        }
        _ => return None,
    })
}

/// The JVM-only properties ZooScope applies from zoo.cfg anyway.
fn jvm_only_warning(key: &str, flag: &str) -> String {
    format!(
        "applied, but ZooKeeper 3.8 reads this only from the JVM command line (-D{flag}=...): \
         in zoo.cfg it becomes zookeeper.{key}, which nothing reads"
    )
}

impl Importer {
    fn ignore(&mut self, line: usize, key: &str, why: impl Into<String>) {
        self.ignored.push(Note { line: Some(line), key: key.to_string(), why: why.into() });
    }

    fn warn(&mut self, line: usize, key: &str, why: impl Into<String>) {
        self.warnings.push(Note { line: Some(line), key: key.to_string(), why: why.into() });
    }

    /// Every key but the server lines, in file order; a repeated key keeps
    /// its last value, as `Properties` does.
    fn settings(&mut self, props: Vec<Prop>) -> Result<(), CfgError> {
        let mut last: BTreeMap<String, usize> = BTreeMap::new();
        for (i, p) in props.iter().enumerate() {
            let key = p.key.trim();
            if key.starts_with("server.") {
                continue;
            }
            if let Some(prev) = last.insert(key.to_string(), i) {
                let why = format!("set on line {} and again here; ZooKeeper uses the last value", props[prev].line);
                self.warn(p.line, key, why);
            }
        }
        self.dynamic_config_file = last.contains_key("dynamicConfigFile");
        for (i, p) in props.into_iter().enumerate() {
            let key = p.key.trim().to_string();
            if key.starts_with("server.") {
                if self.dynamic_config_file {
                    return err(p.line, format!("parameter: {key} must be in a separate dynamic config file"));
                }
                self.server_props.push(p);
            } else if last.get(&key) == Some(&i) {
                self.seen.insert(key.clone(), p.line);
                self.setting(p.line, &key, p.value.trim())?;
            }
        }
        self.after_settings()
    }

    fn int(&self, line: usize, key: &str, value: &str) -> Result<i32, CfgError> {
        java_int(value).map_or_else(|| err(line, format!("{key}: {value:?} is not a number")), Ok)
    }

    fn strict_bool(&self, line: usize, key: &str, value: &str) -> Result<bool, CfgError> {
        if value.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if value.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            err(line, format!("Invalid option {value:?} for {key}. Choose 'true' or 'false.'"))
        }
    }

    fn non_negative(&self, line: usize, key: &str, value: &str) -> Result<u32, CfgError> {
        let v = self.int(line, key, value)?;
        u32::try_from(v).map_or_else(|_| err(line, format!("{key} must not be negative, not {v}")), Ok)
    }

    /// One key of `parseProperties`, or the system property it becomes.
    fn setting(&mut self, line: usize, key: &str, value: &str) -> Result<(), CfgError> {
        match key {
            "tickTime" => {
                let v = self.int(line, key, value)?;
                if v == 0 {
                    return err(line, "tickTime is not set");
                }
                if v < 0 {
                    return err(line, format!("tickTime must be positive, not {v}"));
                }
                if v > i32::MAX / 20 {
                    return err(line, format!("tickTime {v} is too large: 20 × tickTime must fit in a Java int"));
                }
                self.cfg.tick_time = v as u32;
            }
            "initLimit" => self.cfg.init_limit = self.non_negative(line, key, value)?,
            "syncLimit" => self.cfg.sync_limit = self.non_negative(line, key, value)?,
            "minSessionTimeout" | "maxSessionTimeout" => {
                let v = self.int(line, key, value)?;
                if key == "minSessionTimeout" {
                    self.min_session = v;
                    self.cfg.min_session_timeout = v;
                } else {
                    self.max_session = v;
                    self.cfg.max_session_timeout = v;
                }
                if v == 0 || v < -1 {
                    let why = format!(
                        "ZooKeeper takes {v} literally; ZooScope reads 0 or less as unset \
                         ({} × tickTime)",
                        if key == "minSessionTimeout" { 2 } else { 20 }
                    );
                    self.warn(line, key, why);
                }
            }
            "localSessionsEnabled" => self.cfg.local_sessions_enabled = self.strict_bool(line, key, value)?,
            "leaderServes" => {
                // Leader: !System.getProperty("zookeeper.leaderServes", "yes").equals("no")
                self.cfg.leader_serves = value != "no";
                if value != "yes" && value != "no" {
                    let why = format!(
                        "ZooKeeper turns leaderServes off only for exactly \"no\"; {value:?} leaves the leader serving"
                    );
                    self.warn(line, key, why);
                }
            }
            "cnxTimeout" => {
                let v = self.int(line, key, value)?;
                if v <= 0 {
                    return err(line, format!("cnxTimeout must be a positive number of ms, not {v}"));
                }
                self.cfg.cnx_timeout = v as u64;
            }
            "snapCount" => {
                // ZooKeeperServer.getSnapCount: Integer.getInteger, at least 2.
                match java_decode_int(value) {
                    None => self.warn(line, key, format!("{value:?} is not a number: ZooKeeper uses 100000")),
                    Some(v) if v < 2 => {
                        self.warn(line, key, format!("{v} is less than 2: ZooKeeper uses 2"));
                        self.cfg.snap_count = 2;
                    }
                    Some(v) => self.cfg.snap_count = v as u32,
                }
            }
            "commitLogCount" => match java_int(value) {
                None => self.warn(line, key, format!("{value:?} is not a number: ZooKeeper uses 500")),
                Some(v) if v < 500 => {
                    self.warn(line, key, format!("{v} is less than 500: ZooKeeper uses 500"));
                    self.cfg.commit_log_count = 500;
                }
                Some(v) => self.cfg.commit_log_count = v as u32,
            },
            "snapshotSizeFactor" => match java_double(value) {
                None => self.warn(line, key, format!("{value:?} is not a number: ZooKeeper uses 0.33")),
                Some(v) if v > 1.0 => {
                    self.warn(line, key, format!("{value} is more than 1: ZooKeeper uses 0.33"));
                    self.cfg.snapshot_size_factor_permille = 330;
                }
                Some(v) if v.is_nan() => {
                    self.warn(line, key, "NaN keeps txn-log sync on with a limit of 0 bytes");
                    self.cfg.snapshot_size_factor_permille = 0;
                }
                Some(v) => {
                    let mut permille = (v * 1000.0).round() as i32;
                    if v < 0.0 && permille == 0 {
                        permille = -1;
                    }
                    if f64::from(permille) != v * 1000.0 && v.is_finite() && v >= 0.0 {
                        self.warn(line, key, format!("{value} is rounded to thousandths: {}", permille_text(permille)));
                    }
                    self.cfg.snapshot_size_factor_permille = permille;
                }
            },
            "4lw.commands.whitelist" => self.cfg.four_letter_word_whitelist = value.to_string(),
            "readonlymode.enabled" => {
                self.cfg.readonly_mode_enabled = value.eq_ignore_ascii_case("true");
                self.warn(line, key, jvm_only_warning(key, "readonlymode.enabled"));
            }
            "jute.maxbuffer" => {
                match java_decode_int(value) {
                    None => self.warn(line, key, format!("{value:?} is not a number: ZooKeeper uses 0xfffff")),
                    Some(v) if v <= 0 => {
                        return err(line, format!("jute.maxbuffer must be positive, not {v}"));
                    }
                    Some(v) => self.cfg.jute_max_buffer = v as usize,
                }
                self.warn(line, key, jvm_only_warning(key, "jute.maxbuffer"));
            }
            "znode.container.checkIntervalMs" => {
                match java_decode_int(value) {
                    None => self.warn(line, key, format!("{value:?} is not a number: ZooKeeper uses 60000")),
                    Some(v) if v <= 0 => {
                        return err(line, format!("{key} must be positive (it is a timer's period), not {v}"));
                    }
                    Some(v) => self.cfg.container_check_interval_ms = v as u64,
                }
                self.warn(line, key, jvm_only_warning(key, key));
            }
            "znode.container.maxNeverUsedIntervalMs" => {
                match java_decode(value) {
                    None => self.warn(line, key, format!("{value:?} is not a number: ZooKeeper uses 0")),
                    Some(v) => self.cfg.container_max_never_used_interval_ms = v,
                }
                self.warn(line, key, jvm_only_warning(key, key));
            }
            "extendedTypesEnabled" => self.cfg.extended_types_enabled = value.eq_ignore_ascii_case("true"),
            "zookeeper.extendedTypesEnabled" => {
                self.cfg.extended_types_enabled = value.eq_ignore_ascii_case("true");
                self.warn(
                    line,
                    key,
                    "applied, but in zoo.cfg ZooKeeper 3.8 makes this zookeeper.zookeeper.extendedTypesEnabled, \
                     which nothing reads: write extendedTypesEnabled=true",
                );
            }
            "skipACL" => self.cfg.skip_acl = value == "yes",
            "standaloneEnabled" => self.standalone_enabled = self.strict_bool(line, key, value)?,
            "reconfigEnabled" => {
                if self.strict_bool(line, key, value)? {
                    self.ignore(line, key, ignored_reason(key).unwrap_or_default());
                }
            }
            "electionAlg" => {
                if self.int(line, key, value)? != 3 {
                    return err(line, "Invalid electionAlg value. Only 3 is supported.");
                }
            }
            "peerType" => {
                let observer = match value.to_lowercase().as_str() {
                    "observer" => true,
                    "participant" => false,
                    _ => return err(line, format!("Unrecognised peertype: {value}")),
                };
                self.peer_type = Some((line, observer));
            }
            "dataDir" => {
                self.data_dir = true;
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            "clientPort" | "secureClientPort" => {
                let v = self.int(line, key, value)?;
                if key == "clientPort" {
                    self.client_port = v;
                } else {
                    self.secure_client_port = v;
                }
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            "clientPortAddress" | "secureClientPortAddress" => {
                if key == "clientPortAddress" {
                    self.client_port_address = Some(line);
                } else {
                    self.secure_client_port_address = Some(line);
                }
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            "observerMasterPort"
            | "clientPortListenBacklog"
            | "maxClientCnxns"
            | "connectToLearnerMasterLimit"
            | "autopurge.snapRetainCount"
            | "autopurge.purgeInterval"
            | "quorum.cnxn.threads.size"
            | "multiAddress.reachabilityCheckTimeoutMs" => {
                self.int(line, key, value)?;
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            "jvm.pause.info-threshold.ms" | "jvm.pause.warn-threshold.ms" | "jvm.pause.sleep.time.ms" => {
                if java_long(value).is_none() {
                    return err(line, format!("{key}: {value:?} is not a number"));
                }
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            "localSessionsUpgradingEnabled"
            | "quorumListenOnAllIPs"
            | "syncEnabled"
            | "sslQuorum"
            | "portUnification"
            | "sslQuorumReloadCertFiles"
            | "jvm.pause.monitor"
            | "multiAddress.enabled"
            | "multiAddress.reachabilityCheckEnabled"
            | "quorum.auth.enableSasl"
            | "quorum.auth.serverRequireSasl"
            | "quorum.auth.learnerRequireSasl" => {
                let v = self.strict_bool(line, key, value)?;
                match key {
                    "multiAddress.enabled" => self.multi_address_enabled = v,
                    "quorum.auth.enableSasl" => self.sasl_enabled = v,
                    "quorum.auth.serverRequireSasl" => self.sasl_server_required = v,
                    "quorum.auth.learnerRequireSasl" => self.sasl_learner_required = v,
                    _ => {}
                }
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            "version" => {
                // QuorumMaj reads it as hex.
                if i64::from_str_radix(value, 16).is_err() {
                    return err(line, format!("version: {value:?} is not a hexadecimal number"));
                }
                self.ignore(line, key, ignored_reason(key).unwrap_or_default());
            }
            _ => match ignored_reason(key) {
                Some(why) => self.ignore(line, key, why),
                None => {
                    let why = format!(
                        "not a setting ZooScope models (ZooKeeper would set the system property zookeeper.{key})"
                    );
                    self.ignore(line, key, why);
                }
            },
        }
        Ok(())
    }

    /// The checks `parseProperties` makes once every key is read.
    fn after_settings(&mut self) -> Result<(), CfgError> {
        let line = |k: &str| self.seen.get(k).copied();
        let refuse = |line: Option<usize>, message: String| Err(CfgError { line, message });
        if !self.sasl_enabled && self.sasl_server_required {
            return refuse(
                line("quorum.auth.serverRequireSasl"),
                "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl".into(),
            );
        }
        if !self.sasl_enabled && self.sasl_learner_required {
            return refuse(
                line("quorum.auth.learnerRequireSasl"),
                "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.learnerRequireSasl".into(),
            );
        }
        if !self.sasl_learner_required && self.sasl_server_required {
            return refuse(
                line("quorum.auth.serverRequireSasl"),
                "quorum.auth.learnerRequireSasl is disabled, so cannot enable quorum.auth.serverRequireSasl".into(),
            );
        }
        if !self.data_dir {
            return refuse(None, "dataDir is not set".into());
        }
        if self.client_port == 0 && self.client_port_address.is_some() {
            return refuse(self.client_port_address, "clientPortAddress is set but clientPort is not set".into());
        }
        if self.secure_client_port == 0 && self.secure_client_port_address.is_some() {
            return refuse(
                self.secure_client_port_address,
                "secureClientPortAddress is set but secureClientPort is not set".into(),
            );
        }
        let tick = self.cfg.tick_time as i32;
        let min = if self.min_session == -1 { tick * 2 } else { self.min_session };
        let max = if self.max_session == -1 { tick * 20 } else { self.max_session };
        if min > max {
            return refuse(
                line("maxSessionTimeout").or(line("minSessionTimeout")),
                format!("minSessionTimeout must not be larger than maxSessionTimeout ({min} > {max})"),
            );
        }
        Ok(())
    }

    /// The `server.N` lines (`QuorumMaj`, `QuorumServer`) and what
    /// `parseDynamicConfig`, `checkValidity` and `setupPeerType` make of
    /// them.
    fn servers(&mut self, myid: Option<u32>) -> Result<Servers, CfgError> {
        let mut lines: Vec<ServerLine> = Vec::new();
        for p in std::mem::take(&mut self.server_props) {
            let key = p.key.trim();
            let id_text = &key["server.".len()..];
            let Some(id) = java_long(id_text) else {
                return err(p.line, format!("{key}: the server id {id_text:?} is not a number"));
            };
            if !(1..=100).contains(&id) {
                return err(p.line, format!("{key}: ZooScope runs server ids 1 to 100 (ZooKeeper accepts any number)"));
            }
            let id = id as u32;
            if let Some(first) = lines.iter().find(|s| s.id == id) {
                return err(p.line, format!("server {id} is defined twice (lines {} and {})", first.line, p.line));
            }
            let observer = self.server_role(p.line, id, &p.value)?;
            lines.push(ServerLine { line: p.line, id, observer });
        }
        if lines.len() > limits::SERVERS {
            return err(
                lines[limits::SERVERS].line,
                format!("ZooScope runs at most {} servers; this file has {}", limits::SERVERS, lines.len()),
            );
        }
        let voters = lines.iter().filter(|s| !s.observer).count();
        let first_observer = lines.iter().find(|s| s.observer).map(|s| s.line);
        if voters == 0 {
            if !self.standalone_enabled {
                return Err(CfgError {
                    line: self.seen.get("standaloneEnabled").copied(),
                    message: "standaloneEnabled = false then number of participants should be >0".into(),
                });
            }
            if let Some(line) = first_observer {
                return err(line, "Observers w/o participants is an invalid configuration");
            }
        } else if voters == 1 && self.standalone_enabled {
            if let Some(line) = first_observer {
                return err(
                    line,
                    "Observers w/o quorum is an invalid configuration (with one participant, \
                     write standaloneEnabled=false for a quorum)",
                );
            }
        }
        // QuorumPeerConfig.isDistributed
        let distributed = !lines.is_empty() && (!self.standalone_enabled || voters > 1);
        if distributed {
            if self.cfg.init_limit == 0 {
                return Err(CfgError { line: None, message: "initLimit is not set (a quorum needs it)".into() });
            }
            if self.cfg.sync_limit == 0 {
                return Err(CfgError { line: None, message: "syncLimit is not set (a quorum needs it)".into() });
            }
        }
        if let Some(me) = myid {
            if distributed && !lines.iter().any(|s| s.id == me) {
                return Err(CfgError { line: None, message: format!("My id {me} not in the peer list") });
            }
        }
        if let Some((line, observer)) = self.peer_type {
            let name = if observer { "observer" } else { "participant" };
            match (distributed, myid) {
                (false, _) => self.ignore(line, "peerType", "a standalone server has no peer type"),
                (true, None) => self.ignore(
                    line,
                    "peerType",
                    "it is the role of one server (its myid): pass --myid to check it against the server list, \
                     which decides every server's role",
                ),
                (true, Some(me)) => {
                    let listed = lines.iter().any(|s| s.id == me && s.observer);
                    if listed != observer {
                        let listed = if listed { "observer" } else { "participant" };
                        let why = format!(
                            "peerType={name} but server.{me} is a {listed} in the server list; \
                             ZooKeeper 3.8 warns and follows the server list"
                        );
                        self.warn(line, "peerType", why);
                    }
                }
            }
        }
        let specs: Vec<ServerSpec> = if lines.len() == 1 && !distributed {
            vec![ServerSpec { id: lines[0].id, observer: false }]
        } else {
            lines.iter().map(|s| ServerSpec { id: s.id, observer: s.observer }).collect()
        };
        if lines.len() == 1 {
            let l = &lines[0];
            let key = format!("server.{}", l.id);
            if distributed {
                self.ignore(
                    l.line,
                    "standaloneEnabled",
                    "ZooKeeper would run a quorum of one server; ZooScope runs one server standalone",
                );
            } else {
                self.warn(
                    l.line,
                    &key,
                    "one server line: ZooKeeper logs \"Invalid configuration, only one server specified \
                     (ignoring)\" and runs standalone",
                );
            }
        }
        if specs.is_empty() {
            return Ok(Servers { specs: vec![ServerSpec { id: 1, observer: false }], from_lines: false });
        }
        Ok(Servers { specs, from_lines: true })
    }

    /// `QuorumServer.initializeWithAddressString`: whether the server is an
    /// observer. The value is not trimmed, as ZooKeeper does not trim it.
    fn server_role(&self, line: usize, id: u32, value: &str) -> Result<bool, CfgError> {
        let wrong = || {
            err(
                line,
                format!(
                    "server.{id}: {value:?} does not have the form server_config or server_config;client_config \
                     where server_config is the pipe separated list of host:port:port or host:port:port:type \
                     and client_config is port or host:port"
                ),
            )
        };
        let port = |host: &str, text: &str| -> Result<u16, CfgError> {
            let trailing = if text.ends_with(char::is_whitespace) {
                " (ZooKeeper does not trim server lines: remove the trailing blank)"
            } else {
                ""
            };
            match java_int(text) {
                None => err(line, format!("server.{id}: Address unresolved: {host}:{text}{trailing}")),
                Some(p) => {
                    u16::try_from(p).map_or_else(|_| err(line, format!("server.{id}: port out of range:{p}")), Ok)
                }
            }
        };
        let parts = java_split(value, ';');
        if parts.is_empty() || parts.len() > 2 {
            return wrong();
        }
        if let Some(client) = parts.get(1) {
            let client_parts = host_and_port(client).map_err(|m| CfgError { line: Some(line), message: m })?;
            if client_parts.len() > 2 {
                return wrong();
            }
            let host = if client_parts.len() == 2 { client_parts[0] } else { "0.0.0.0" };
            port(host, client_parts.last().copied().unwrap_or_default())?;
        }
        let addresses = java_split(parts[0], '|');
        if addresses.len() > 1 && !self.multi_address_enabled {
            return err(
                line,
                format!(
                    "Multiple address feature is disabled, but multiple addresses were specified for sid {id} \
                     (ZooKeeper 3.8 enables it with -Dzookeeper.multiAddress.enabled=true)"
                ),
            );
        }
        let mut role: Option<bool> = None;
        for address in addresses {
            let sp = host_and_port(address).map_err(|m| CfgError { line: Some(line), message: m })?;
            if sp.len() < 3 || sp.len() > 4 {
                return wrong();
            }
            let quorum = port(sp[0], sp[1])?;
            let election = port(sp[0], sp[2])?;
            if quorum == election {
                return err(
                    line,
                    format!(
                        "Client and election port must be different! Please update the configuration file \
                         on server.{id}"
                    ),
                );
            }
            if let Some(t) = sp.get(3) {
                let observer = match t.trim().to_lowercase().as_str() {
                    "observer" => true,
                    "participant" => false,
                    _ => return err(line, format!("Unrecognised peertype: {t}")),
                };
                if role.is_some_and(|r| r != observer) {
                    return err(line, format!("server.{id}: Multiple addresses should have similar roles"));
                }
                role = Some(observer);
            }
        }
        Ok(role.unwrap_or(false))
    }

    /// The config with the `# zooscope:` comments laid over it.
    fn apply_directives(
        &mut self,
        directives: Vec<Directive>,
        servers: &mut Servers,
    ) -> Result<ServerConfig, CfgError> {
        let bad_json = |line: usize, e: serde_json::Error| err(line, format!("zooscope: {e}"));
        let mut json = match serde_json::to_value(&self.cfg) {
            Ok(Value::Object(m)) => m,
            _ => return Err(CfgError { line: None, message: "the server settings did not serialize".into() }),
        };
        for d in directives {
            let Some((name, value)) = d.text.split_once('=') else {
                return err(d.line, format!("zooscope: {:?} is not `name = value`", d.text));
            };
            let (name, value) = (name.trim(), value.trim());
            let parsed: Value = match serde_json::from_str(value) {
                Ok(v) => v,
                Err(_) => return err(d.line, format!("zooscope: {name}: {value:?} is not a JSON value")),
            };
            if name == STANDALONE_ID {
                let id = parsed.as_u64().and_then(|id| u32::try_from(id).ok()).filter(|id| (1..=100).contains(id));
                match id {
                    None => return err(d.line, format!("zooscope: {name} must be a server id from 1 to 100")),
                    Some(_) if servers.from_lines => {
                        self.ignore(d.line, name, "the server lines name the servers");
                    }
                    Some(id) => servers.specs.iter_mut().for_each(|s| s.id = id),
                }
                continue;
            }
            let mut path = name.split('.');
            let top = path.next().unwrap_or_default();
            let sub = path.next();
            if path.next().is_some() || !json.contains_key(top) {
                self.ignore(d.line, &format!("zooscope: {name}"), "not a setting this build of ZooScope knows");
                continue;
            }
            if ZOO_CFG_FIELDS.contains(&top) {
                self.ignore(d.line, &format!("zooscope: {name}"), "a zoo.cfg setting: write it as a key=value line");
                continue;
            }
            let slot = match (json.get_mut(top), sub) {
                (Some(Value::Object(group)), Some(sub)) if group.contains_key(sub) => group.get_mut(sub),
                (Some(Value::Object(_)), _) => None,
                (Some(v), None) => Some(v),
                (Some(_), Some(_)) | (None, _) => None,
            };
            let Some(slot) = slot else {
                self.ignore(d.line, &format!("zooscope: {name}"), "not a setting this build of ZooScope knows");
                continue;
            };
            *slot = parsed;
            if let Err(e) = serde_json::from_value::<ServerConfig>(Value::Object(json.clone())) {
                return bad_json(d.line, e);
            }
        }
        serde_json::from_value(Value::Object(json))
            .map_err(|e| CfgError { line: None, message: format!("zooscope: {e}") })
    }
}

/// `String.split` with one literal separator: trailing empty pieces go.
fn java_split(s: &str, sep: char) -> Vec<&str> {
    if s.is_empty() {
        return vec![""];
    }
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// `ConfigUtils.getHostAndPort`: `host:port...`, or `[v6]:port...`.
fn host_and_port(s: &str) -> Result<Vec<&str>, String> {
    if let Some(rest) = s.strip_prefix('[') {
        let Some(i) = rest.find(']') else {
            return Err(format!("{s} starts with '[' but has no matching ']:'"));
        };
        let after = &rest[i + 1..];
        if after.len() == 1 {
            return Err(format!("{s} doesn't have a port after colon"));
        }
        let mut parts = vec![&rest[..i]];
        if after.len() > 1 {
            parts.extend(java_split(&after[1..], ':'));
        }
        Ok(parts)
    } else {
        Ok(java_split(s, ':'))
    }
}

// ---------------------------------------------------------------- export

/// `snapshotSizeFactor` as zoo.cfg writes it (330 → `0.33`).
fn permille_text(p: i32) -> String {
    let abs = i64::from(p).abs();
    let sign = if p < 0 { "-" } else { "" };
    let (whole, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let frac = format!("{frac:03}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// A value as `Properties.store` escapes it.
fn escape_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        match c {
            ' ' if i == 0 => out.push_str("\\ "),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x0c' => out.push_str("\\f"),
            '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// One line of a comment, with control characters made blanks.
fn comment_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A scenario's servers and settings as a zoo.cfg for ZooKeeper 3.8.
pub fn export(s: &Scenario) -> String {
    let c = &s.config;
    let d = ServerConfig::default();
    let ensemble = s.servers.len() > 1;
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line("# zoo.cfg for ZooKeeper 3.8, written by `zooscope cfg export`");
    if !s.name.is_empty() {
        line(&format!("# from the scenario: {}", comment_text(&s.name)));
    }
    line("# Settings at ZooKeeper's own defaults are left out. Lines starting");
    line("# `# zooscope:` hold what only the simulator knows: ZooKeeper ignores");
    line("# them and `zooscope cfg import` reads them back.");
    line("");
    line(&format!("tickTime={}", c.tick_time));
    if ensemble || c.init_limit != d.init_limit {
        line(&format!("initLimit={}", c.init_limit));
    }
    if ensemble || c.sync_limit != d.sync_limit {
        line(&format!("syncLimit={}", c.sync_limit));
    }
    line(&format!("dataDir={DATA_DIR}"));
    line(&format!("clientPort={CLIENT_PORT}"));
    if c.min_session_timeout != d.min_session_timeout {
        line(&format!("minSessionTimeout={}", c.min_session_timeout));
    }
    if c.max_session_timeout != d.max_session_timeout {
        line(&format!("maxSessionTimeout={}", c.max_session_timeout));
    }
    if c.local_sessions_enabled != d.local_sessions_enabled {
        line(&format!("localSessionsEnabled={}", c.local_sessions_enabled));
    }
    if c.leader_serves != d.leader_serves {
        line(&format!("leaderServes={}", if c.leader_serves { "yes" } else { "no" }));
    }
    if c.cnx_timeout != d.cnx_timeout {
        line(&format!("cnxTimeout={}", c.cnx_timeout));
    }
    if c.snap_count != d.snap_count {
        line(&format!("snapCount={}", c.snap_count));
    }
    if c.commit_log_count != d.commit_log_count {
        line(&format!("commitLogCount={}", c.commit_log_count));
    }
    if c.snapshot_size_factor_permille != d.snapshot_size_factor_permille {
        line(&format!("snapshotSizeFactor={}", permille_text(c.snapshot_size_factor_permille)));
    }
    if c.four_letter_word_whitelist != d.four_letter_word_whitelist {
        line(&format!("4lw.commands.whitelist={}", escape_value(&c.four_letter_word_whitelist)));
    }
    if c.extended_types_enabled != d.extended_types_enabled {
        line(&format!("extendedTypesEnabled={}", c.extended_types_enabled));
    }
    if c.skip_acl != d.skip_acl {
        line(&format!("skipACL={}", if c.skip_acl { "yes" } else { "no" }));
    }
    let jvm = |key: &str, value: String| {
        format!("# ZooKeeper reads the next setting only from the JVM command line: -D{key}={value}\n{key}={value}")
    };
    if c.readonly_mode_enabled != d.readonly_mode_enabled {
        line(&jvm("readonlymode.enabled", c.readonly_mode_enabled.to_string()));
    }
    if c.jute_max_buffer != d.jute_max_buffer {
        line(&jvm("jute.maxbuffer", c.jute_max_buffer.to_string()));
    }
    if c.container_check_interval_ms != d.container_check_interval_ms {
        line(&jvm("znode.container.checkIntervalMs", c.container_check_interval_ms.to_string()));
    }
    if c.container_max_never_used_interval_ms != d.container_max_never_used_interval_ms {
        line(&jvm("znode.container.maxNeverUsedIntervalMs", c.container_max_never_used_interval_ms.to_string()));
    }
    if ensemble {
        let voters = s.servers.iter().filter(|s| !s.observer).count();
        if voters == 1 {
            line("# One participant and observers: a quorum, not a standalone server.");
            line("standaloneEnabled=false");
        }
        if s.servers.iter().any(|s| s.observer) {
            line("# ZooKeeper 3.8 takes each server's role from these lines; peerType is not needed.");
        }
        for sv in &s.servers {
            let role = if sv.observer { ":observer" } else { "" };
            line(&format!("server.{0}=zk{0}:2888:3888{role}", sv.id));
        }
    } else if let Some(sv) = s.servers.first().filter(|sv| sv.id != 1) {
        line(&format!("# zooscope: {STANDALONE_ID} = {}", sv.id));
    }
    for (name, value) in simulator_only(c, &d) {
        line(&format!("# zooscope: {name} = {value}"));
    }
    out
}

/// The simulator-only settings that differ from the defaults, as
/// (`name` or `group.name`, JSON text).
fn simulator_only(c: &ServerConfig, d: &ServerConfig) -> Vec<(String, String)> {
    let as_map = |c: &ServerConfig| match serde_json::to_value(c) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let (cm, dm) = (as_map(c), as_map(d));
    let mut out = Vec::new();
    for (name, value) in &cm {
        if ZOO_CFG_FIELDS.contains(&name.as_str()) || dm.get(name) == Some(value) {
            continue;
        }
        match (value, dm.get(name)) {
            (Value::Object(group), Some(Value::Object(dgroup))) => {
                for (sub, v) in group {
                    if dgroup.get(sub) != Some(v) {
                        out.push((format!("{name}.{sub}"), v.to_string()));
                    }
                }
            }
            _ => out.push((name.clone(), value.to_string())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// conf/zoo_sample.cfg of ZooKeeper 3.8.6.
    const ZOO_SAMPLE_CFG: &str = "\
# The number of milliseconds of each tick
tickTime=2000
# The number of ticks that the initial 
# synchronization phase can take
initLimit=10
# The number of ticks that can pass between 
# sending a request and getting an acknowledgement
syncLimit=5
# the directory where the snapshot is stored.
# do not use /tmp for storage, /tmp here is just 
# example sakes.
dataDir=/tmp/zookeeper
# the port at which the clients will connect
clientPort=2181
# the maximum number of client connections.
# increase this if you need to handle more clients
#maxClientCnxns=60
#
# Be sure to read the maintenance section of the 
# administrator guide before turning on autopurge.
#
# https://zookeeper.apache.org/doc/current/zookeeperAdmin.html#sc_maintenance
#
# The number of snapshots to retain in dataDir
#autopurge.snapRetainCount=3
# Purge task interval in hours
# Set to \"0\" to disable auto purge feature
#autopurge.purgeInterval=1

## Metrics Providers
#
# https://prometheus.io Metrics Exporter
#metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
#metricsProvider.httpHost=0.0.0.0
#metricsProvider.httpPort=7000
#metricsProvider.exportJvmInfo=true

";

    const ENSEMBLE: &str = "\
tickTime=2000
initLimit=5
syncLimit=2
dataDir=/var/lib/zookeeper
clientPort=2181
server.1=zk1:2888:3888
server.2=zk2:2888:3888;2181
server.3=zk3:2888:3888:participant
server.4=zk4:2888:3888:observer
autopurge.purgeInterval=24
";

    fn keys(notes: &[Note]) -> Vec<&str> {
        notes.iter().map(|n| n.key.as_str()).collect()
    }

    fn error(text: &str) -> CfgError {
        match import(text, None) {
            Err(e) => e,
            Ok(i) => panic!("imported: {:?}", i.scenario.servers),
        }
    }

    #[test]
    fn the_sample_zoo_cfg_is_server_config_sample() {
        let imported = import(ZOO_SAMPLE_CFG, None).expect("the sample imports");
        assert_eq!(imported.scenario.config, ServerConfig::sample());
        assert_eq!(imported.scenario.servers, vec![ServerSpec { id: 1, observer: false }]);
        assert_eq!(keys(&imported.ignored), vec!["dataDir", "clientPort"]);
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
        assert_eq!(imported.scenario.name, "zoo.cfg");
        assert_eq!((imported.scenario.seed, imported.scenario.end_ms), (1, 60_000));
        assert!(imported.scenario.clients.is_empty());
    }

    #[test]
    fn an_omitted_tick_time_is_the_code_default() {
        let imported = import("dataDir=/d\n", None).expect("imports");
        assert_eq!(imported.scenario.config, ServerConfig::default());
        assert_eq!(imported.scenario.config.tick_time, 3000);
    }

    #[test]
    fn three_voters_and_an_observer() {
        let imported = import_named(ENSEMBLE, Some(4), Some("prod.cfg")).expect("imports");
        let s = &imported.scenario;
        assert_eq!(s.name, "prod.cfg");
        assert_eq!(
            s.servers,
            vec![
                ServerSpec { id: 1, observer: false },
                ServerSpec { id: 2, observer: false },
                ServerSpec { id: 3, observer: false },
                ServerSpec { id: 4, observer: true },
            ]
        );
        assert_eq!((s.config.tick_time, s.config.init_limit, s.config.sync_limit), (2000, 5, 2));
        assert_eq!(keys(&imported.ignored), vec!["dataDir", "clientPort", "autopurge.purgeInterval"]);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn settings_map_to_server_config() {
        let text = "\
dataDir=/d
tickTime 1000
initLimit : 7
syncLimit=3
minSessionTimeout=1500
maxSessionTimeout=90000
leaderServes=no
cnxTimeout=2500
snapCount=0x100
commitLogCount=800
snapshotSizeFactor=-1
4lw.commands.whitelist=ruok, mntr
readonlymode.enabled=true
localSessionsEnabled=TRUE
jute.maxbuffer=4096
znode.container.checkIntervalMs=1000
znode.container.maxNeverUsedIntervalMs=5000
extendedTypesEnabled=true
skipACL=yes
server.1=a:1:2
server.2=b:1:2
server.3=c:1:2
";
        let c = import(text, None).expect("imports").scenario.config;
        let want = ServerConfig {
            tick_time: 1000,
            init_limit: 7,
            sync_limit: 3,
            min_session_timeout: 1500,
            max_session_timeout: 90_000,
            leader_serves: false,
            cnx_timeout: 2500,
            snap_count: 256,
            commit_log_count: 800,
            snapshot_size_factor_permille: -1000,
            four_letter_word_whitelist: "ruok, mntr".into(),
            readonly_mode_enabled: true,
            local_sessions_enabled: true,
            jute_max_buffer: 4096,
            container_check_interval_ms: 1000,
            container_max_never_used_interval_ms: 5000,
            extended_types_enabled: true,
            skip_acl: true,
            ..ServerConfig::default()
        };
        assert_eq!(c, want);
    }

    #[test]
    fn java_properties_syntax() {
        let text = "  ! a comment\r\n\
                    \t# another\n\
                    \n\
                    dataDir = /d\n\
                    4lw.commands.whitelist = ruok,\\\n      \
                    srvr,\\\n\
                    stat   \n\
                    tick\\u0054ime:500\n\
                    snapshotSizeFactor 0.5";
        let imported = import(text, None).expect("imports");
        let c = imported.scenario.config;
        assert_eq!(c.four_letter_word_whitelist, "ruok,srvr,stat");
        assert_eq!(c.tick_time, 500);
        assert_eq!(c.snapshot_size_factor_permille, 500);
        assert!(import("dataDir=/d\ntickTime=\\u12\n", None).is_err());
    }

    #[test]
    fn leader_serves_is_off_only_for_no() {
        let serves = |v: &str| {
            let i = import(&format!("dataDir=/d\nleaderServes={v}\n"), None).expect("imports");
            (i.scenario.config.leader_serves, i.warnings.len())
        };
        assert_eq!(serves("no"), (false, 0));
        assert_eq!(serves("yes"), (true, 0));
        assert_eq!(serves("false"), (true, 1));
        assert_eq!(serves("NO"), (true, 1));
    }

    #[test]
    fn out_of_range_system_properties_take_zookeepers_substitutes() {
        let imported =
            import("dataDir=/d\nsnapCount=1\ncommitLogCount=10\nsnapshotSizeFactor=2.5\n", None).expect("imports");
        let c = &imported.scenario.config;
        assert_eq!((c.snap_count, c.commit_log_count, c.snapshot_size_factor_permille), (2, 500, 330));
        assert_eq!(keys(&imported.warnings), vec!["snapCount", "commitLogCount", "snapshotSizeFactor"]);
    }

    #[test]
    fn errors_name_their_line() {
        let e = error("dataDir=/d\n\ntickTime=abc\n");
        assert_eq!(e.line, Some(3));
        assert_eq!(e.to_string(), "line 3: tickTime: \"abc\" is not a number");
        let e = error("dataDir=/d\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.101=b:1:2\n");
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("1 to 100"), "{e}");
        let e = error("dataDir=/d\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2\nserver.01=c:1:2\n");
        assert_eq!(e.to_string(), "line 6: server 1 is defined twice (lines 4 and 6)");
        let e = error("dataDir=/d\nserver.1=a:1:2:observer\nserver.2=b:1:2:observer\n");
        assert_eq!(e.to_string(), "line 2: Observers w/o participants is an invalid configuration");
        let e = error("dataDir=/d\nserver.1=a:1:2\nserver.2=b:1:2:observer\n");
        assert_eq!(e.line, Some(3));
        assert!(e.message.starts_with("Observers w/o quorum"), "{e}");
        let e = error("dataDir=/d\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2\n");
        assert!(e.message.starts_with("initLimit is not set"), "{e}");
        assert_eq!(error("dataDir=/d\ntickTime=0\n").to_string(), "line 2: tickTime is not set");
        assert_eq!(error("tickTime=2000\n").to_string(), "dataDir is not set");
        assert_eq!(
            error("dataDir=/d\nelectionAlg=1\n").to_string(),
            "line 2: Invalid electionAlg value. Only 3 is supported."
        );
        assert_eq!(error("dataDir=/d\nsyncEnabled=yes\n").line, Some(2));
        assert_eq!(error("dataDir=/d\npeerType=witness\n").line, Some(2));
        let e = error("dataDir=/d\nminSessionTimeout=5000\nmaxSessionTimeout=4000\n");
        assert_eq!(e.line, Some(3));
        let e = error("dataDir=/d\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:2888:3888 \n");
        assert!(e.message.contains("trailing blank"), "{e}");
        assert_eq!(e.line, Some(5));
        assert_eq!(error("dataDir=/d\nserver.1=a:1:1\n").line, Some(2));
        assert_eq!(error("dataDir=/d\nserver.1=a:1\n").line, Some(2));
        assert_eq!(error("dataDir=/d\nserver.1=a:1:2:witness\n").line, Some(2));
        assert_eq!(error("dataDir=/d\nserver.1=a:1:2|b:1:2\n").line, Some(2));
        assert_eq!(error("dataDir=/d\nserver.x=a:1:2\n").line, Some(2));
        assert_eq!(error("dataDir=/d\nserver.1=a:1:99999\n").line, Some(2));
        assert_eq!(error("dataDir=/d\ndynamicConfigFile=/z.dyn\nserver.1=a:1:2\n").line, Some(3));
        assert_eq!(error("dataDir=/d\n# zooscope: bugs.zookeeper_1154 = maybe\n").line, Some(2));
        assert_eq!(error("dataDir=/d\n# zooscope: existsRequiresRead = 3\n").line, Some(2));
    }

    #[test]
    fn standalone_files() {
        // One server line: standalone, as ZooKeeper runs it.
        let i = import("dataDir=/d\nserver.5=a:1:2\n", None).expect("imports");
        assert_eq!(i.scenario.servers, vec![ServerSpec { id: 5, observer: false }]);
        // standaloneEnabled=false with one server: ZooKeeper's one-server
        // quorum needs initLimit; ZooScope runs it standalone and says so.
        assert!(import("dataDir=/d\nstandaloneEnabled=false\nserver.5=a:1:2\n", None).is_err());
        let i = import("dataDir=/d\nstandaloneEnabled=false\ninitLimit=5\nsyncLimit=2\nserver.5=a:1:2\n", None)
            .expect("imports");
        assert_eq!(i.scenario.servers.len(), 1);
        assert!(keys(&i.ignored).contains(&"standaloneEnabled"));
        // One voter and observers is a quorum when standalone is off.
        let i = import(
            "dataDir=/d\nstandaloneEnabled=false\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2:observer\n",
            None,
        )
        .expect("imports");
        assert_eq!(i.scenario.servers.len(), 2);
        assert!(import("dataDir=/d\nstandaloneEnabled=false\n", None).is_err());
    }

    #[test]
    fn myid_and_peer_type() {
        assert_eq!(import(ENSEMBLE, Some(9)).expect_err("not listed").to_string(), "My id 9 not in the peer list");
        let with_peer_type = format!("{ENSEMBLE}peerType=observer\n");
        let i = import(&with_peer_type, Some(4)).expect("imports");
        assert!(i.warnings.is_empty());
        // The server list wins over peerType.
        let i = import(&with_peer_type, Some(2)).expect("imports");
        assert_eq!(keys(&i.warnings), vec!["peerType"]);
        assert!(!i.scenario.servers[1].observer);
        let i = import(&with_peer_type, None).expect("imports");
        assert!(keys(&i.ignored).contains(&"peerType"));
    }

    #[test]
    fn unknown_and_jvm_only_keys_are_noted() {
        let i = import(
            "dataDir=/d\nfoo.bar=1\nadmin.enableServer=false\njute.maxbuffer=zzz\nzookeeper.extendedTypesEnabled=true\n",
            None,
        )
        .expect("imports");
        assert_eq!(keys(&i.ignored), vec!["dataDir", "foo.bar", "admin.enableServer"]);
        assert!(i.ignored[1].why.contains("zookeeper.foo.bar"));
        assert_eq!(keys(&i.warnings), vec!["jute.maxbuffer", "jute.maxbuffer", "zookeeper.extendedTypesEnabled"]);
        assert!(i.scenario.config.extended_types_enabled);
        assert_eq!(i.scenario.config.jute_max_buffer, ServerConfig::default().jute_max_buffer);
    }

    #[test]
    fn export_writes_a_zoo_cfg() {
        let mut s = Scenario::ensemble(1, 3, &[], 1000);
        s.servers[2].observer = true;
        s.config.bugs.zookeeper_1154 = true;
        s.config.container_cleanup = false;
        s.config.leader_serves = false;
        let text = export(&s);
        for want in [
            "tickTime=2000\n",
            "initLimit=10\n",
            "syncLimit=5\n",
            "dataDir=/var/lib/zookeeper\n",
            "clientPort=2181\n",
            "leaderServes=no\n",
            "server.1=zk1:2888:3888\n",
            "server.3=zk3:2888:3888:observer\n",
            "# zooscope: bugs.zookeeper_1154 = true\n",
            "# zooscope: containerCleanup = false\n",
        ] {
            assert!(text.contains(want), "{want:?} missing from\n{text}");
        }
        assert!(!text.lines().any(|l| l.starts_with("peerType")));
        assert!(!text.contains("snapCount"));
        let back = import(&text, None).expect("imports");
        assert_eq!(back.scenario.servers, s.servers);
        assert_eq!(back.scenario.config, s.config);
    }

    #[test]
    fn a_standalone_server_keeps_its_id() {
        let mut s = Scenario::standalone(1, &[], 1000);
        s.servers[0].id = 7;
        let text = export(&s);
        assert!(!text.contains("server.7="));
        assert_eq!(import(&text, None).expect("imports").scenario.servers, s.servers);
    }

    #[test]
    fn every_zoo_cfg_field_is_a_server_config_field() {
        let Ok(Value::Object(m)) = serde_json::to_value(ServerConfig::default()) else { panic!("not an object") };
        for f in ZOO_CFG_FIELDS {
            assert!(m.contains_key(*f), "{f}");
        }
    }

    #[test]
    fn numbers_as_java_reads_them() {
        assert_eq!(java_decode("0x10"), Some(16));
        assert_eq!(java_decode("#10"), Some(16));
        assert_eq!(java_decode("010"), Some(8));
        assert_eq!(java_decode("-0"), Some(0));
        assert_eq!(java_decode("0x-1"), None);
        assert_eq!(java_decode(""), None);
        assert_eq!(java_int("+5"), Some(5));
        assert_eq!(java_double("0.5d"), Some(0.5));
        assert_eq!(java_double("inf"), None);
        assert_eq!(permille_text(330), "0.33");
        assert_eq!(permille_text(-1), "-0.001");
        assert_eq!(permille_text(-2000), "-2");
        assert_eq!(permille_text(1000), "1");
        assert_eq!(escape_value(" a=b\\c\u{e9}"), "\\ a\\=b\\\\c\\u00E9");
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod round_trip {
    use super::*;
    use proptest::prelude::*;
    use zab::quorum::Bugs;

    fn servers() -> impl Strategy<Value = Vec<ServerSpec>> {
        (1usize..=limits::SERVERS)
            .prop_flat_map(|n| {
                (
                    prop::sample::subsequence((1u32..=100).collect::<Vec<_>>(), n).prop_shuffle(),
                    prop::collection::vec(any::<bool>(), n),
                )
            })
            .prop_map(|(ids, observers)| {
                let n = ids.len();
                let mut specs: Vec<ServerSpec> = ids
                    .into_iter()
                    .zip(observers)
                    .map(|(id, observer)| ServerSpec { id, observer: observer && n > 1 })
                    .collect();
                if specs.iter().all(|s| s.observer) {
                    specs[0].observer = false;
                }
                specs
            })
    }

    fn bugs() -> impl Strategy<Value = Bugs> {
        any::<[bool; 6]>().prop_map(|b| Bugs {
            zookeeper_1154: b[0],
            zookeeper_1549: b[1],
            zookeeper_4646: b[2],
            zookeeper_4394: b[3],
            zookeeper_2845: b[4],
            broken_local_writes: b[5],
        })
    }

    fn session_timeout() -> impl Strategy<Value = i32> {
        prop_oneof![Just(0), 1i32..=10_000_000]
    }

    fn whitelist() -> impl Strategy<Value = String> {
        prop_oneof![Just("srvr".to_string()), Just("*".to_string()), Just(String::new()), "[a-z]{4}(, ?[a-z]{4}){0,3}"]
    }

    fn config() -> impl Strategy<Value = ServerConfig> {
        let limit = || prop_oneof![1 => Just(0u32), 9 => 1u32..=1000];
        let times = (1u32..=100_000, session_timeout(), session_timeout(), limit(), limit());
        let flags = (any::<[bool; 7]>(), any::<i64>(), bugs());
        let sizes = (
            1u64..=i32::MAX as u64,
            any::<i64>(),
            1usize..=i32::MAX as usize,
            1u64..=i32::MAX as u64,
            2u32..=i32::MAX as u32,
            500u32..=i32::MAX as u32,
            i32::MIN..=1000,
            whitelist(),
        );
        (times, flags, sizes).prop_map(|(t, f, z)| {
            let mut c = ServerConfig {
                tick_time: t.0,
                min_session_timeout: t.1,
                max_session_timeout: t.2,
                init_limit: t.3,
                sync_limit: t.4,
                extended_types_enabled: f.0[0],
                skip_acl: f.0[1],
                container_cleanup: f.0[2],
                exists_requires_read: f.0[3],
                leader_serves: f.0[4],
                readonly_mode_enabled: f.0[5],
                local_sessions_enabled: f.0[6],
                wall_clock_base_ms: f.1,
                bugs: f.2,
                container_check_interval_ms: z.0,
                container_max_never_used_interval_ms: z.1,
                jute_max_buffer: z.2,
                cnx_timeout: z.3,
                snap_count: z.4,
                commit_log_count: z.5,
                snapshot_size_factor_permille: z.6,
                four_letter_word_whitelist: z.7,
            };
            // The one order of the two timeouts that validates.
            if c.min_session_timeout() > c.max_session_timeout() {
                std::mem::swap(&mut c.min_session_timeout, &mut c.max_session_timeout);
            }
            c
        })
    }

    proptest! {
        /// export → import gives back the servers and the settings of any
        /// valid scenario.
        #[test]
        fn export_then_import_is_the_identity(servers in servers(), config in config()) {
            let mut s = Scenario::standalone(1, &[], 1000);
            s.servers = servers;
            s.config = config;
            prop_assume!(s.validate().is_ok());
            let text = export(&s);
            let back = import(&text, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(&back.scenario.servers, &s.servers, "{}", text);
            prop_assert_eq!(&back.scenario.config, &s.config, "{}", text);
        }

        /// Any text at all: a scenario or an error, never a panic.
        #[test]
        fn arbitrary_text_never_panics(text in "(\\PC{0,40}[\n=:\\\\]?){0,12}") {
            let _ = import(&text, Some(1));
            let _ = import(&format!("dataDir=/d\n{text}"), None);
        }

        /// Lines that look like zoo.cfg, shuffled together.
        #[test]
        fn plausible_files_never_panic(lines in prop::collection::vec(prop_oneof![
            Just("dataDir=/d".to_string()),
            "(tickTime|initLimit|syncLimit|snapCount|jute.maxbuffer|snapshotSizeFactor|cnxTimeout)=-?[0-9x.]{0,12}",
            "server\\.[0-9]{1,3}=[a-z\\[\\]:]{0,5}:[0-9]{0,6}:[0-9]{0,6}(:observer|:participant|:x)?(;[0-9a-z:]{0,8})?( )?",
            "# zooscope: [a-zA-Z_.]{0,20} = [0-9a-z\"{}]{0,8}",
            "(standaloneEnabled|peerType|leaderServes)=[a-z]{0,8}",
        ], 0..12)) {
            let _ = import(&lines.join("\n"), Some(1));
        }
    }
}
