//! What the page knows of each server, folded from the trace: its state
//! and epochs, its vote, what it applied and committed, its log, the votes
//! it received, its sessions and the four-letter words it answered.

use actor::{Instant, NodeId};
use std::collections::{BTreeMap, VecDeque};
use zab::quorum::packet::{Notification, ServerState, Vote};
use zab::ServerEvent;
use znode::{LoggedTxn, SessionId, Zxid};

/// How many log entries and received votes a server view keeps.
const KEEP: usize = 200;

/// Whether the process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    Up,
    Paused,
    Crashed,
    PoweredOff,
}

impl Process {
    pub fn name(self) -> &'static str {
        match self {
            Process::Up => "up",
            Process::Paused => "paused",
            Process::Crashed => "crashed",
            Process::PoweredOff => "powered off",
        }
    }
}

/// One entry of a server's transaction log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub zxid: Zxid,
    pub what: String,
    /// Applied here (committed, as far as this server knows).
    pub committed: bool,
}

/// A vote this server received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteSeen {
    pub at: Instant,
    pub from: u64,
    pub state: ServerState,
    pub vote: Vote,
}

/// One server as the trace shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerView {
    pub id: NodeId,
    pub observer: bool,
    pub standalone: bool,
    pub process: Process,
    pub booted: bool,
    pub state: Option<ServerState>,
    pub accepted_epoch: u64,
    pub current_epoch: u64,
    pub leader: Option<u64>,
    /// Serving clients: established leader, synced follower or observer,
    /// or a standalone server that booted.
    pub serving: bool,
    pub read_only: bool,
    /// The vote it broadcasts (while looking) or stands by.
    pub vote: Option<Vote>,
    pub last_applied: Zxid,
    pub last_committed: Zxid,
    pub last_logged: Zxid,
    pub log: VecDeque<LogEntry>,
    pub votes: VecDeque<VoteSeen>,
    pub sessions: BTreeMap<SessionId, i32>,
    /// The last answer to each four-letter word.
    pub four_letter: BTreeMap<String, (Instant, Vec<String>)>,
    /// Why its last role ended, or what stopped it.
    pub last_note: Option<String>,
    pub boots: u32,
}

pub fn describe_txn(t: &LoggedTxn) -> String {
    match t.txn.path() {
        Some(p) => format!("{} {p}", t.txn.kind_name()),
        None => match &t.txn {
            znode::Txn::Error(code) => format!("error {}", code.name()),
            znode::Txn::CreateSession { .. } | znode::Txn::CloseSession { .. } => {
                format!("{} 0x{:x}", t.txn.kind_name(), t.header.session)
            }
            other => other.kind_name().to_string(),
        },
    }
}

impl ServerView {
    pub fn new(id: NodeId, observer: bool, standalone: bool) -> Self {
        ServerView {
            id,
            observer,
            standalone,
            process: Process::Up,
            booted: false,
            state: None,
            accepted_epoch: 0,
            current_epoch: 0,
            leader: None,
            serving: false,
            read_only: false,
            vote: None,
            last_applied: 0,
            last_committed: 0,
            last_logged: 0,
            log: VecDeque::new(),
            votes: VecDeque::new(),
            sessions: BTreeMap::new(),
            four_letter: BTreeMap::new(),
            last_note: None,
            boots: 0,
        }
    }

