//! Runs a scenario in the browser: the world on the main thread, every
//! server in its own Web Worker reached only by postMessage (or, switched,
//! every node in this page). The world never blocks: when it hands workers
//! their inputs it stops, and it goes on when all their answers are in.
//! Playback maps wall time to virtual time at the chosen speed; jumps run
//! ahead (or replay from the start) in chunks, showing progress.

use crate::bench::{self, BenchState, Phase};
use crate::player::Player;
use actor::{Instant, NodeId};
use sim::zk::{Hosting, Progress, Scenario};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use web_sys::Worker;
use worker::{decode, encode, FromWorker, NodeSpec, ToWorker};
use zab::Zk;

/// The script Trunk generates for the worker binary.
const WORKER_SCRIPT: &str = "./server_worker_loader.js";

/// The scenario the page opens with.
const WELCOME: &str = include_str!("../../scenarios/welcome.json");

/// How long one pump may keep the main thread, ms.
const BUDGET_MS: f64 = 12.0;

/// Where the page is.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Starting,
    Running,
    Failed(String),
}

/// Messages from the workers, by sender, not yet handled. Kept apart from
/// the rest so a worker's callback never needs the runtime itself.
type Inbox = Rc<RefCell<Vec<(NodeId, Vec<u8>)>>>;

/// What the user has selected.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ui {
    /// The link the network editor edits.
    pub link: Option<(NodeId, NodeId)>,
    /// The space-time diagram's window: how many µs it spans, and its
    /// right edge (`None`: follows playback).
    pub span_us: u64,
    pub pinned_end: Option<Instant>,
    /// The message selected in the space-time diagram (its number).
    pub arrow: Option<u64>,
    pub hide_pings: bool,
    pub server: Option<NodeId>,
    pub replica: Option<NodeId>,
    pub compare: Option<NodeId>,
    pub path: Option<String>,
}

/// A link the user shared: the whole URL, and whether the clipboard
/// took it (filled in when the browser answers).
#[derive(Clone, Debug)]
pub struct Shared {
    pub url: String,
    /// Bytes of the fragment (`#v1.…`).
    pub bytes: usize,
    pub at: Instant,
    pub copied: Rc<RefCell<Option<Result<(), String>>>>,
}

/// A trace being written for export: the recorded scenario run again
/// in-page, in slices, up to where the user is.
pub struct Export {
    run: sim::zk::ScenarioRun,
    to: Instant,
    lines: String,
}

/// Counters for the header and the benchmark.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// postMessage round trips that carried inputs.
    pub round_trips: u64,
    /// Inputs handled by workers.
    pub inputs: u64,
}

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// The node a worker hosts for a scenario's server.
pub fn spec_for(s: &Scenario) -> NodeSpec {
    if s.servers.len() == 1 {
        NodeSpec::Standalone { config: s.config.clone() }
    } else {
        NodeSpec::Quorum { config: s.config.clone(), members: s.members() }
    }
}

/// Whether the URL asks for the benchmark (`?bench`).
fn bench_from_url() -> bool {
    crate::browser::query_param("bench").is_some()
}

/// The playback speed the URL asks for (`?speed=1`, `?speed=max`).
fn speed_from_url() -> Option<f64> {
    match crate::browser::query_param("speed")?.as_str() {
        "max" => Some(0.0),
        s => s.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0 && *v <= 1000.0),
    }
}

/// The scenario a URL fragment holds, or the welcome scenario and why.
pub fn initial_scenario() -> (Scenario, Option<String>) {
    let welcome = sim::link::scenario_from_json(WELCOME);
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let fallback = |why: Option<String>| match &welcome {
        Ok(s) => (s.clone(), why),
        Err(e) => {
            (Scenario::ensemble(1, 5, &["a", "b"], 3_600_000), Some(format!("the welcome scenario is broken: {e}")))
        }
    };
    if hash.len() <= 1 {
        return fallback(None);
    }
    match sim::link::decode(&hash) {
        Ok(s) => (s, None),
        Err(e) => fallback(Some(format!("This link cannot be opened ({e}); showing the welcome scenario instead."))),
    }
}

