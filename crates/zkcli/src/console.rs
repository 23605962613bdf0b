//! A console: a shell bound to one client node, with the lines it printed
//! and what it knows of its session. The page's consoles and `zooscope
//! zkcli` are both this; they differ only in how they show it.

use crate::{Line, Reaction, Shell};
use actor::NodeId;
use zab::{ClientCall, ClientEvent, ClientState};

/// How many lines a console keeps.
const KEEP_LINES: usize = 2000;

/// One line on a console, with its stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleLine {
    /// The prompt and what the user typed.
    Input(String),
    Out(String),
    Err(String),
}

/// The connect string a server is reached by (`127.0.0.1:2181` for server 1).
pub fn connect_string(server: NodeId) -> String {
    format!("127.0.0.1:{}", 2180 + u64::from(server.0))
}

/// The servers a connect string names, by port (2181 is server 1); an
/// address no server has maps to a node that does not exist, so the client
/// keeps trying, as Java's would.
pub fn resolve(connect: &str, known: &[NodeId]) -> Vec<NodeId> {
    connect
        .split(',')
        .map(|hp| {
            let port = hp.rsplit(':').next().and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(0);
            known.iter().copied().find(|s| 2180 + u64::from(s.0) == port).unwrap_or(NodeId(u32::MAX))
        })
        .collect()
}

/// A zkCli console bound to one client node.
pub struct Console {
    pub name: String,
    pub client: NodeId,
    pub shell: Shell,
    pub lines: Vec<ConsoleLine>,
    pub state: ClientState,
    pub session: Option<u64>,
    pub server: Option<NodeId>,
    /// The user typed `quit` and the session is closed.
    pub quit: bool,
    /// Lines pushed since the last [`Console::take_new_lines`].
    fresh: Vec<ConsoleLine>,
}

impl Console {
    pub fn new(name: &str, client: NodeId, connect: &str) -> Self {
        Console {
            name: name.to_string(),
            client,
            shell: Shell::new(connect),
            lines: Vec::new(),
            state: ClientState::NotConnected,
            session: None,
            server: None,
            quit: false,
            fresh: Vec::new(),
        }
    }

    /// The lines printed since the last call (a host that reports output
    /// as it happens takes them after each step).
    pub fn take_new_lines(&mut self) -> Vec<ConsoleLine> {
        std::mem::take(&mut self.fresh)
    }

    pub fn prompt(&self) -> String {
        self.shell.prompt(self.state)
    }

    fn push(&mut self, line: ConsoleLine) {
        self.fresh.push(line.clone());
        self.lines.push(line);
        if self.lines.len() > KEEP_LINES {
            let drop = self.lines.len() - KEEP_LINES;
            self.lines.drain(..drop);
        }
    }

    /// Print a line that did not come from the shell (another tool run in
    /// the same terminal, such as `nc`).
    pub fn print(&mut self, line: ConsoleLine) {
        self.push(line);
    }

    /// The user typed `line`; returns the calls to make on the client.
    /// `servers` are the servers a `connect host:port` may name.
    pub fn submit(&mut self, line: &str, servers: &[NodeId]) -> Vec<ClientCall> {
        let prompt = self.prompt();
        self.push(ConsoleLine::Input(format!("{prompt}{line}")));
        let reaction = self.shell.submit(line, self.state);
        self.react(reaction, servers)
    }

    /// Feed one of this console's client events.
    pub fn on_event(&mut self, e: &ClientEvent, servers: &[NodeId]) -> Vec<ClientCall> {
        match e {
            ClientEvent::State { state, server } => {
                self.state = *state;
                self.server = *server;
            }
            ClientEvent::Session { id, .. } => self.session = Some(*id),
            _ => {}
        }
        let reaction = self.shell.on_event(e, self.state);
        self.react(reaction, servers)
    }

    /// Print a reaction's lines and return its calls, a `connect` included.
    fn react(&mut self, r: Reaction, servers: &[NodeId]) -> Vec<ClientCall> {
        for l in r.lines {
            self.push(match l {
                Line::Out(s) => ConsoleLine::Out(s),
                Line::Err(s) => ConsoleLine::Err(s),
            });
        }
        self.quit |= r.quit;
        let mut calls = r.calls;
        if let Some(target) = r.connect {
            let servers = target.map(|s| {
                self.shell.set_connect_string(&s);
                resolve(&s, servers)
            });
            calls.push(ClientCall::Connect { servers });
        }
        calls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_strings_name_servers_by_port() {
        let known = [NodeId(1), NodeId(2), NodeId(3)];
        assert_eq!(connect_string(NodeId(2)), "127.0.0.1:2182");
        assert_eq!(resolve("127.0.0.1:2183", &known), vec![NodeId(3)]);
        assert_eq!(resolve("localhost:2181,127.0.0.1:2182", &known), vec![NodeId(1), NodeId(2)]);
        assert_eq!(resolve("nowhere:9999", &known), vec![NodeId(u32::MAX)]);
    }
}
