//! The Paxos page (`?paxos`): single-decree Paxos in the same world —
//! presets for a value chosen, the duelling-proposers livelock and its
//! cures — with each node's card (promise, vote, attempt, what it
//! learned), the ballots over time, the space-time diagram, network edits,
//! and ZAB beside Multi-Paxos on one network and workload. Each node runs
//! in its own Web Worker (or, switched, in this page); the world here
//! posts each its inputs and waits for its effects, as on the ZooKeeper
//! page. URL: `?paxos=<preset>&seed=N&hosting=workers|page&until=MS`
//! (run to MS, then pause).

use crate::components::cluster::{Cluster, ServerAction};
use crate::components::network::{LinkState, NetAction, Network};
use crate::components::spacetime::{SpaceTimeDiagram, StAction};
use crate::paxos_view::{self, PaxosView};
use actor::{Duration, Instant, NodeId};
use sim::paxos::single::{Lab, Preset, NODES};
use sim::paxos::{compare, CompareParams, SideBySide};
use sim::zk::Progress;
use sim::{Fault, LinkSpec};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::Worker;
use worker::paxos::{FromPaxosWorker, ToPaxosWorker};
use worker::{decode, encode};
use yew::prelude::*;

const WORKER_SCRIPT: &str = "./paxos_worker_loader.js";

/// Virtual seconds per wall second.
const SPEEDS: [(f64, &str); 5] = [(0.01, "0.01×"), (0.05, "0.05×"), (0.2, "0.2×"), (1.0, "1×"), (10.0, "10×")];
/// Where a run stops by itself.
const END: Instant = Instant(10_000_000);
const TICK_MS: u32 = 50;
/// The space-time window.
const WINDOW_US: u64 = 40_000;

type Inbox = Rc<RefCell<Vec<(NodeId, Vec<u8>)>>>;

struct State {
    lab: Lab,
    workers_mode: bool,
    playing: bool,
    speed: f64,
    /// Where virtual time should get to.
    target: Instant,
    /// Run to here, then pause (`until` in the URL).
    until: Option<Instant>,
    selected: Option<u64>,
    /// The link the network editor edits.
    link: Option<(u32, u32)>,
    compared: Option<Result<SideBySide, String>>,
    error: Option<String>,
    /// The last link Share made, and what the clipboard said.
    shared: Option<(String, Rc<RefCell<Option<Result<(), String>>>>)>,
    workers: BTreeMap<NodeId, Worker>,
    created: BTreeSet<NodeId>,
    /// Step messages whose answers are still out.
    posted: usize,
    inbox: Inbox,
}

impl State {
    fn new(preset: Preset, seed: u64, workers_mode: bool) -> State {
        State {
            lab: Lab::with_hosting(preset, seed, workers_mode),
            workers_mode,
            playing: true,
            speed: 0.05,
            target: Instant::ZERO,
            until: None,
            selected: None,
            link: None,
            compared: None,
            error: None,
            shared: None,
            workers: BTreeMap::new(),
            created: BTreeSet::new(),
            posted: 0,
            inbox: Rc::new(RefCell::new(Vec::new())),
        }
    }

    /// A fresh run in place of this one (workers are started afresh:
    /// answers still out belong to the old run).
    fn reset(&mut self, preset: Preset, seed: u64, workers_mode: bool) {
        for (_, w) in std::mem::take(&mut self.workers) {
            w.terminate();
        }
        let fresh = State::new(preset, seed, workers_mode);
        *self = State { speed: self.speed, compared: self.compared.take(), ..fresh };
    }

    fn notice(&mut self, text: String) {
        let cell = Rc::new(RefCell::new(Some(Err(text.clone()))));
        self.shared = Some((String::new(), cell));
    }

