//! A scenario's client: a ZooKeeper client with a zkCli console and,
//! optionally, a generated workload, as one node of the world. Console
//! lines arrive as calls; what the console prints is reported as events,
//! so the trace holds it and any view can draw it.

use super::workload::WorkloadGen;
use actor::{Effect, Effects, Input, Instant, Node, NodeId};
use zab::{Client, ClientCall, ClientConfig, ClientEvent, ConsoleOutput, Zk, ZkCall, ZkEvent, ZkTimer};
use zkcli::{connect_string, Console, ConsoleLine};

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
        }
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
        if let (ClientEvent::Result { tag, .. }, Some(w)) = (ev, self.workload.as_mut()) {
            if w.owns(*tag) {
                w.finished(*tag);
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
                self.client_step(now, Input::Boot { disk, life }, out);
            }
            Input::Call(ZkCall::Console(line)) => {
                let calls = self.console.submit(&line, &self.cluster);
                self.report_console(out);
                for c in calls {
                    self.client_step(now, Input::Call(ZkCall::Client(c)), out);
                }
            }
            Input::Timer(ZkTimer::Workload) => self.workload_tick(now, out),
            other => self.client_step(now, other, out),
        }
    }
}
