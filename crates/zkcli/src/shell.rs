//! `ZooKeeperMain`: the read-execute loop's state (history, command count,
//! `printwatches`), the shell's own commands (`history`, `redo`,
//! `printwatches`, `connect`, `quit`), the "Not connected" rule, and the
//! routing of client events to the running command.

use crate::commands;
use crate::complete;
use crate::java::{decode_int, number_format_error};
use crate::task::{await_tag, Flow, Io, Task};
use crate::tokenize::split_args;
use crate::usage::{usage_listing, COMMANDS, UNSUPPORTED};
use crate::Reaction;
use std::collections::VecDeque;
use zab::{ClientEvent, ClientState};

/// The first tag the shell uses; numbers below are left to the host, so
/// that the host's own calls on the same client cannot be taken for the
/// shell's.
pub const FIRST_TAG: u64 = 1 << 32;

/// How many earlier lines `history` shows besides itself.
const HISTORY_SHOWN: usize = 10;

/// A zkCli session over one client handle. See the crate docs for the
/// host's loop.
pub struct Shell {
    connect_string: String,
    /// Every line entered, by command number (`redo` rewrites its own).
    history: Vec<String>,
    /// zkCli's `commandCount`: lines executed to the end.
    executed: usize,
    print_watches: bool,
    next_tag: u64,
    /// The words of the last line that had any: zkCli keeps its parsed
    /// command when a line yields no words, and runs it again.
    last_words: Option<Vec<String>>,
    running: Option<Running>,
    /// Lines entered while a command was running (type-ahead).
    pending: VecDeque<String>,
    /// A new session was asked for; queued lines wait until the client
    /// has reported something, so that their calls follow the connect.
    awaiting_connect: bool,
    quitting: bool,
}

struct Running {
    task: Box<dyn Task>,
    after: After,
}

/// What happens once a running command has finished.
#[derive(Default)]
struct After {
    /// `redo` checks the handle again after the command it repeated.
    check_alive: bool,
    /// The command was `close`: the handle is dead now, whatever state
    /// the host last reported.
    closes: bool,
    /// Open a new session (after closing the old one).
    connect: Option<Option<String>>,
    quit: bool,
}

impl Shell {
    /// `connect_string` is what the prompt shows, e.g. "127.0.0.1:2181".
    pub fn new(connect_string: &str) -> Shell {
        Shell {
            connect_string: connect_string.to_string(),
            history: Vec::new(),
            executed: 0,
            print_watches: true,
            next_tag: FIRST_TAG,
            last_words: None,
            running: None,
            pending: VecDeque::new(),
            awaiting_connect: false,
            quitting: false,
        }
    }

    /// `[zk: 127.0.0.1:2181(CONNECTED) 0] `: the connect string, the
    /// handle's state, and the number of lines executed so far.
    pub fn prompt(&self, state: ClientState) -> String {
        format!("[zk: {}({}) {}] ", self.connect_string, state.name(), self.executed)
    }

    /// The connect string the prompt shows.
    pub fn connect_string(&self) -> &str {
        &self.connect_string
    }

    /// The host resolved or changed the connect string (after `connect
    /// host:port`, the shell already shows what the user typed).
    pub fn set_connect_string(&mut self, connect_string: &str) {
        self.connect_string = connect_string.to_string();
    }

    /// A command is still waiting for client results, or lines typed
    /// meanwhile are waiting for it.
    pub fn busy(&self) -> bool {
        self.running.is_some() || !self.pending.is_empty()
    }

    /// Give up on the running command and any lines typed after it (a
    /// console's Ctrl-C, or a host that replaced the client node): late
    /// answers to its calls are ignored. The abandoned line still counts
    /// as executed.
    pub fn interrupt(&mut self) {
        if self.running.take().is_some() {
            self.executed += 1;
        }
        self.pending.clear();
        self.awaiting_connect = false;
    }

    /// Whether watch events are printed (`printwatches on|off`).
    pub fn print_watches(&self) -> bool {
        self.print_watches
    }

    /// Lines entered so far, by command number (for `history` and
    /// arrow-key recall).
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Tab completion: candidates for the last word of `line` — command
    /// names for the first word, children from `known_paths` for a word
    /// starting with `/` — sorted.
    pub fn complete(&self, line: &str, known_paths: &[String]) -> Vec<String> {
        complete::candidates(line, known_paths)
    }

    /// Parse and start a command line. A line entered while a command is
    /// still running waits for it, as typed-ahead input does.
    pub fn submit(&mut self, line: &str, state: ClientState) -> Reaction {
        let mut r = Reaction::default();
        if self.quitting {
            return r;
        }
        if self.busy() || self.awaiting_connect {
            self.pending.push_back(line.to_string());
            return r;
        }
        self.execute_line(line, state, &mut r);
        r
    }

    /// Feed every event of this shell's client: results for its tags,
    /// watch events, state changes. `state` is the handle's state now.
    pub fn on_event(&mut self, event: &ClientEvent, state: ClientState) -> Reaction {
        let mut r = Reaction::default();
        self.awaiting_connect = false;
        match event {
            ClientEvent::Watch(e) if self.print_watches => {
                // `printMessage` prints "\n" + text: each is its own paragraph.
                for l in ["", "WATCHER::", ""] {
                    r.lines.push(crate::Line::Out(l.to_string()));
                }
                r.lines.push(crate::Line::Out(e.to_string()));
            }
            ClientEvent::Result { tag, result, .. } => self.deliver(*tag, result, state, &mut r),
            _ => {}
        }
        self.drain(state, &mut r);
        r
    }

