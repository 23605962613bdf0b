//! The page: playback and the cluster on top, the selected server and a
//! replica's tree beside them, the consoles and the watches below. Every
//! view is drawn from the model the trace feeds.

use crate::components::cluster::{Cluster, ServerAction};
use crate::components::console::Console;
use crate::components::header::Header;
use crate::components::inspector::Inspector;
use crate::components::node_detail::NodeDetail;
use crate::components::playback::{Playback, PlaybackAction};
use crate::components::tree::ZnodeTree;
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
            <Playback playing={rt.playing} speed={rt.speed} now_us={now.0} end_us={player.end().0}
                marks={Rc::new(model.timeline.marks.clone())} progress={rt.progress()} on_action={on_playback} />
            <main class="layout">
                <div class="left">
                    <Cluster data={Rc::new(view::cluster(model, now))} selected={selected.map(|s| s.0)}
                        headline={view::headline(model)} on_action={on_server} />
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
        </>
    }
}
