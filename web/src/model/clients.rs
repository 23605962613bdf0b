//! Each client as the trace shows it: its console (what the zkCli inside
//! the client node printed, and its prompt), its connection state, the
//! server it is on and its session.

use actor::NodeId;
use zab::wire::ConsoleOutput;
use zab::{ClientEvent, ClientState};

/// How many console lines a client view keeps.
const KEEP_LINES: usize = 2000;

/// One line of a console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Input(String),
    Out(String),
    Err(String),
}

/// A four-letter word a console sent with `nc`, whose answer is being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asking {
    pub word: String,
    /// The port it went to (server N listens on 2180 + N).
    pub port: u32,
    pub lines: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ClientView {
    pub name: String,
    pub node: NodeId,
    pub state: ClientState,
    pub server: Option<NodeId>,
    pub session: Option<u64>,
    pub lines: Vec<Line>,
    pub prompt: String,
    /// Lines typed, for history.
    pub typed: Vec<String>,
    pub asking: Option<Asking>,
    pub ops_ok: u64,
    pub ops_failed: u64,
}

/// `$ echo srvr | nc 127.0.0.1 2181` as a console shows it: the word and
/// the port.
fn nc_line(line: &str) -> Option<(String, u32)> {
    let rest = line.strip_prefix("$ ")?;
    let (word, target) = sim::zk::client_node::parse_nc(rest)?;
    let port = target.rsplit(':').next()?.parse().ok()?;
    Some((word, port))
}

impl ClientView {
    pub fn new(name: &str, node: NodeId) -> Self {
        ClientView {
            name: name.to_string(),
            node,
            state: ClientState::NotConnected,
            server: None,
            session: None,
            lines: Vec::new(),
            prompt: String::new(),
            typed: Vec::new(),
            asking: None,
            ops_ok: 0,
            ops_failed: 0,
        }
    }

    fn push(&mut self, l: Line) {
        self.lines.push(l);
        if self.lines.len() > KEEP_LINES {
            let cut = self.lines.len() - KEEP_LINES;
            self.lines.drain(..cut);
        }
    }

    /// A console line; returns the four-letter answer being read, as far
    /// as it got, when this line added to it.
    pub fn console(&mut self, c: &ConsoleOutput) -> Option<Asking> {
        match c {
            ConsoleOutput::Prompt(p) => {
                self.prompt = p.clone();
                None
            }
            ConsoleOutput::Input(s) => {
                self.asking = nc_line(s).map(|(word, port)| Asking { word, port, lines: Vec::new() });
                self.push(Line::Input(s.clone()));
                None
            }
            ConsoleOutput::Out(s) => {
                self.push(Line::Out(s.clone()));
                let a = self.asking.as_mut()?;
                a.lines.push(s.clone());
                Some(a.clone())
            }
            ConsoleOutput::Err(s) => {
                self.push(Line::Err(s.clone()));
                None
            }
        }
    }

    pub fn on_event(&mut self, e: &ClientEvent) {
        match e {
            ClientEvent::State { state, server } => {
                self.state = *state;
                self.server = *server;
            }
            ClientEvent::Session { id, .. } => self.session = Some(*id),
            ClientEvent::Result { result: Ok(_), .. } => self.ops_ok += 1,
            ClientEvent::Result { result: Err(_), .. } => self.ops_failed += 1,
            _ => {}
        }
    }

    /// One line of status: state, session and server.
    pub fn status(&self) -> String {
        let server = self.server.map(|s| format!(" · server {}", s.0)).unwrap_or_default();
        match self.session {
            Some(s) => format!("{} · session 0x{s:x}{server}", self.state.name()),
            None => format!("{}{server}", self.state.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_four_letter_answer_is_collected_until_the_next_command() {
        let mut c = ClientView::new("a", NodeId(101));
        assert!(c.console(&ConsoleOutput::Input("$ echo srvr | nc 127.0.0.1 2182".into())).is_none());
        c.console(&ConsoleOutput::Out("Zookeeper version: 3.8.6".into()));
        let so_far = c.console(&ConsoleOutput::Out("Mode: follower".into())).expect("an answer");
        assert_eq!((so_far.word.as_str(), so_far.port, so_far.lines.len()), ("srvr", 2182, 2));
        c.console(&ConsoleOutput::Input("[zk: x(CONNECTED) 1] ls /".into()));
        assert!(c.console(&ConsoleOutput::Out("[zookeeper]".into())).is_none(), "ls is not a word");
        assert_eq!(c.lines.len(), 5);
    }
}