    /// The name ZooKeeper gives its state (`LEADING`), or what stops it.
    pub fn state_name(&self) -> &'static str {
        match self.process {
            Process::Crashed => "CRASHED",
            Process::PoweredOff => "POWERED OFF",
            Process::Paused => "PAUSED",
            Process::Up if self.standalone => {
                if self.booted {
                    "STANDALONE"
                } else {
                    "BOOTING"
                }
            }
            Process::Up => match self.state {
                Some(ServerState::Looking) if self.read_only => "LOOKING (read-only)",
                Some(s) => s.name(),
                None => "BOOTING",
            },
        }
    }

    pub fn is_up(&self) -> bool {
        self.process == Process::Up
    }

    fn down(&mut self, p: Process) {
        self.process = p;
        self.serving = false;
        self.read_only = false;
    }

    /// A fault hit this server.
    pub fn fault(&mut self, f: &sim::Fault) {
        use sim::Fault;
        match f {
            Fault::Crash { .. } if self.process != Process::PoweredOff => self.down(Process::Crashed),
            Fault::PowerOff { .. } if self.process != Process::Crashed => self.down(Process::PoweredOff),
            Fault::Pause { .. } if self.process == Process::Up => self.process = Process::Paused,
            Fault::Resume { .. } if self.process == Process::Paused => self.process = Process::Up,
            _ => {}
        }
    }

    pub fn booted_now(&mut self) {
        self.process = Process::Up;
        self.booted = false;
        self.state = None;
        self.serving = false;
        self.read_only = false;
        self.leader = None;
        self.vote = None;
        self.votes.clear();
        self.boots += 1;
        for e in &mut self.log {
            // What survives on disk stays; whether it counts is decided anew.
            e.committed = e.zxid <= self.last_applied;
        }
    }

    /// A transaction went to this server's log.
    pub fn logged(&mut self, t: &LoggedTxn) {
        let z = t.header.zxid;
        self.last_logged = z;
        self.log.retain(|e| e.zxid < z);
        self.log.push_back(LogEntry { zxid: z, what: describe_txn(t), committed: z <= self.last_applied });
        while self.log.len() > KEEP {
            self.log.pop_front();
        }
    }

    /// The log was truncated after `z`.
    pub fn truncated(&mut self, z: Zxid) {
        self.log.retain(|e| e.zxid <= z);
        self.last_logged = z;
    }

    fn applied(&mut self, z: Zxid) {
        self.last_applied = self.last_applied.max(z);
        self.last_committed = self.last_committed.max(z);
        if let Some(e) = self.log.iter_mut().rev().find(|e| e.zxid == z) {
            e.committed = true;
        }
    }

    /// A vote arrived from `from`.
    pub fn vote_received(&mut self, at: Instant, n: &Notification, from: u64) {
        self.votes.push_back(VoteSeen { at, from, state: n.state, vote: n.vote });
        while self.votes.len() > KEEP {
            self.votes.pop_front();
        }
    }

    /// The latest vote from each peer.
    pub fn latest_votes(&self) -> BTreeMap<u64, VoteSeen> {
        let mut out = BTreeMap::new();
        for v in &self.votes {
            out.insert(v.from, *v);
        }
        out
    }

    pub fn on_event(&mut self, e: &ServerEvent) {
        match e {
            ServerEvent::Booted { last_zxid, sessions, .. } => {
                self.booted = true;
                self.last_applied = *last_zxid;
                self.last_committed = *last_zxid;
                self.sessions = sessions.iter().copied().collect();
                if self.standalone {
                    self.serving = true;
                }
            }
            ServerEvent::Applied { txn, .. } => self.applied(txn.header.zxid),
            ServerEvent::SessionCreated { session, timeout } => {
                self.sessions.insert(*session, *timeout);
            }
            ServerEvent::SessionClosed { session } | ServerEvent::SessionExpired { session } => {
                self.sessions.remove(session);
            }
            ServerEvent::PeerState { state, accepted_epoch, current_epoch, leader } => {
                self.state = Some(*state);
                self.accepted_epoch = *accepted_epoch;
                self.current_epoch = *current_epoch;
                self.leader = *leader;
                if *state == ServerState::Looking {
                    self.serving = false;
                }
            }
            ServerEvent::Voted { vote } => self.vote = Some(*vote),
            ServerEvent::Elected { vote, .. } => self.vote = Some(*vote),
            ServerEvent::Established { .. } | ServerEvent::Serving { .. } => self.serving = true,
            ServerEvent::ShutDown { reason } | ServerEvent::Fatal { reason } => {
                self.serving = false;
                self.last_note = Some(reason.clone());
            }
            ServerEvent::Committed { zxid } => self.last_committed = self.last_committed.max(*zxid),
            ServerEvent::SyncMode { mode, zxid, .. } => {
                self.last_note = Some(format!("synced by {mode} at 0x{zxid:x}"));
                // SNAP and TRUNC replace what the tree holds.
                if mode != "DIFF" {
                    self.last_applied = *zxid;
                }
            }
            ServerEvent::ReadOnly { serving } => self.read_only = *serving,
            _ => {}
        }
    }
}