pub struct Runtime {
    pub player: Option<Player>,
    pub status: Status,
    /// A message for the user (a bad link, say).
    pub notice: Option<String>,
    pub hosting: Hosting,
    pub playing: bool,
    /// Virtual seconds per wall second; 0 runs as fast as it can.
    pub speed: f64,
    anchor: (f64, Instant),
    /// A jump in progress: where to, and where from (for progress).
    pub jump: Option<(Instant, Instant)>,
    step_once: bool,
    /// Rebuild from the recorded scenario, then run to this time.
    rebuild: Option<(Hosting, Instant)>,
    pub ui: Ui,
    workers: BTreeMap<NodeId, Worker>,
    created: BTreeSet<NodeId>,
    /// Step messages posted and not yet answered.
    posted: usize,
    inbox: Inbox,
    pub stats: Stats,
    /// Bumped when something the views show changed.
    pub version: u64,
    /// The benchmark, when the page runs it instead of a scenario.
    pub bench: Option<BenchState>,
    pub shared: Option<Shared>,
    pub export: Option<Export>,
    /// A scenario file read by the browser, waiting to be loaded.
    pub imported: Rc<RefCell<Option<Result<(String, String), String>>>>,
    /// How long one pump may keep the main thread, ms.
    budget_ms: f64,
}

impl Runtime {
    pub fn new() -> Self {
        let bench = bench_from_url().then(BenchState::new);
        let (scenario, notice) = match &bench {
            Some(_) => (bench::flat_out(), None),
            None => initial_scenario(),
        };
        let hosting = Hosting::RemoteServers;
        let (player, status) = match Player::new(scenario, hosting) {
            Ok(p) => (Some(p), Status::Starting),
            Err(e) => (None, Status::Failed(format!("the scenario does not run: {e}"))),
        };
        let mut rt = Runtime {
            player,
            status,
            notice,
            hosting,
            playing: bench.is_none(),
            speed: if bench.is_some() { 0.0 } else { speed_from_url().unwrap_or(0.25) },
            anchor: (now_ms(), Instant::ZERO),
            jump: None,
            step_once: false,
            rebuild: None,
            ui: Ui::default(),
            workers: BTreeMap::new(),
            created: BTreeSet::new(),
            posted: 0,
            inbox: Rc::new(RefCell::new(Vec::new())),
            stats: Stats::default(),
            version: 0,
            budget_ms: if bench.is_some() { 1000.0 } else { BUDGET_MS },
            bench,
            shared: None,
            export: None,
            imported: Rc::new(RefCell::new(None)),
        };
        rt.ui.span_us = 2_000_000;
        rt.ui.hide_pings = true;
        rt.open_at_jump();
        rt
    }

    /// A scenario that says where to watch from opens there, paused (a
    /// shared link shows the state it was shared in).
    fn open_at_jump(&mut self) {
        if let Some(p) = &self.player {
            if let Some(jump) = p.scenario.jump_to_ms {
                self.jump = Some((Instant(jump.saturating_mul(1000)), Instant::ZERO));
                self.playing = false;
            }
        }
    }

    fn servers(&self) -> Vec<NodeId> {
        self.player.as_ref().map(|p| p.scenario.server_ids()).unwrap_or_default()
    }

    /// Start one worker per server (worker mode); `wake` is called when a
    /// worker answers.
    pub fn start(rt: &Rc<RefCell<Runtime>>, wake: Rc<dyn Fn()>) {
        let servers = rt.borrow().servers();
        if rt.borrow().hosting == Hosting::InProcess {
            rt.borrow_mut().status = Status::Running;
            return;
        }
        for id in servers {
            if let Err(e) = Runtime::spawn(rt, id, Rc::clone(&wake)) {
                rt.borrow_mut().status = Status::Failed(e);
                return;
            }
        }
    }

    fn spawn(rt: &Rc<RefCell<Runtime>>, id: NodeId, wake: Rc<dyn Fn()>) -> Result<(), String> {
        let inbox = Rc::clone(&rt.borrow().inbox);
        let wake2 = Rc::clone(&wake);
        let rt2 = Rc::clone(rt);
        let worker = crate::browser::spawn_worker(
            WORKER_SCRIPT,
            move |bytes| {
                inbox.borrow_mut().push((id, bytes));
                wake2();
            },
            move || {
                if let Ok(mut r) = rt2.try_borrow_mut() {
                    r.status = Status::Failed(format!("the worker of server {id} failed to load or crashed"));
                }
                wake();
            },
        )
        .map_err(|e| format!("cannot start the worker of server {id}: {e}"))?;
        rt.borrow_mut().workers.insert(id, worker);
        Ok(())
    }

