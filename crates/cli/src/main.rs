//! `zooscope`: ZooScope from the command line.

mod conformance;
mod zkcli;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "zooscope", version, about = "A ZooKeeper ensemble in a deterministic world")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay every zk-trace/1 file in DIR against our own servers and
    /// compare results and watch events with the recording.
    Conformance {
        /// Directory of *.json traces (e.g. ../shared/conformance/traces).
        dir: PathBuf,
        /// Servers to replay on; 1 is a standalone server.
        #[arg(long, default_value_t = 1)]
        servers: usize,
    },
    /// zkCli against a standalone server in the world, in virtual time.
    /// Reads commands from --script or standard input; a line `b> cmd`
    /// goes to client b.
    Zkcli {
        /// A file of commands, one per line.
        #[arg(long)]
        script: Option<PathBuf>,
        /// Names of the clients (each its own session).
        #[arg(long, value_delimiter = ',', default_value = "a")]
        clients: Vec<String>,
        /// Print one transcript on stdout: prompts with the commands, and
        /// both output streams in order.
        #[arg(long)]
        transcript: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Conformance { dir, servers } => conformance::run(&dir, servers),
        Command::Zkcli { script, clients, transcript } => {
            let opts = zkcli::Options { clients, transcript };
            match script {
                Some(path) => std::fs::File::open(&path)
                    .map_err(|e| format!("cannot open {}: {e}", path.display()))
                    .and_then(|f| zkcli::run(&opts, std::io::BufReader::new(f))),
                None => zkcli::run(&opts, std::io::stdin().lock()),
            }
            .map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zooscope: {e}");
            ExitCode::from(2)
        }
    }
}
