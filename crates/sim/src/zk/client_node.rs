//! A scenario's client: a ZooKeeper client with a zkCli console and,
//! optionally, a generated workload, as one node of the world. Console
//! lines arrive as calls; what the console prints is reported as events,
//! so the trace holds it and any view can draw it.

use super::workload::WorkloadGen;
use actor::{CloseReason, ConnId, Effect, Effects, Input, Instant, Node, NodeId};
use zab::wire::{ClientMsg, ServerMsg};
use zab::{Client, ClientCall, ClientConfig, ClientEvent, ConsoleOutput, Zk, ZkCall, ZkEvent, ZkMsg, ZkTimer};
use zkcli::{connect_string, resolve, Console, ConsoleLine};

/// Connections `nc` opens are numbered from here, far from the ZooKeeper
/// client's own.
const NC_SEQ_BASE: u32 = 1 << 30;

/// A four-letter word sent the way people send them: `echo srvr | nc
/// 127.0.0.1 2181`. Returns the word and the `host:port` it goes to.
pub fn parse_nc(line: &str) -> Option<(String, String)> {
    let (left, right) = line.split_once('|')?;
    let mut echo = left.split_whitespace();
    if !matches!(echo.next()?, "echo" | "printf") {
        return None;
    }
    let word: String = echo.collect::<Vec<_>>().join(" ").trim_matches(|c| c == '"' || c == '\'').to_string();
    let mut nc = right.split_whitespace();
    if !matches!(nc.next()?, "nc" | "ncat" | "netcat") {
        return None;
    }
    // Options, and the values of those that take one (`-q 1`, `-w 2`).
    let mut args: Vec<&str> = Vec::new();
    while let Some(a) = nc.next() {
        if matches!(a, "-q" | "-w" | "-i" | "-p" | "-s") {
            nc.next();
        } else if !a.starts_with('-') {
            args.push(a);
        }
    }
    match args.as_slice() {
        [host, port] => Some((word, format!("{host}:{port}"))),
        [hostport] if hostport.contains(':') => Some((word, hostport.to_string())),
        _ => None,
    }
}

/// An `nc` run in the console: one connection, one word, print the answer.
#[derive(Clone, Debug)]
struct NcRun {
    conn: ConnId,
    word: String,
    target: String,
}

/// A client node of a scenario.
pub struct ScenarioClient {
    client: Client,
    console: Console,
    workload: Option<WorkloadGen>,
    /// Every server of the cluster (what `connect host:port` may name).
    cluster: Vec<NodeId>,
    /// How to rebuild after a process restart.
    name: String,
    cfg: ClientConfig,
    workload_spec: Option<(super::scenario::Workload, u64)>,
    /// This process's life (see `Input::Boot`) and its `nc` runs.
    life: u32,
    nc_seq: u32,
    nc: Vec<NcRun>,
    /// The prompt last reported.
    prompt: String,
}

impl ScenarioClient {
    pub fn new(
        name: &str,
        cfg: ClientConfig,
        cluster: Vec<NodeId>,
        workload: Option<(super::scenario::Workload, u64)>,
    ) -> Self {
        let first = cfg.servers.first().copied().unwrap_or(NodeId(1));
        ScenarioClient {
            client: Client::new(cfg.clone()),
            console: Console::new(name, cfg.me, &connect_string(first)),
            workload: workload.clone().map(|(spec, seed)| WorkloadGen::new(spec, seed)),
            cluster,
            name: name.to_string(),
            cfg,
            workload_spec: workload,
            life: 0,
            nc_seq: 0,
            nc: Vec::new(),
            prompt: String::new(),
        }
    }

    /// `echo WORD | nc HOST PORT`: open a connection and send the word.
    fn run_nc(&mut self, line: &str, word: String, target: String, out: &mut Effects<Zk>) {
        self.console.print(ConsoleLine::Input(format!("$ {line}")));
        let Some(to) = resolve(&target, &self.cluster).into_iter().next().filter(|n| self.cluster.contains(n)) else {
            let (host, port) = target.rsplit_once(':').unwrap_or((target.as_str(), ""));
            self.console
                .print(ConsoleLine::Err(format!("nc: connect to {host} port {port} (tcp) failed: Connection refused")));
            self.report_console(out);
            return;
        };
        self.nc_seq += 1;
        let conn = ConnId { opener: self.cfg.me, life: self.life, seq: NC_SEQ_BASE + self.nc_seq };
        self.nc.push(NcRun { conn, word, target });
        out.push(Effect::Connect { conn, to });
        self.report_console(out);
    }

    /// An input on one of `nc`'s connections (`false`: not one of them).
    fn nc_input(&mut self, input: &Input<Zk>, out: &mut Effects<Zk>) -> bool {
        let conn = match input {
            Input::Connected { conn } | Input::Closed { conn, .. } | Input::Received { conn, .. } => *conn,
            _ => return false,
        };
        let Some(i) = self.nc.iter().position(|r| r.conn == conn) else { return false };
        match input {
            Input::Connected { .. } => {
                let word = self.nc[i].word.clone();
                out.push(Effect::Send { conn, msg: ZkMsg::Client(ClientMsg::FourLetter(word)) });
            }
            Input::Received { msg: ZkMsg::Server(ServerMsg::FourLetterReply(text)), .. } => {
                for l in text.lines() {
                    self.console.print(ConsoleLine::Out(l.to_string()));
                }
            }
            Input::Received { .. } => {}
            Input::Closed { reason, .. } => {
                let run = self.nc.remove(i);
                if *reason == CloseReason::Refused {
                    let (host, port) = run.target.rsplit_once(':').unwrap_or((run.target.as_str(), ""));
                    self.console.print(ConsoleLine::Err(format!(
                        "nc: connect to {host} port {port} (tcp) failed: Connection refused"
                    )));
                }
            }
            _ => {}
        }
        self.report_console(out);
        true
    }