    fn post(&mut self, id: NodeId, msg: &ToWorker) {
        let Some(w) = self.workers.get(&id) else { return };
        let array = js_sys::Uint8Array::from(encode(msg).as_slice());
        if w.post_message(&array).is_err() {
            self.status = Status::Failed(format!("postMessage to the worker of server {id} failed"));
        }
    }

    /// The benchmark moves on when a phase is over.
    fn bench_step(&mut self, pong: bool) {
        let Some(b) = self.bench.as_mut() else { return };
        let now = now_ms();
        match b.phase.clone() {
            Phase::Starting if self.created.len() == self.workers.len() && !self.workers.is_empty() => {
                b.phase = Phase::Pinging { answered: 0, since: now };
                self.post(bench::PING_NODE, &ToWorker::Ping { n: 0 });
            }
            Phase::Pinging { answered, since } if pong => {
                let answered = answered + 1;
                if answered < bench::PINGS {
                    b.phase = Phase::Pinging { answered, since };
                    self.post(bench::PING_NODE, &ToWorker::Ping { n: answered });
                } else {
                    b.figures.round_trips_per_s = answered as f64 / ((now - since) / 1000.0).max(1e-9);
                    b.phase = Phase::Workers { since: now };
                    self.playing = true;
                }
            }
            // The in-page run starts once the rebuild is done.
            Phase::InPage { since: None } if self.rebuild.is_none() && self.hosting == Hosting::InProcess => {
                b.phase = Phase::InPage { since: Some(now) };
            }
            Phase::Workers { since } | Phase::InPage { since: Some(since) } => {
                let Some(p) = self.player.as_mut() else { return };
                if !p.finished() {
                    return;
                }
                // Fold in what the last answers produced.
                let end = p.end();
                let _ = p.advance(end);
                let f = bench::figures(now - since, &p.run.world, p.run.checker.counts.commits, p.end());
                if matches!(b.phase, Phase::Workers { .. }) {
                    b.figures.workers = Some(f);
                    b.phase = Phase::InPage { since: None };
                    self.rebuild = Some((Hosting::InProcess, Instant::ZERO));
                } else {
                    b.figures.in_page = Some(f);
                    if let Some(w) = &b.figures.workers {
                        b.figures.workers_at_least_half_raw = Some(w.inputs_per_s >= b.figures.round_trips_per_s / 2.0);
                        b.figures.workers_commit_like_zookeeper = Some(w.commits_per_s >= 1800.0);
                    }
                    b.figures.user_agent =
                        web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
                    b.phase = Phase::Done;
                    self.playing = false;
                }
                self.version += 1;
            }
            _ => {}
        }
    }

    fn create_nodes(&mut self) {
        self.created.clear();
        let Some(p) = &self.player else { return };
        let specs: Vec<(NodeId, NodeSpec)> =
            p.scenario.server_ids().into_iter().map(|id| (id, spec_for(&p.scenario))).collect();
        for (id, spec) in specs {
            self.post(id, &ToWorker::Create { node: id, spec });
        }
    }

    fn on_message(&mut self, id: NodeId, bytes: &[u8]) {
        match decode::<FromWorker>(bytes) {
            Ok(FromWorker::Ready) => {
                if let Some(p) = &self.player {
                    let spec = spec_for(&p.scenario);
                    self.post(id, &ToWorker::Create { node: id, spec });
                }
            }
            Ok(FromWorker::Created { node }) => {
                self.created.insert(node);
            }
            Ok(FromWorker::Effects { node, items }) => {
                self.posted = self.posted.saturating_sub(1);
                self.stats.round_trips += 1;
                let Some(p) = self.player.as_mut() else { return };
                for effects in items {
                    self.stats.inputs += 1;
                    if let Err(e) = p.run.world.complete(node, effects) {
                        self.status = Status::Failed(e);
                    }
                }
            }
            Ok(FromWorker::Pong { .. }) => self.bench_step(true),
            Ok(FromWorker::Failed { error }) => self.status = Status::Failed(error),
            Err(e) => self.status = Status::Failed(e),
        }
    }