    fn deliver(
        &mut self,
        tag: u64,
        result: &Result<znode::Response, znode::Code>,
        state: ClientState,
        r: &mut Reaction,
    ) {
        let Some(run) = self.running.as_mut() else { return };
        let mut io = Io { reaction: r, next_tag: &mut self.next_tag };
        if run.task.on_result(tag, result.clone(), &mut io) == Flow::Done {
            if let Some(run) = self.running.take() {
                self.executed += 1;
                self.finish(run.after, state, r);
            }
        }
    }

    /// Run lines typed while the last command ran, until one has to wait.
    fn drain(&mut self, state: ClientState, r: &mut Reaction) {
        while self.running.is_none() && !self.awaiting_connect && !self.quitting {
            let Some(line) = self.pending.pop_front() else { break };
            self.execute_line(&line, state, r);
        }
    }

    /// `executeLine`: record the line, run it, count it.
    fn execute_line(&mut self, line: &str, state: ClientState, r: &mut Reaction) {
        if line.is_empty() {
            return;
        }
        let words = split_args(line);
        if !words.is_empty() {
            self.last_words = Some(words);
        }
        self.history.push(line.to_string());
        let started = match self.last_words.clone() {
            Some(words) => self.process(words, state, r),
            None => {
                let mut io = Io { reaction: r, next_tag: &mut self.next_tag };
                io.err_lines(usage_listing());
                io.err("No command entered");
                None
            }
        };
        match started {
            Some(run) => self.running = Some(run),
            None => self.executed += 1,
        }
    }

    /// `processZKCmd`.
    fn process(&mut self, words: Vec<String>, state: ClientState, r: &mut Reaction) -> Option<Running> {
        let cmd = words.first().cloned().unwrap_or_default();
        let mut io = Io { reaction: r, next_tag: &mut self.next_tag };
        if UNSUPPORTED.contains(&cmd.as_str()) {
            io.err(format!("ZooScope does not support {cmd} (quotas and reconfiguration are out of scope)"));
            return None;
        }
        if !COMMANDS.iter().any(|(name, _)| *name == cmd) {
            io.err_lines(usage_listing());
            io.err(format!("Command not found: Command not found {cmd}"));
            return None;
        }
        match (cmd.as_str(), words.get(1)) {
            ("quit", _) => {
                let tag = io.close();
                return Some(Running {
                    task: await_tag(tag, |_, _| {})?,
                    after: After { quit: true, ..After::default() },
                });
            }
            ("connect", target) => return self.connect(target.cloned(), state, r),
            ("redo", Some(n)) => return self.redo(&n.clone(), state, r),
            ("history", _) => {
                let from = self.executed.saturating_sub(HISTORY_SHOWN);
                let shown = self.history.iter().enumerate().skip(from).take(HISTORY_SHOWN + 1);
                io.out_lines(shown.map(|(i, l)| format!("{i} - {l}")));
            }
            ("printwatches", None) => {
                io.out(format!("printwatches is {}", if self.print_watches { "on" } else { "off" }));
            }
            ("printwatches", Some(v)) => self.print_watches = v == "on",
            _ => {}
        }
        if !state.is_alive() {
            io.out("Not connected");
            return None;
        }
        let closes = cmd == "close";
        let task = commands::run(&cmd, words, &mut io).flatten()?;
        Some(Running { task, after: After { closes, ..After::default() } })
    }

    /// `connect [host:port]`: close a live handle first, then ask the host
    /// for a new session.
    fn connect(&mut self, target: Option<String>, state: ClientState, r: &mut Reaction) -> Option<Running> {
        let after = After { connect: Some(target), ..After::default() };
        if state.is_alive() {
            let tag = Io { reaction: r, next_tag: &mut self.next_tag }.close();
            return Some(Running { task: await_tag(tag, |_, _| {})?, after });
        }
        self.finish(after, state, r);
        None
    }

    /// `redo n`: run line `n` again in place of this one.
    fn redo(&mut self, n: &str, state: ClientState, r: &mut Reaction) -> Option<Running> {
        let mut io = Io { reaction: r, next_tag: &mut self.next_tag };
        let Some(i) = decode_int(n) else {
            // zkCli dies here with Integer.decode's exception.
            io.err(number_format_error(n));
            return None;
        };
        let current = self.executed;
        let line = match usize::try_from(i).ok().filter(|i| *i < current).and_then(|i| self.history.get(i)) {
            Some(l) => l.clone(),
            None => {
                io.err("Command index out of range");
                return None;
            }
        };
        let words = split_args(&line);
        if !words.is_empty() {
            self.last_words = Some(words);
        }
        let words = self.last_words.clone().unwrap_or_default();
        if words.first().is_some_and(|w| w == "redo") {
            io.err("No redoing redos");
            return None;
        }
        if let Some(slot) = self.history.get_mut(current) {
            *slot = line;
        }
        match self.process(words, state, r) {
            Some(mut run) => {
                run.after.check_alive = true;
                Some(run)
            }
            None => {
                let after = After { check_alive: r.connect.is_none(), ..After::default() };
                self.finish(after, state, r);
                None
            }
        }
    }

    fn finish(&mut self, after: After, state: ClientState, r: &mut Reaction) {
        if after.quit {
            r.quit = true;
            self.quitting = true;
            self.pending.clear();
            return;
        }
        if let Some(target) = after.connect {
            if let Some(s) = &target {
                self.connect_string = s.clone();
            }
            r.connect = Some(target);
            self.awaiting_connect = true;
            return;
        }
        if after.check_alive && (after.closes || !state.is_alive()) {
            r.lines.push(crate::Line::Out("Not connected".to_string()));
        }
    }
}

#[cfg(test)]
#[path = "shell_tests.rs"]
mod tests;