    pub fn console(&self) -> &Console {
        &self.console
    }

    /// Step the client, then let the console and the workload react to
    /// what it reported, feeding their calls back in until all is quiet.
    fn client_step(&mut self, now: Instant, input: Input<Zk>, out: &mut Effects<Zk>) {
        let mut pending = vec![input];
        while !pending.is_empty() {
            let mut next = Vec::new();
            for input in pending {
                let mut effects = Vec::new();
                self.client.step(now, input, &mut effects);
                for e in effects {
                    if let Effect::Emit { event: ZkEvent::Client(ev) } = &e {
                        next.extend(self.react(now, ev).into_iter().map(|c| Input::Call(ZkCall::Client(c))));
                    }
                    out.push(e);
                }
            }
            pending = next;
        }
        self.report_console(out);
    }

    fn react(&mut self, now: Instant, ev: &ClientEvent) -> Vec<ClientCall> {
        let mut calls = Vec::new();
        if let (ClientEvent::Result { tag, result, .. }, Some(w)) = (ev, self.workload.as_mut()) {
            if w.owns(*tag) {
                w.finished(*tag, result.as_ref().map(|_| ()).map_err(|c| *c));
                // A dead handle (expired, auth failed) fails every request
                // at once: refilling would never end.
                if w.interval().is_none() && self.client.state().is_alive() {
                    calls.extend(w.due(now, false).into_iter().map(|(tag, req)| ClientCall::Request { tag, req }));
                }
                return calls;
            }
        }
        calls.extend(self.console.on_event(ev, &self.cluster));
        calls
    }

    fn report_console(&mut self, out: &mut Effects<Zk>) {
        for l in self.console.take_new_lines() {
            let line = match l {
                ConsoleLine::Input(s) => ConsoleOutput::Input(s),
                ConsoleLine::Out(s) => ConsoleOutput::Out(s),
                ConsoleLine::Err(s) => ConsoleOutput::Err(s),
            };
            out.push(Effect::Emit { event: ZkEvent::Console(line) });
        }
        let prompt = self.console.prompt();
        if prompt != self.prompt {
            self.prompt = prompt.clone();
            out.push(Effect::Emit { event: ZkEvent::Console(ConsoleOutput::Prompt(prompt)) });
        }
    }

    fn workload_tick(&mut self, now: Instant, out: &mut Effects<Zk>) {
        let Some(w) = self.workload.as_mut() else { return };
        let due = w.due(now, true);
        if let Some(gap) = w.interval() {
            out.push(Effect::SetTimer { timer: ZkTimer::Workload, at: now + gap });
        }
        for (tag, req) in due {
            self.client_step(now, Input::Call(ZkCall::Client(ClientCall::Request { tag, req })), out);
        }
    }
}

impl Node for ScenarioClient {
    type P = Zk;

    fn step(&mut self, now: Instant, input: Input<Zk>, out: &mut Effects<Zk>) {
        match input {
            Input::Boot { disk, life } => {
                // A new process: a fresh console and workload, too.
                *self =
                    ScenarioClient::new(&self.name, self.cfg.clone(), self.cluster.clone(), self.workload_spec.clone());
                if let Some(w) = &self.workload {
                    out.push(Effect::SetTimer { timer: ZkTimer::Workload, at: w.start().max(now) });
                }
                self.life = life;
                self.client_step(now, Input::Boot { disk, life }, out);
            }
            Input::Call(ZkCall::Console(line)) if parse_nc(&line).is_some() => {
                if let Some((word, target)) = parse_nc(&line) {
                    self.run_nc(&line, word, target, out);
                }
            }
            Input::Call(ZkCall::Console(line)) => {
                let calls = self.console.submit(&line, &self.cluster);
                self.report_console(out);
                for c in calls {
                    self.client_step(now, Input::Call(ZkCall::Client(c)), out);
                }
            }
            Input::Timer(ZkTimer::Workload) => self.workload_tick(now, out),
            other => {
                if !self.nc_input(&other, out) {
                    self.client_step(now, other, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_nc;

    #[test]
    fn four_letter_words_are_sent_the_usual_ways() {
        assert_eq!(parse_nc("echo srvr | nc 127.0.0.1 2182"), Some(("srvr".into(), "127.0.0.1:2182".into())));
        assert_eq!(parse_nc("echo 'mntr' | nc -q 1 localhost 2181"), Some(("mntr".into(), "localhost:2181".into())));
        assert_eq!(parse_nc("printf ruok|nc localhost:2183"), Some(("ruok".into(), "localhost:2183".into())));
        assert_eq!(parse_nc("get /a|b"), None);
        assert_eq!(parse_nc("echo x | grep y"), None);
    }
}
