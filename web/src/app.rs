//! The page: playback and the cluster on top, the selected server and a
//! replica's tree beside them, the consoles and the watches below. Every
//! view is drawn from the model the trace feeds.

use crate::components::cap::{Cap, CapToggle, Settings};
use crate::components::cluster::{Cluster, ServerAction};
use crate::components::console::Console;
use crate::components::header::Header;
use crate::components::inspector::Inspector;
use crate::components::node_detail::NodeDetail;
use crate::components::playback::{Playback, PlaybackAction};
use crate::components::network::{LinkState, NetAction, Network};
use crate::components::share::{ShareAction, ShareBar, SharedLink};
use crate::components::spacetime::{SpaceTimeDiagram, StAction};
use crate::components::tree::ZnodeTree;
use crate::presets::Situation;
use crate::components::watches::{EventRow, WatchRow, Watches};
use crate::runtime::{needs_workers, Runtime, Status};
use crate::view;
use actor::{Instant, NodeId};
use sim::zk::Hosting;
use sim::Fault;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

type Shared = Rc<RefCell<Runtime>>;

/// A callback that changes the runtime and redraws.
fn act<T: 'static>(rt: &Shared, redraw: &UseForceUpdateHandle, f: impl Fn(&mut Runtime, T) + 'static) -> Callback<T> {
    let rt = rt.clone();
    let redraw = redraw.clone();
    Callback::from(move |v: T| {
        if let Ok(mut r) = rt.try_borrow_mut() {
            f(&mut r, v);
            r.pump();
        }
        redraw.force_update();
    })
}