    /// Where virtual time should be now.
    fn target(&self) -> Instant {
        let Some(p) = &self.player else { return Instant::ZERO };
        let end = p.end();
        let t = if let Some((to, _)) = self.jump {
            to
        } else if self.step_once {
            p.run.world.next_time().unwrap_or(p.now())
        } else if self.playing && self.speed == 0.0 {
            end
        } else if self.playing {
            let elapsed_ms = (now_ms() - self.anchor.0).max(0.0);
            self.anchor.1 + actor::Duration::from_micros((elapsed_ms * 1000.0 * self.speed) as u64)
        } else {
            p.now()
        };
        t.min(end)
    }

    fn reanchor(&mut self) {
        let now = self.player.as_ref().map_or(Instant::ZERO, Player::now);
        self.anchor = (now_ms(), now);
    }

    /// Handle workers' answers and run what is due, for at most a frame's
    /// worth of main-thread time.
    pub fn pump(&mut self) {
        self.take_import();
        self.pump_export();
        let messages = std::mem::take(&mut *self.inbox.borrow_mut());
        for (id, m) in messages {
            self.on_message(id, &m);
        }
        if matches!(self.status, Status::Failed(_)) {
            return;
        }
        if self.posted == 0 {
            if let Some((hosting, to)) = self.rebuild.take() {
                self.do_rebuild(hosting, to);
            }
        }
        self.bench_step(false);
        let Some(p) = &self.player else { return };
        if self.hosting == Hosting::RemoteServers && self.created.len() < p.scenario.servers.len() {
            return;
        }
        self.status = Status::Running;
        if self.posted > 0
            || self.bench.as_ref().is_some_and(|b| matches!(b.phase, Phase::Starting | Phase::Pinging { .. }))
        {
            return;
        }
        let started = now_ms();
        let before = p.run.world.trace_len();
        loop {
            let target = self.target();
            let Some(p) = self.player.as_mut() else { return };
            // In-page, a far target is run in slices so the tab stays alive.
            let slice = match self.hosting {
                Hosting::InProcess => target.min(p.now() + actor::Duration::from_millis(100)),
                Hosting::RemoteServers => target,
            };
            match p.advance(slice) {
                Ok(Progress::Reached) => {}
                Ok(Progress::Waiting) => {
                    self.post_outbox();
                    break;
                }
                Err(e) => {
                    self.status = Status::Failed(e.to_string());
                    break;
                }
            }
            let now = p.now();
            if now >= target {
                self.arrived(target);
                break;
            }
            if now_ms() - started > self.budget_ms {
                break;
            }
        }
        if self.player.as_ref().is_some_and(|p| p.run.world.trace_len() != before) {
            self.version += 1;
        }
    }

    /// The world reached a target: a jump or a step is over.
    fn arrived(&mut self, target: Instant) {
        if self.jump.is_some_and(|(to, _)| to <= target) {
            self.jump = None;
            self.reanchor();
            self.version += 1;
        }
        if self.step_once {
            self.step_once = false;
            self.version += 1;
        }
    }

    /// Post every input the world handed out, one message per worker.
    fn post_outbox(&mut self) {
        let Some(p) = self.player.as_mut() else { return };
        let mut by_node: BTreeMap<NodeId, Vec<(Instant, actor::Input<Zk>)>> = BTreeMap::new();
        for o in p.run.world.take_outbox() {
            by_node.entry(o.node).or_default().push((o.now, o.input));
        }
        for (id, items) in by_node {
            self.posted += 1;
            self.post(id, &ToWorker::Step { items });
        }
    }

    fn do_rebuild(&mut self, hosting: Hosting, to: Instant) {
        let Some(old) = &self.player else { return };
        let scenario = old.scenario.clone();
        let ui = self.ui.clone();
        match Player::new(scenario, hosting) {
            Ok(p) => {
                self.player = Some(p);
                self.hosting = hosting;
                self.ui = ui;
                self.jump = Some((to, Instant::ZERO));
                if hosting == Hosting::RemoteServers {
                    self.create_nodes();
                }
            }
            Err(e) => self.status = Status::Failed(e),
        }
    }

    /// How far a jump has come (0..=1).
    pub fn progress(&self) -> Option<f64> {
        let (to, from) = self.jump?;
        let now = self.player.as_ref()?.now();
        let span = to.0.saturating_sub(from.0).max(1) as f64;
        Some((now.0.saturating_sub(from.0) as f64 / span).clamp(0.0, 1.0))
    }

