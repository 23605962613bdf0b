//! `zooscope zkcli`: zkCli against a standalone server in the world, in
//! virtual time. Each line runs to completion before the next is read, so a
//! script gives the same transcript every time.

use actor::{Duration, NodeId};
use sim::{Record, World};
use std::io::{BufRead, Write};
use zab::{Client, ClientConfig, ServerConfig, StandaloneServer, Zk, ZkCall, ZkEvent};
use zkcli::{connect_string, Console, ConsoleLine};

const SERVER: NodeId = NodeId(1);
/// The longest a line may run, in virtual time.
const LINE_BUDGET: Duration = Duration::from_secs(120);

/// Options of `zooscope zkcli`.
pub struct Options {
    pub clients: Vec<String>,
    pub transcript: bool,
}

struct Session {
    world: World<Zk>,
    consoles: Vec<Console>,
    /// How many of each console's lines have been printed.
    printed: Vec<usize>,
}

impl Session {
    fn new(names: &[String]) -> Self {
        let mut world = World::with_latency(Duration::from_micros(200));
        world.add_node(
            SERVER,
            Box::new(StandaloneServer::new(SERVER, ServerConfig::sample())),
            Duration::from_millis(1),
        );
        world.boot(SERVER);
        let mut consoles = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let me = NodeId(101 + i as u32);
            let cfg = ClientConfig {
                me,
                servers: vec![SERVER],
                session_timeout_ms: 30_000,
                can_be_read_only: false,
                addr: "127.0.0.1".into(),
                seed: 0x5eed + i as u64,
            };
            world.add_node(me, Box::new(Client::new(cfg)), Duration::ZERO);
            world.boot(me);
            consoles.push(Console::new(name, me, &connect_string(SERVER)));
        }
        let printed = vec![0; consoles.len()];
        Session { world, consoles, printed }
    }

    /// Run until every console is idle and nothing is in flight.
    fn settle(&mut self) {
        let deadline = self.world.now() + LINE_BUDGET;
        loop {
            let entries = self.world.take_log();
            let mut progressed = !entries.is_empty();
            for e in &entries {
                if let Record::Emit { node, event: ZkEvent::Client(ev) } = &e.what {
                    if let Some(c) = self.consoles.iter_mut().find(|c| c.client == *node) {
                        for call in c.on_event(ev, &[SERVER]) {
                            self.world.call(c.client, ZkCall::Client(call));
                        }
                    }
                }
            }
            let busy = self.consoles.iter().any(|c| c.shell.busy());
            if !busy && !self.world.in_flight() {
                return;
            }
            match self.world.next_time() {
                Some(t) if t <= deadline => {
                    self.world.step();
                    progressed = true;
                }
                _ => {}
            }
            if !progressed {
                return;
            }
        }
    }

    fn run_line(&mut self, console: usize, line: &str) {
        let calls = self.consoles[console].submit(line, &[SERVER]);
        let client = self.consoles[console].client;
        for call in calls {
            self.world.call(client, ZkCall::Client(call));
        }
        self.settle();
    }

    fn print_new(&mut self, transcript: bool, out: &mut impl Write, err: &mut impl Write) -> std::io::Result<()> {
        let multi = self.consoles.len() > 1;
        for (i, c) in self.consoles.iter().enumerate() {
            for line in &c.lines[self.printed[i]..] {
                let tag = if multi { format!("[{}] ", c.name) } else { String::new() };
                match line {
                    ConsoleLine::Input(s) if transcript => writeln!(out, "{tag}{s}")?,
                    ConsoleLine::Input(_) => {}
                    ConsoleLine::Out(s) => writeln!(out, "{tag}{s}")?,
                    ConsoleLine::Err(s) if transcript => writeln!(out, "{tag}{s}")?,
                    ConsoleLine::Err(s) => writeln!(err, "{tag}{s}")?,
                }
            }
            self.printed[i] = c.lines.len();
        }
        Ok(())
    }
}

/// Which console a line is for: `b> ls /` goes to console `b`.
fn route<'l>(line: &'l str, consoles: &[Console]) -> (usize, &'l str) {
    if let Some((name, rest)) = line.split_once("> ") {
        if let Some(i) = consoles.iter().position(|c| c.name == name.trim()) {
            return (i, rest);
        }
    }
    (0, line)
}

/// Read lines from `input` and run them.
pub fn run(opts: &Options, input: impl BufRead) -> Result<(), String> {
    if opts.clients.is_empty() {
        return Err("at least one client name is needed".into());
    }
    let mut s = Session::new(&opts.clients);
    s.settle();
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let io = |e: std::io::Error| format!("cannot write output: {e}");
    s.print_new(opts.transcript, &mut out, &mut err).map_err(io)?;
    for line in input.lines() {
        let line = line.map_err(|e| format!("cannot read input: {e}"))?;
        let (console, command) = route(&line, &s.consoles);
        s.run_line(console, command);
        s.print_new(opts.transcript, &mut out, &mut err).map_err(io)?;
        if s.consoles[console].quit {
            break;
        }
    }
    Ok(())
}