#[component]
pub fn App() -> Html {
    let runtime = use_mut_ref(Runtime::new);
    let redraw = use_force_update();

    {
        let runtime: Shared = runtime.clone();
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let wake: Rc<dyn Fn()> = {
                let rt = runtime.clone();
                Rc::new(move || {
                    if let Ok(mut r) = rt.try_borrow_mut() {
                        r.pump();
                    }
                })
            };
            Runtime::start(&runtime, Rc::clone(&wake));
            let keys = crate::keys::listen(runtime.clone(), Rc::new({
                let redraw = redraw.clone();
                move || redraw.force_update()
            }));
            let pasted = crate::hash::listen(runtime.clone(), Rc::new({
                let redraw = redraw.clone();
                move || redraw.force_update()
            }));
            let ticker = gloo_timers::callback::Interval::new(33, move || {
                if let Ok(mut rt) = runtime.try_borrow_mut() {
                    if needs_workers(&rt) {
                        drop(rt);
                        Runtime::start(&runtime, Rc::clone(&wake));
                        return;
                    }
                    rt.pump();
                }
                redraw.force_update();
            });
            move || {
                drop(ticker);
                drop(keys);
                drop(pasted);
            }
        });
    }

    let rt = runtime.borrow();
    if let Some(b) = &rt.bench {
        let done = b.phase == crate::bench::Phase::Done;
        return html! {
            <main class="bench">
                <h1>{ "ZooScope benchmark" }</h1>
                <p data-role="bench-phase">{ format!("{:?}", b.phase) }</p>
                <pre data-role="bench" data-done={done.to_string()}>{ b.json() }</pre>
            </main>
        };
    }
    let finished = rt.player.as_ref().is_some_and(|p| p.finished());
    let (status, ok) = match &rt.status {
        Status::Starting => ("starting the workers…".to_string(), false),
        Status::Running if finished => ("finished".to_string(), true),
        Status::Running if rt.jump.is_some() => ("running ahead…".to_string(), true),
        Status::Running if rt.playing => ("running".to_string(), true),
        Status::Running => ("paused".to_string(), true),
        Status::Failed(e) => (format!("failed: {e}"), false),
    };
    let Some(player) = &rt.player else {
        return html! { <Header scenario="" hosting="" {status} ok=false clock="" entries=0 hash="" on_hosting={Callback::noop()} /> };
    };
    let model = &player.model;
    let now = player.now();
    let servers: Vec<u32> = model.servers.keys().map(|n| n.0).collect();
    let hosting = if rt.hosting == Hosting::RemoteServers { "workers" } else { "in-page" };

    let on_hosting = act(&runtime, &redraw, |r, ()| r.toggle_hosting());
    let on_playback = act(&runtime, &redraw, |r, a: PlaybackAction| match a {
        PlaybackAction::Play => r.play(),
        PlaybackAction::Pause => r.pause(),
        PlaybackAction::Step => r.step(),
        PlaybackAction::Speed(s) => r.set_speed(s),
        PlaybackAction::Jump(us) => r.jump_to(Instant(us)),
    });
    let on_server = act(&runtime, &redraw, |r, (id, a): (u32, ServerAction)| {
        let node = NodeId(id);
        match a {
            ServerAction::Select => {
                r.ui.server = Some(node);
                r.ui.replica = Some(node);
            }
            ServerAction::Crash => r.fault(Fault::Crash { node }),
            ServerAction::PowerOff => r.fault(Fault::PowerOff { node, lose_unsynced: true }),
            ServerAction::Restart => r.fault(Fault::Restart { node }),
            ServerAction::Pause => r.fault(Fault::Pause { node }),
            ServerAction::Resume => r.fault(Fault::Resume { node }),
        }
    });
    let on_word = act(&runtime, &redraw, |r, (id, word): (u32, String)| {
        r.console(0, &format!("echo {word} | nc 127.0.0.1 {}", 2180 + id));
    });
    let on_replica = act(&runtime, &redraw, |r, id: u32| r.ui.replica = Some(NodeId(id)));
    let on_compare = act(&runtime, &redraw, |r, id: Option<u32>| r.ui.compare = id.map(NodeId));
    let on_select = act(&runtime, &redraw, |r, path: String| r.ui.path = Some(path));

    let net = player.run.world.network();
    let on_link = act(&runtime, &redraw, |r, (a, b): (u32, u32)| r.ui.link = Some((NodeId(a), NodeId(b))));
    let on_net = act(&runtime, &redraw, |r, a: NetAction| {
        let n = NodeId;
        match a {
            NetAction::SelectLink(l) => r.ui.link = l.map(|(a, b)| (n(a), n(b))),
            NetAction::SetLink { a, b, spec, both } => {
                let mut fs = vec![Fault::SetLink { from: Some(n(a)), to: Some(n(b)), spec }];
                if both {
                    fs.push(Fault::SetLink { from: Some(n(b)), to: Some(n(a)), spec });
                }
                r.faults(fs);
            }
            NetAction::Cut { a, b, both } => r.fault(Fault::Cut { from: n(a), to: n(b), both }),
            NetAction::Restore { a, b } => r.fault(Fault::Restore { from: n(a), to: n(b), both: true }),
            NetAction::Partition(groups) => {
                r.fault(Fault::Partition { groups: groups.into_iter().map(|g| g.into_iter().map(n).collect()).collect() })
            }
            NetAction::Heal => r.fault(Fault::Heal),
            NetAction::Preset(p) => {
                let Some(player) = &r.player else { return };
                let m = &player.model;
                let situation = Situation {
                    servers: m.servers.keys().copied().collect(),
                    leader: m.leader(),
                    clients: m.clients.iter().map(|c| (c.node, c.server.filter(|_| c.state.is_connected()))).collect(),
                    selected: r.ui.server,
                };
                match p.faults(&situation) {
                    Ok(fs) => r.faults(fs),
                    Err(e) => r.notice = Some(format!("{}: {e}", p.name())),
                }
            }
        }
    });
    let link = rt.ui.link.map(|(a, b)| {
        let state = |x: NodeId, y: NodeId| LinkState { spec: net.spec(x, y), cut: !net.reachable(x, y) };
        (a.0, b.0, state(a, b), state(b, a))
    });
    let mut nodes: Vec<(u32, String)> = servers.iter().map(|id| (*id, format!("server {id}"))).collect();
    nodes.extend(model.clients.iter().map(|c| (c.node.0, format!("client {}", c.name))));
    let sides = view::board_sides(net);
    let on_share = {
        let rt2 = runtime.clone();
        act(&runtime, &redraw, move |r, a: ShareAction| match a {
            ShareAction::Share => r.share(),
            ShareAction::ExportScenario => r.export_scenario(),
            ShareAction::ExportTrace => r.export_trace(),
            ShareAction::Import(input) => {
                let _ = &rt2;
                let slot = r.imported.clone();
                crate::browser::read_file(&input, move |read| *slot.borrow_mut() = Some(read));
            }
        })
    };
    let shared = rt.shared.as_ref().map(|s| SharedLink {
        url: s.url.clone(),
        bytes: s.bytes,
        at: s.at.to_string(),
        copied: s.copied.borrow().clone(),
    });
    let st_end = rt.ui.pinned_end.unwrap_or(now).min(now.max(Instant(rt.ui.span_us)));
    let st_end = if rt.ui.pinned_end.is_none() { now.max(Instant(rt.ui.span_us)) } else { st_end };
    let st_start = Instant(st_end.0.saturating_sub(rt.ui.span_us));
    let st = view::spacetime(model, st_start, st_end, now, rt.ui.hide_pings, rt.ui.arrow);
    let on_st = act(&runtime, &redraw, move |r, a: StAction| {
        let now = r.player.as_ref().map_or(Instant::ZERO, |p| p.now());
        match a {
            StAction::Zoom(f) => {
                r.ui.span_us = ((r.ui.span_us as f64 * f) as u64).clamp(1_000, 3_600_000_000);
            }
            StAction::Pan(us) => {
                let end = r.ui.pinned_end.unwrap_or(now.max(Instant(r.ui.span_us)));
                let moved = Instant(end.0.saturating_add_signed(us).max(r.ui.span_us));
                r.ui.pinned_end = (moved < now).then_some(moved);
            }
            StAction::Follow => r.ui.pinned_end = None,
            StAction::Select(id) => r.ui.arrow = id,
            StAction::TogglePings => r.ui.hide_pings = !r.ui.hide_pings,
        }
    });

    let consistency = &player.run.consistency;
    let report = consistency.report();
    let cap_sides = crate::cap::sides(model, net);
    let cap_clients = crate::cap::clients(model, net, report, &consistency.waiting(now));
    let violations: Vec<String> = report.violations.iter().take(3).map(|v| v.to_string()).collect();
    let scenario = &player.scenario;
    let workloads: Vec<bool> = scenario.clients.iter().filter_map(|c| c.workload.as_ref().map(|w| w.sync_before_reads)).collect();
    let settings = Settings {
        sync_before_reads: !workloads.is_empty() && workloads.iter().all(|on| *on),
        has_workload: !workloads.is_empty(),
        read_only: scenario.config.readonly_mode_enabled,
        session_timeout_ms: scenario.clients.first().map_or(30_000, |c| c.session_timeout_ms),
        leader_serves: scenario.config.leader_serves,
        ensemble: scenario.servers.len() > 1,
    };
    let on_toggle = act(&runtime, &redraw, |r, t: CapToggle| {
        r.reconfigure(|s| match t {
            CapToggle::SyncBeforeReads(on) => {
                for w in s.clients.iter_mut().filter_map(|c| c.workload.as_mut()) {
                    w.sync_before_reads = on;
                }
            }
            CapToggle::ReadOnly(on) => {
                s.config.readonly_mode_enabled = on;
                for c in &mut s.clients {
                    c.can_be_read_only = on;
                }
            }
            CapToggle::SessionTimeoutMs(ms) => {
                for c in &mut s.clients {
                    c.session_timeout_ms = ms;
                }
            }
            CapToggle::LeaderServes(on) => s.config.leader_serves = on,
        })
    });

    let selected = rt.ui.server.or_else(|| model.leader());
    let replica = rt.ui.replica.or_else(|| model.leader()).or_else(|| model.servers.keys().next().copied());
    let tree = replica.and_then(|id| model.replicas.tree(id));
    let rows = match (replica, rt.ui.compare) {
        (Some(a), Some(b)) => view::tree_diff_rows(model, a, b),
        (Some(_), None) => tree.map(|t| view::tree_rows(model, t)).unwrap_or_default(),
        _ => Vec::new(),
    };
    let detail = match (&rt.ui.path, tree) {
        (Some(p), Some(t)) => view::node_detail(model, t, p),
        _ => None,
    };
    let owners: Vec<(u64, String)> =
        model.clients.iter().filter_map(|c| c.session.map(|s| (s, c.name.clone()))).collect();
    let inspected = selected.and_then(|id| model.servers.get(&id)).map(|s| Rc::new(s.clone()));
    let consoles = model.clients.iter().enumerate().map(|(i, c)| {
        let on_submit = act(&runtime, &redraw, move |r, line: String| r.console(i, &line));
        let on_server =
            act(&runtime, &redraw, move |r, id: u32| r.console(i, &format!("connect 127.0.0.1:{}", 2180 + id)));
        let complete = {
            let runtime = runtime.clone();
            Callback::from(move |line: String| {
                let rt = runtime.borrow();
                let Some(p) = &rt.player else { return Vec::new() };
                let tree = p.model.clients.get(i).and_then(|c| c.server).and_then(|s| p.model.replicas.tree(s));
                let paths: Vec<String> = tree.map(|t| t.iter().map(|(p, _)| p.clone()).collect()).unwrap_or_default();
                zkcli::Shell::new("").complete(&line, &paths)
            })
        };
        html! {
            <Console name={c.name.clone()} status={c.status()} connected={c.state.is_connected()} busy=false
                lines={Rc::new(c.lines.clone())} prompt={c.prompt.clone()} history={Rc::new(c.typed.clone())}
                {complete} {on_submit} servers={Rc::new(servers.clone())} server={c.server.map(|s| s.0)} {on_server} />
        }
    });
    let registered: Vec<WatchRow> = model
        .watches
        .registered
        .iter()
        .map(|(w, (server, _))| WatchRow {
            who: model
                .client_of_session(w.session)
                .map_or_else(|| format!("0x{:x}", w.session), |c| format!("client {c}")),
            path: w.path.clone(),
            kind: w.kind.clone(),
            server: format!("server {}", server.0),
        })
        .collect();
    let events: Vec<EventRow> = model
        .watches
        .delivered
        .iter()
        .map(|d| EventRow {
            time: d.at.to_string(),
            who: model
                .client_of_session(d.session)
                .map_or_else(|| format!("0x{:x}", d.session), |c| format!("client {c}")),
            event: format!("{} {}", d.event.kind.name(), d.event.path.as_deref().unwrap_or("")),
            cause: match &d.txn {
                Some(t) => format!("{t} at 0x{:x}, from server {}", d.zxid, d.server.0),
                None => format!("0x{:x}, from server {}", d.zxid, d.server.0),
            },
        })
        .collect();
    let name = if player.scenario.name.is_empty() { "a scenario".to_string() } else { player.scenario.name.clone() };
    html! {
        <>
            <Header scenario={name} {hosting} {status} {ok} clock={now.to_string()} entries={model.entries}
                hash={player.run.world.trace_hash()} {on_hosting} />
            if let Some(n) = &rt.notice {
                <p class="notice" data-role="notice">{ n.clone() }</p>
            }
            <ShareBar {shared} exporting={rt.export_progress()} on_action={on_share} />
            <Playback playing={rt.playing} speed={rt.speed} now_us={now.0} end_us={player.end().0}
                marks={Rc::new(model.timeline.marks.clone())} progress={rt.progress()} on_action={on_playback} />
            <main class="layout">
                <div class="left">
                    <Cluster data={Rc::new(view::cluster(model, now, net))} selected={selected.map(|s| s.0)}
                        headline={view::headline(model)} on_action={on_server}
                        link={rt.ui.link.map(|(a, b)| (a.0, b.0))} {on_link} />
                    <div class="consoles">{ for consoles }</div>
                </div>
                <div class="right">
                    <Inspector server={inspected} owners={Rc::new(owners)} can_ask={!model.clients.is_empty()} {on_word} />
                    <ZnodeTree rows={Rc::new(rows)} selected={rt.ui.path.clone()} {on_select}
                        servers={Rc::new(servers.clone())} replica={replica.map_or(0, |r| r.0)}
                        compare={rt.ui.compare.map(|c| c.0)} {on_replica} {on_compare} />
                    <NodeDetail {detail} />
                </div>
                <Watches registered={Rc::new(registered)} events={Rc::new(events)} />
            </main>
            <div class="explore">
                <Network nodes={Rc::new(nodes)} {link} sides={Rc::new(sides)} on_action={on_net} />
                <Cap sides={Rc::new(cap_sides)} clients={Rc::new(cap_clients)} verdict={report.verdict()}
                    ok={report.ok()} violations={Rc::new(violations)} {settings} {on_toggle} />
            </div>
            <SpaceTimeDiagram data={Rc::new(st)} following={rt.ui.pinned_end.is_none()} hide_pings={rt.ui.hide_pings} on_action={on_st} />
        </>
    }
}