    /// Pause at the next whole millisecond and make the link that replays
    /// to it: preset, seed, hosting, the edits and that time.
    fn share(&mut self) {
        let until_ms = self.lab.now().0 / 1000 + 1;
        let until = Instant::ZERO + Duration::from_millis(until_ms);
        self.until = Some(until);
        self.target = until;
        let mut url = format!(
            "{}?paxos={}&seed={}&hosting={}&until={until_ms}",
            page_base(),
            self.lab.preset.id(),
            self.lab.seed,
            if self.workers_mode { "workers" } else { "page" }
        );
        if !self.lab.edits.is_empty() {
            url.push_str(&format!("&edits={}", sim::paxos::single::encode_edits(&self.lab.edits)));
        }
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
        let answer = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&answer);
        crate::browser::copy(&url, move |r| *slot.borrow_mut() = Some(r));
        self.shared = Some((url, answer));
    }

    fn needs_workers(&self) -> bool {
        self.workers_mode && self.workers.is_empty() && self.error.is_none()
    }

    fn post(&mut self, id: NodeId, msg: &ToPaxosWorker) {
        let Some(w) = self.workers.get(&id) else { return };
        if w.post_message(&js_sys::Uint8Array::from(encode(msg).as_slice())).is_err() {
            self.error = Some(format!("postMessage to the worker of node {id} failed"));
        }
    }

    /// Answers in, then run what is due; true if anything changed.
    fn pump(&mut self, tick: Option<Duration>) {
        let messages = std::mem::take(&mut *self.inbox.borrow_mut());
        for (id, bytes) in messages {
            match decode::<FromPaxosWorker>(&bytes) {
                Ok(FromPaxosWorker::Ready) => {
                    if let Some(config) = self.lab.configs.iter().find(|c| c.me == id).cloned() {
                        self.post(id, &ToPaxosWorker::Create { node: id, config });
                    }
                }
                Ok(FromPaxosWorker::Created { node }) => {
                    self.created.insert(node);
                }
                Ok(FromPaxosWorker::Effects { node, items }) => {
                    self.posted = self.posted.saturating_sub(1);
                    for effects in items {
                        if let Err(e) = self.lab.world.complete(node, effects) {
                            self.error = Some(e);
                        }
                    }
                }
                Ok(FromPaxosWorker::Failed { error }) => self.error = Some(error),
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(by) = tick.filter(|_| self.playing) {
            self.target = (self.target.max(self.lab.now()) + by).min(END);
        }
        if let Some(u) = self.until {
            self.target = self.target.min(u);
        }
        if self.error.is_some() || self.posted > 0 {
            return;
        }
        if self.workers_mode && self.created.len() < self.lab.configs.len() {
            return;
        }
        match self.lab.advance(self.target) {
            Ok(Progress::Reached) => {}
            Ok(Progress::Waiting) => {
                let mut by_node: BTreeMap<NodeId, Vec<(Instant, actor::Input<paxos::single::Paxos>)>> = BTreeMap::new();
                for o in self.lab.world.take_outbox() {
                    by_node.entry(o.node).or_default().push((o.now, o.input));
                }
                for (id, items) in by_node {
                    self.posted += 1;
                    self.post(id, &ToPaxosWorker::Step { items });
                }
            }
            Err(e) => self.error = Some(e),
        }
        let now = self.lab.now();
        if now >= END || self.until.is_some_and(|u| now >= u) {
            self.playing = false;
        }
    }
}

/// Start one worker per node; their answers go to the inbox and wake the
/// page.
fn spawn_workers(state: &Rc<RefCell<State>>, wake: Rc<dyn Fn()>) {
    let Ok(mut s) = state.try_borrow_mut() else { return };
    let ids: Vec<NodeId> = s.lab.configs.iter().map(|c| c.me).collect();
    for id in ids {
        let inbox = Rc::clone(&s.inbox);
        let wake2 = Rc::clone(&wake);
        let failed = Rc::clone(&s.inbox);
        let spawned = crate::browser::spawn_worker(
            WORKER_SCRIPT,
            move |bytes| {
                inbox.borrow_mut().push((id, bytes));
                wake2();
            },
            // Reported through the inbox: the state may be borrowed now.
            move || failed.borrow_mut().push((id, encode(&FromPaxosWorker::Failed {
                error: format!("the worker of node {id} failed to load or crashed"),
            }))),
        );
        match spawned {
            Ok(w) => {
                s.workers.insert(id, w);
            }
            Err(e) => {
                s.error = Some(format!("cannot start the worker of node {id}: {e}"));
                return;
            }
        }
    }
}

/// What the URL asks for:
/// `?paxos=<preset>&seed=N&hosting=page&until=MS&edits=…`, and what in it
/// could not be read.
fn from_url() -> (Preset, u64, bool, Option<Instant>, Vec<(u64, Fault)>, Option<String>) {
    let get = crate::browser::query_param;
    let preset = get("paxos").and_then(|p| Preset::parse(&p).ok()).unwrap_or(Preset::Duel);
    let seed = get("seed").and_then(|s| s.parse().ok()).unwrap_or(1);
    let workers = get("hosting").is_none_or(|h| h != "page");
    let until = get("until").and_then(|s| s.parse::<u64>().ok()).map(|ms| Instant::ZERO + Duration::from_millis(ms));
    let (edits, problem) = match get("edits").map(|e| sim::paxos::single::decode_edits(&e)) {
        None => (Vec::new(), None),
        Some(Ok(e)) => (e, None),
        Some(Err(e)) => (Vec::new(), Some(format!("This link's edits cannot be replayed ({e}); the run starts without them."))),
    };
    (preset, seed, workers, until, edits, problem)
}

/// The page's address without its query and fragment.
fn page_base() -> String {
    let l = web_sys::window().map(|w| w.location());
    let origin = l.as_ref().and_then(|l| l.origin().ok()).unwrap_or_default();
    let path = l.as_ref().and_then(|l| l.pathname().ok()).unwrap_or_default();
    format!("{origin}{path}")
}

#[derive(Clone, Debug, PartialEq)]
enum Act {
    Preset(Preset),
    Seed(u64),
    Restart,
    Play,
    Pause,
    Speed(f64),
    Isolate(u32),
    Crash(u32),
    Restart1(u32),
    Hosting,
    Share,
    Server(u32, ServerAction),
    Net(NetAction),
    Lossy,
    Heal,
    Compare,
    St(StAction),
}

#[component]
pub fn PaxosPage() -> Html {
    let state = use_mut_ref(|| {
        let (preset, seed, workers, until, edits, problem) = from_url();
        let mut s = State::new(preset, seed, workers);
        if !edits.is_empty() {
            s.lab = Lab::replay(preset, seed, workers, edits);
        }
        s.error = None;
        if let Some(p) = problem {
            s.shared = None;
            s.notice(p);
        }
        if until.is_some() {
            s.until = until;
            s.target = until.unwrap_or(Instant::ZERO);
        }
        s
    });
    let redraw = use_force_update();
    {
        let state = state.clone();
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let wake: Rc<dyn Fn()> = {
                let state = state.clone();
                Rc::new(move || {
                    if let Ok(mut s) = state.try_borrow_mut() {
                        s.pump(None);
                    }
                })
            };
            let ticker = gloo_timers::callback::Interval::new(TICK_MS, move || {
                let needs = state.try_borrow().is_ok_and(|s| s.needs_workers());
                if needs {
                    spawn_workers(&state, Rc::clone(&wake));
                }
                if let Ok(mut s) = state.try_borrow_mut() {
                    let us = (f64::from(TICK_MS) * 1000.0 * s.speed) as u64;
                    s.pump(Some(Duration::from_micros(us.max(1))));
                }
                redraw.force_update();
            });
            move || drop(ticker)
        });
    }
    let act = {
        let state = state.clone();
        let redraw = redraw.clone();
        Callback::from(move |a: Act| {
            let Ok(mut s) = state.try_borrow_mut() else { return };
            let (preset, seed, workers) = (s.lab.preset, s.lab.seed, s.workers_mode);
            match a {
                Act::Preset(p) => s.reset(p, seed, workers),
                Act::Seed(n) => s.reset(preset, n, workers),
                Act::Restart => s.reset(preset, seed, workers),
                Act::Hosting => s.reset(preset, seed, !workers),
                Act::Share => s.share(),
                Act::Play => {
                    s.until = None;
                    s.playing = true;
                }
                Act::Pause => s.playing = false,
                Act::Speed(v) => s.speed = v,
                Act::Isolate(n) => {
                    let rest: Vec<NodeId> = NODES.iter().copied().filter(|m| *m != n).map(NodeId).collect();
                    s.lab.edit(Fault::Partition { groups: vec![vec![NodeId(n)], rest] });
                }
                Act::Crash(n) => s.lab.edit(Fault::Crash { node: NodeId(n) }),
                Act::Restart1(n) => s.lab.edit(Fault::Restart { node: NodeId(n) }),
                Act::Lossy => {
                    let spec = LinkSpec { latency_us: sim::paxos::single::LATENCY_US, jitter_us: 500, loss_ppm: 200_000, dup_ppm: 50_000 };
                    s.lab.edit(Fault::SetLink { from: None, to: None, spec });
                }
                Act::Heal => {
                    s.lab.edit(Fault::Heal);
                    let spec = LinkSpec { latency_us: sim::paxos::single::LATENCY_US, ..LinkSpec::default() };
                    s.lab.edit(Fault::SetLink { from: None, to: None, spec });
                }
                Act::Server(n, a) => {
                    let node = NodeId(n);
                    match a {
                        ServerAction::Select => {}
                        ServerAction::Crash => s.lab.edit(Fault::Crash { node }),
                        ServerAction::PowerOff => s.lab.edit(Fault::PowerOff { node, lose_unsynced: true }),
                        ServerAction::Restart => s.lab.edit(Fault::Restart { node }),
                        ServerAction::Pause => s.lab.edit(Fault::Pause { node }),
                        ServerAction::Resume => s.lab.edit(Fault::Resume { node }),
                    }
                }
                Act::Net(n) => {
                    let id = NodeId;
                    match n {
                        NetAction::SelectLink(l) => s.link = l,
                        NetAction::SetLink { a, b, spec, both } => {
                            s.lab.edit(Fault::SetLink { from: Some(id(a)), to: Some(id(b)), spec });
                            if both {
                                s.lab.edit(Fault::SetLink { from: Some(id(b)), to: Some(id(a)), spec });
                            }
                        }
                        NetAction::Cut { a, b, both } => s.lab.edit(Fault::Cut { from: id(a), to: id(b), both }),
                        NetAction::Restore { a, b } => s.lab.edit(Fault::Restore { from: id(a), to: id(b), both: true }),
                        NetAction::Partition(groups) => s.lab.edit(Fault::Partition {
                            groups: groups.into_iter().map(|g| g.into_iter().map(id).collect()).collect(),
                        }),
                        NetAction::Heal => s.lab.edit(Fault::Heal),
                        // The page offers no ZooKeeper presets.
                        NetAction::Preset(_) => {}
                    }
                }
                Act::Compare => s.compared = Some(compare(&CompareParams::default())),
                Act::St(StAction::Select(id)) => s.selected = id,
                Act::St(_) => {}
            }
            drop(s);
            redraw.force_update();
        })
    };
    let s = state.borrow();
    let lab = &s.lab;
    let now = lab.now();
    let v: PaxosView = paxos_view::view(lab);
    let start = Instant(now.0.saturating_sub(WINDOW_US));
    let st = paxos_view::spacetime(lab, start, now.max(Instant(WINDOW_US)), s.selected);
    let on = |a: Act| {
        let cb = act.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let on_preset = {
        let cb = act.clone();
        Callback::from(move |e: Event| {
            let id = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(p) = Preset::parse(&id) {
                cb.emit(Act::Preset(p));
            }
        })
    };
    let on_seed = {
        let cb = act.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            if let Ok(n) = v.trim().parse::<u64>() {
                cb.emit(Act::Seed(n));
            }
        })
    };
    let on_speed = {
        let cb = act.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(x) = v.parse::<f64>() {
                cb.emit(Act::Speed(x));
            }
        })
    };
    let net = lab.world.network();
    let link = s.link.map(|(a, b)| {
        let state = |x: u32, y: u32| LinkState {
            spec: net.spec(NodeId(x), NodeId(y)),
            cut: !net.reachable(NodeId(x), NodeId(y)),
        };
        (a, b, state(a, b), state(b, a))
    });
    let net_nodes: Vec<(u32, String)> = NODES.iter().map(|n| (*n, format!("node {n}"))).collect();
    let pairs: Vec<(u32, u32)> =
        NODES.iter().flat_map(|a| NODES.iter().filter(move |b| *b > a).map(move |b| (*a, *b))).collect();
    let net_sides = crate::view::board_sides(net);
    let on_net = {
        let cb = act.clone();
        Callback::from(move |a: NetAction| cb.emit(Act::Net(a)))
    };
    let on_server = {
        let cb = act.clone();
        Callback::from(move |(id, a): (u32, ServerAction)| cb.emit(Act::Server(id, a)))
    };
    let on_link = {
        let cb = act.clone();
        Callback::from(move |(a, b): (u32, u32)| cb.emit(Act::Net(NetAction::SelectLink(Some((a, b))))))
    };
    let drawing = paxos_view::cluster(lab, &v);
    let cluster_line = format!("{} — {}", lab.preset.title(), if v.chosen.is_some() { "chosen" } else { "nothing chosen yet" });
    let on_st = {
        let cb = act.clone();
        Callback::from(move |a: StAction| cb.emit(Act::St(a)))
    };
    let cards = v.cards.iter().map(|c| {
        let id = c.id;
        html! {
            <div class={classes!("paxos-card", (!c.up).then_some("down"), c.learned.is_some().then_some("learned"))} data-node={id.to_string()}>
                <h3>{ format!("node {id}") }<span class="small">{ format!(" {}", c.roles) }</span></h3>
                <dl>
                    if c.acceptor {
                        <div><dt>{ "promised" }</dt><dd data-role="promised">{ c.promised.map_or_else(|| "—".to_string(), |b| b.to_string()) }</dd></div>
                        <div><dt>{ "accepted" }</dt><dd data-role="accepted">{ c.accepted.as_ref().map_or_else(|| "—".to_string(), |(b, v)| format!("{b} {v:?}")) }</dd></div>
                    }
                    if let Some(a) = &c.attempt {
                        <div><dt>{ "proposer" }</dt><dd data-role="attempt">{ a.clone() }</dd></div>
                    }
                    <div><dt>{ "learned" }</dt><dd data-role="learned">{ c.learned.as_ref().map_or_else(|| "nothing yet".to_string(), |v| format!("{v:?}")) }</dd></div>
                </dl>
                <div class="buttons">
                    <button onclick={on(Act::Isolate(id))} data-action="isolate">{ "Cut off" }</button>
                    if c.up {
                        <button onclick={on(Act::Crash(id))} data-action="crash">{ "Crash" }</button>
                    } else {
                        <button onclick={on(Act::Restart1(id))} data-action="restart-node">{ "Restart" }</button>
                    }
                </div>
            </div>
        }
    });
    let chart = ballot_chart(&v, now);
    let compared = match &s.compared {
        None => html! {},
        Some(Err(e)) => html! { <p class="notice">{ format!("the comparison did not run: {e}") }</p> },
        Some(Ok(r)) => compare_table(r),
    };
    let total: usize = v.ballots.values().map(Vec::len).sum();
    let status = if s.error.is_some() {
        "failed"
    } else if s.workers_mode && s.created.len() < lab.configs.len() {
        "starting the workers…"
    } else if s.playing {
        "running"
    } else {
        "paused"
    };
    html! {
        <>
            <header class="page-header">
                <div class="title">
                    <h1>{ "ZooScope · Paxos" }</h1>
                    <p class="subtitle">{ lab.preset.title() }</p>
                </div>
                <dl class="facts">
                    <div><dt>{ "time" }</dt><dd data-role="clock">{ now.to_string() }</dd></div>
                    <div><dt>{ "datagrams" }</dt><dd>{ v.datagrams }</dd></div>
                    <div><dt>{ "ballots" }</dt><dd data-role="ballot-count">{ total }</dd></div>
                    <div><dt>{ "trace hash" }</dt><dd data-role="trace-hash">{ lab.world.trace_hash() }</dd></div>
                    <div><dt>{ "status" }</dt><dd data-role="status">{ status }</dd></div>
                    <div><dt>{ "nodes run" }</dt><dd>
                        <button class="hosting" onclick={on(Act::Hosting)} data-role="hosting"
                            data-hosting={if s.workers_mode { "workers" } else { "page" }}
                            title="switch: one Web Worker per node, or all in this page (the run starts again)">
                            { if s.workers_mode { "in Web Workers" } else { "in this page" } }
                        </button>
                    </dd></div>
                </dl>
                <a class="mode-link" href="./">{ "← ZooKeeper" }</a>
            </header>
            <section class="panel paxos-controls">
                <label>{ "preset " }
                    <select onchange={on_preset} data-role="paxos-preset">
                        { for Preset::ALL.iter().map(|p| html! {
                            <option value={p.id()} selected={*p == lab.preset}>{ p.title() }</option>
                        }) }
                    </select>
                </label>
                <label>{ " seed " }<input type="number" min="0" value={lab.seed.to_string()} onchange={on_seed} data-role="paxos-seed" size="6" /></label>
                if s.playing {
                    <button onclick={on(Act::Pause)} data-role="pause">{ "❚❚ Pause" }</button>
                } else {
                    <button onclick={on(Act::Play)} data-role="play">{ "▶ Play" }</button>
                }
                <button onclick={on(Act::Restart)} data-action="restart">{ "Restart" }</button>
                <label>{ " speed " }
                    <select onchange={on_speed} data-role="speed">
                        { for SPEEDS.iter().map(|(x, name)| html! {
                            <option value={x.to_string()} selected={(s.speed - x).abs() < 1e-9}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <button onclick={on(Act::Lossy)} data-action="lossy">{ "Lossy links (20 % loss, 5 % duplicates)" }</button>
                <button onclick={on(Act::Heal)} data-action="heal">{ "Heal everything" }</button>
                <button class="primary" onclick={on(Act::Share)} data-action="share">{ "Share" }</button>
                <p class="hint">{ lab.preset.explain() }</p>
            </section>
            if let Some((url, answer)) = &s.shared {
                if url.is_empty() {
                    <p class="notice" data-role="notice">{ answer.borrow().clone().and_then(|r| r.err()).unwrap_or_default() }</p>
                } else {
                    <div class="shared panel" data-role="shared">
                        <label>{ format!("Link to this run (pauses at {}): ", s.until.map_or_else(String::new, |u| u.to_string())) }
                            <input class="link" readonly=true value={url.clone()} data-role="share-link" size="80" />
                        </label>
                        <span class="note" data-role="copy-note">{ match &*answer.borrow() {
                            None => "copying…".to_string(),
                            Some(Ok(())) => "copied to the clipboard".to_string(),
                            Some(Err(e)) => format!("not copied ({e}); it is in the address bar"),
                        } }</span>
                    </div>
                }
            }
            if let Some(e) = &s.error {
                <p class="notice" data-role="notice">{ e.clone() }</p>
            }
            <p class={classes!("headline", if v.chosen.is_some() { "ok" } else { "warn" })} data-role="paxos-headline">{ v.headline.clone() }</p>
            if !v.violations.is_empty() {
                <div class="violations" role="alert">{ for v.violations.iter().map(|x| html! { <pre>{ x.clone() }</pre> }) }</div>
            }
            <div class="paxos-cluster">
                <Cluster data={Rc::new(drawing)} selected={None::<u32>} headline={cluster_line} on_action={on_server}
                    link={s.link} {on_link} />
            </div>
            <section class="paxos-cards">{ for cards }</section>
            <section class="panel">
                <h2>{ "Ballots over time" }</h2>
                { chart }
            </section>
            <SpaceTimeDiagram data={Rc::new(st)} following=true hide_pings=false on_action={on_st} />
            <div class="legend paxos-legend" aria-label="message colours">
                { for [("vote", "Prepare"), ("discovery", "Promise"), ("request", "Nack"), ("proposal", "Accept"), ("ack", "Accepted")].iter().map(|(k, name)| html! {
                    <span class="key"><svg viewBox="0 0 12 12" width="12" height="12"><circle class={format!("msg msg-{k}")} cx="6" cy="6" r="5" /></svg>{ *name }</span>
                }) }
            </div>
            <div class="explore">
                <Network nodes={Rc::new(net_nodes)} {link} sides={Rc::new(net_sides)} on_action={on_net}
                    presets=false pairs={Some(Rc::new(pairs))} />
            </div>
            <section class="panel compare" data-role="compare">
                <h2>{ "ZAB beside Multi-Paxos" }</h2>
                <p class="hint">{ format!("{}. Both run in this page in the same deterministic world.", CompareParams::default().describe()) }</p>
                <button onclick={on(Act::Compare)} data-action="compare">{ "Run both" }</button>
                { compared }
            </section>
        </>
    }
}

fn ballot_chart(v: &PaxosView, now: Instant) -> Html {
    let (w, h, left, bottom) = (900.0, 200.0, 50.0, 24.0);
    let max_round = v.ballots.values().flatten().map(|(_, r)| *r).max().unwrap_or(1).max(1) as f64;
    let span = now.0.max(1) as f64;
    let x = |t: u64| left + (t as f64 / span) * (w - left - 10.0);
    let y = |r: u64| (h - bottom) - (r as f64 / max_round) * (h - bottom - 10.0);
    let series = v.ballots.iter().enumerate().map(|(i, (node, pts))| {
        let class = format!("series p{}", node % 4);
        let dots = pts.iter().map(|(t, r)| html! { <circle cx={format!("{:.1}", x(*t))} cy={format!("{:.1}", y(*r))} r="2.5" /> });
        let last = pts.last().map(|(_, r)| *r).unwrap_or(0);
        html! {
            <g class={class} data-proposer={node.to_string()} data-last-round={last.to_string()}>
                { for dots }
                <text x={(w - 8.0).to_string()} y={format!("{:.1}", (y(last) + 14.0 + 16.0 * i as f64).min(h - bottom - 4.0))} text-anchor="end">{ format!("proposer {node}: round {last}") }</text>
            </g>
        }
    });
    html! {
        <svg class="ballots" viewBox={format!("0 0 {w} {h}")} role="img" aria-label="ballot rounds each proposer tried over time">
            <line class="axis" x1={left.to_string()} y1={(h - bottom).to_string()} x2={(w - 10.0).to_string()} y2={(h - bottom).to_string()} />
            <line class="axis" x1={left.to_string()} y1="10" x2={left.to_string()} y2={(h - bottom).to_string()} />
            <text x="4" y="16" class="small">{ format!("round {max_round}") }</text>
            <text x={left.to_string()} y={(h - 6.0).to_string()} class="small">{ "0 s" }</text>
            <text x={(w - 10.0).to_string()} y={(h - 6.0).to_string()} text-anchor="end" class="small">{ now.to_string() }</text>
            { for series }
        </svg>
    }
}

fn compare_table(r: &SideBySide) -> Html {
    let (z, p) = (&r.zab, &r.paxos);
    let rows = r.rows();
    html! {
        <>
            <table class="compare-table" data-role="compare-table">
                <thead><tr><th></th><th>{ "ZAB" }</th><th>{ "Multi-Paxos" }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|(name, a, b)| html! {
                        <tr data-row={name.to_string()}><th>{ *name }</th><td>{ a.clone() }</td><td>{ b.clone() }</td></tr>
                    }) }
                </tbody>
            </table>
            <p data-role="zab-change"><strong>{ "ZAB on leader change: " }</strong>{ z.leader_change.clone() }</p>
            <p data-role="paxos-change"><strong>{ "Multi-Paxos on leader change: " }</strong>{ p.leader_change.clone() }</p>
        </>
    }
}