    // ---------------------------------------------------------- controls

    pub fn play(&mut self) {
        self.playing = true;
        self.reanchor();
    }

    pub fn pause(&mut self) {
        self.playing = false;
        self.jump = None;
    }

    pub fn step(&mut self) {
        self.playing = false;
        self.step_once = true;
    }

    pub fn set_speed(&mut self, s: f64) {
        self.speed = s.max(0.0);
        self.reanchor();
    }

    /// Jump to `t`: ahead by running, back by replaying from the start.
    pub fn jump_to(&mut self, t: Instant) {
        let Some(p) = &self.player else { return };
        let t = t.min(p.end());
        if t >= p.now() {
            self.jump = Some((t, p.now()));
        } else {
            self.rebuild = Some((self.hosting, t));
        }
    }

    /// Move the servers into workers or into this page (the run replays
    /// to where it was).
    pub fn toggle_hosting(&mut self) {
        let now = self.player.as_ref().map_or(Instant::ZERO, Player::now);
        let next = match self.hosting {
            Hosting::RemoteServers => Hosting::InProcess,
            Hosting::InProcess => Hosting::RemoteServers,
        };
        self.rebuild = Some((next, now));
    }

    pub fn has_workers(&self) -> bool {
        !self.workers.is_empty()
    }

    /// After a user's action while paused, run just past it so it shows.
    fn settle(&mut self, at_ms: u64, extra_ms: u64) {
        if !self.playing && self.jump.is_none() {
            let now = self.player.as_ref().map_or(Instant::ZERO, Player::now);
            self.jump = Some((Instant((at_ms + extra_ms) * 1000), now));
        }
    }

    pub fn console(&mut self, i: usize, line: &str) {
        let Some(p) = self.player.as_mut() else { return };
        match p.console(i, line) {
            Ok(at) => {
                if let Some(c) = p.model.clients.get_mut(i) {
                    c.typed.push(line.to_string());
                }
                self.settle(at, 400);
            }
            Err(e) => self.notice = Some(e),
        }
        self.version += 1;
    }

    pub fn fault(&mut self, f: sim::Fault) {
        let Some(p) = self.player.as_mut() else { return };
        match p.fault(f) {
            Ok(at) => self.settle(at, 1),
            Err(e) => self.notice = Some(e),
        }
        self.version += 1;
    }
}

impl Runtime {
    /// Record several faults, one whole millisecond apart, in order.
    pub fn faults(&mut self, faults: Vec<sim::Fault>) {
        let Some(p) = self.player.as_mut() else { return };
        let mut last = None;
        for f in faults {
            match p.fault(f) {
                Ok(at) => last = Some(at),
                Err(e) => {
                    self.notice = Some(e);
                    break;
                }
            }
        }
        if let Some(at) = last {
            self.settle(at, 1);
        }
        self.version += 1;
    }

    /// Change the scenario's settings and replay it to where it was (a
    /// setting takes effect from the start, as in a zoo.cfg).
    pub fn reconfigure(&mut self, change: impl FnOnce(&mut Scenario)) {
        let Some(p) = self.player.as_mut() else { return };
        let now = p.now();
        change(&mut p.scenario);
        if let Err(e) = p.scenario.validate() {
            self.notice = Some(format!("that setting cannot run: {e}"));
            return;
        }
        self.rebuild = Some((self.hosting, now));
        // A link shown before describes the old settings.
        self.shared = None;
        self.version += 1;
    }

    /// Share the situation: the recorded scenario, paused at the next whole
    /// millisecond, as a link in the address bar and, if the browser lets
    /// it, on the clipboard.
    pub fn share(&mut self) {
        let Some(p) = self.player.as_ref() else { return };
        let at = Instant(p.now().0.div_ceil(1000) * 1000);
        let mut s = p.scenario.clone();
        s.jump_to_ms = Some(at.0 / 1000);
        let fragment = sim::link::encode(&s);
        self.playing = false;
        if at > p.now() {
            self.jump = Some((at, p.now()));
        }
        if let Err(e) = crate::browser::set_fragment(&fragment) {
            self.notice = Some(e);
        }
        let url = format!("{}{}", crate::browser::page_url(), fragment);
        let copied = Rc::new(RefCell::new(None));
        let answer = Rc::clone(&copied);
        crate::browser::copy(&url, move |r| *answer.borrow_mut() = Some(r));
        self.shared = Some(Shared { url, bytes: fragment.len(), at, copied });
        self.version += 1;
    }

