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
//! 3. feed every [`ClientEvent`](zab::ClientEvent) of that client to [`Shell::on_event`] and
//!    act on its reactions the same way, until [`Shell::busy`] is false.
//!
//! Where zkCli 3.8.6 would die on an uncaught exception (a non-numeric
//! `-v`, bad base64 for `set -b`, an invalid `addWatch` path, a bad `redo`
//! number), the shell prints the exception's text and carries on.

mod acl_text;
mod cli_options;
mod commands;
mod complete;
pub mod console;
mod date;
mod errors;
mod format;
mod java;
mod shell;
mod stat_printer;
mod task;
mod tokenize;
mod usage;

pub use acl_text::acl_entry_lines;
pub use commands::VERSION;
pub use console::{connect_string, resolve, Console, ConsoleLine};
pub use date::java_date;
pub use shell::{Shell, FIRST_TAG};
pub use stat_printer::stat_lines;

use zab::ClientCall;

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
