//! zkCli 3.8 (`ZooKeeperMain` and `org.apache.zookeeper.cli.*`) as a
//! sans-IO shell: it parses a command line, asks its host to make client
//! calls, and turns the client's answers and watch events into zkCli's own
//! output text. It never touches a clock, the DOM or a socket; the page's
//! consoles and `zooscope zkcli` both drive it.
//!
//! The host's loop:
//! 1. show [`Shell::prompt`], read a line, call [`Shell::submit`];
//! 2. print the reaction's lines, send its calls to the client node, and if
//!    it asks for a new session, start one;
//! 3. feed every [`ClientEvent`] of that client to [`Shell::on_event`] and
//!    act on its reactions the same way, until [`Shell::busy`] is false.

use zab::{ClientCall, ClientEvent, ClientState};

/// One line of console output, on the stream zkCli writes it to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Out(String),
    Err(String),
}

/// What the host must do after a line or an event.
#[derive(Clone, Debug, Default)]
pub struct Reaction {
    /// Output, in order.
    pub lines: Vec<Line>,
    /// Calls to make on the client node, in order.
    pub calls: Vec<ClientCall>,
    /// Start a new session (`connect [host:port,...]`): `Some(None)` reuses
    /// the current connect string, `Some(Some(s))` switches to `s`. The host
    /// resolves the string to servers and sends `ClientCall::Connect`.
    pub connect: Option<Option<String>>,
    /// The user asked to leave (`quit`).
    pub quit: bool,
}