    /// Offer the recorded scenario as a JSON file.
    pub fn export_scenario(&mut self) {
        let Some(p) = self.player.as_ref() else { return };
        let mut s = p.scenario.clone();
        s.jump_to_ms = Some(p.now().0 / 1000);
        let r = serde_json::to_string_pretty(&s)
            .map_err(|e| e.to_string())
            .and_then(|json| crate::browser::download("zooscope-scenario.json", "application/json", &json));
        if let Err(e) = r {
            self.notice = Some(format!("the scenario could not be exported: {e}"));
        }
    }

    /// Start writing the trace up to now as JSON lines (the scenario runs
    /// again in this page, in slices; the header shows progress).
    pub fn export_trace(&mut self) {
        let Some(p) = self.player.as_ref() else { return };
        match sim::zk::ScenarioRun::with_hosting(&p.scenario, Hosting::InProcess) {
            Ok(run) => self.export = Some(Export { run, to: p.now(), lines: String::new() }),
            Err(e) => self.notice = Some(format!("the trace could not be exported: {e}")),
        }
    }

    /// How far the trace export has come (0..=1).
    pub fn export_progress(&self) -> Option<f64> {
        let e = self.export.as_ref()?;
        Some((e.run.world.now().0 as f64 / e.to.0.max(1) as f64).clamp(0.0, 1.0))
    }

    fn pump_export(&mut self) {
        let Some(e) = self.export.as_mut() else { return };
        let started = now_ms();
        while now_ms() - started < BUDGET_MS {
            let slice = e.to.min(e.run.world.now() + actor::Duration::from_millis(50));
            let lines = &mut e.lines;
            let r = e.run.advance(slice, &mut |entry| {
                lines.push_str(&entry.json_line());
                lines.push('\n');
            });
            match r {
                Ok(Progress::Reached) if e.run.world.now() >= e.to => {
                    let text = std::mem::take(&mut e.lines);
                    self.export = None;
                    if let Err(err) = crate::browser::download("zooscope-trace.jsonl", "application/x-ndjson", &text) {
                        self.notice = Some(format!("the trace could not be exported: {err}"));
                    }
                    return;
                }
                Ok(Progress::Reached) => {}
                Ok(Progress::Waiting) | Err(_) => {
                    self.export = None;
                    self.notice = Some("the trace could not be exported: the run stopped".into());
                    return;
                }
            }
        }
        self.version += 1;
    }

    /// A scenario file the user picked has been read: open it.
    fn take_import(&mut self) {
        let Some(read) = self.imported.borrow_mut().take() else { return };
        let scenario = read.and_then(|(name, text)| {
            sim::link::scenario_from_json(&text).map_err(|e| format!("{name} is not a scenario ZooScope can run: {e}"))
        });
        match scenario {
            Ok(s) => self.load(s),
            Err(e) => self.notice = Some(e),
        }
        self.version += 1;
    }

    /// Open another scenario from its start (workers are started afresh).
    pub fn load(&mut self, scenario: Scenario) {
        match Player::new(scenario, self.hosting) {
            Ok(p) => {
                for (_, w) in std::mem::take(&mut self.workers) {
                    w.terminate();
                }
                self.created.clear();
                self.posted = 0;
                self.inbox.borrow_mut().clear();
                self.player = Some(p);
                self.ui = Ui { span_us: self.ui.span_us, hide_pings: self.ui.hide_pings, ..Ui::default() };
                self.notice = None;
                self.jump = None;
                self.rebuild = None;
                self.playing = true;
                self.status = if self.hosting == Hosting::InProcess { Status::Running } else { Status::Starting };
                self.open_at_jump();
                self.reanchor();
                let fragment = self.player.as_ref().map(|p| sim::link::encode(&p.scenario)).unwrap_or_default();
                let _ = crate::browser::set_fragment(&fragment);
            }
            Err(e) => self.notice = Some(format!("that scenario does not run: {e}")),
        }
    }
}

/// Whether the worker pool must be started (worker mode, not yet up).
pub fn needs_workers(rt: &Runtime) -> bool {
    rt.hosting == Hosting::RemoteServers && !rt.has_workers()
}
