//! The standalone page: two consoles, the server's znode tree with the
//! selected node's details, and the watch log.

use crate::components::console::Console;
use crate::components::header::Header;
use crate::components::node_detail::NodeDetail;
use crate::components::tree::ZnodeTree;
use crate::components::watch_log::WatchLog;
use crate::runtime::{Runtime, WorkerState};
use crate::view::{node_detail, tree_rows, watch_rows};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    let runtime = use_mut_ref(Runtime::new);
    let redraw = use_force_update();

    {
        let runtime: Rc<RefCell<Runtime>> = runtime.clone();
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let r = redraw.clone();
            Runtime::start(&runtime, Rc::new(move || r.force_update()));
            let ticker = gloo_timers::callback::Interval::new(50, move || {
                if let Ok(mut rt) = runtime.try_borrow_mut() {
                    let before = rt.model.version;
                    rt.pump();
                    if rt.model.version != before {
                        redraw.force_update();
                    }
                }
            });
            move || drop(ticker)
        });
    }

    let rt = runtime.borrow();
    let model = &rt.model;
    let (server_state, ok) = match &rt.worker_state {
        WorkerState::Starting => ("starting the worker…".to_string(), false),
        WorkerState::Running if model.server_view.booted => ("serving (standalone)".to_string(), true),
        WorkerState::Running => ("booting…".to_string(), false),
        WorkerState::Failed(e) => (format!("failed: {e}"), false),
    };
    let on_select = {
        let runtime = runtime.clone();
        let redraw = redraw.clone();
        Callback::from(move |path: String| {
            runtime.borrow_mut().model.selected = Some(path);
            redraw.force_update();
        })
    };
    let consoles = model.consoles.iter().enumerate().map(|(i, c)| {
        let on_submit = {
            let runtime = runtime.clone();
            let redraw = redraw.clone();
            Callback::from(move |line: String| {
                runtime.borrow_mut().submit(i, &line);
                redraw.force_update();
            })
        };
        let complete = {
            let runtime = runtime.clone();
            Callback::from(move |line: String| {
                let rt = runtime.borrow();
                let paths = rt.model.paths();
                rt.model.consoles.get(i).map(|c| c.shell.complete(&line, &paths)).unwrap_or_default()
            })
        };
        let status = match c.session {
            Some(s) => format!("{} · session 0x{s:x} · server {}", c.state.name(), c.server.map(|n| n.0).unwrap_or(0)),
            None => c.state.name().to_string(),
        };
        html! {
            <Console name={c.name.clone()} {status} connected={c.state.is_connected()} busy={c.shell.busy()}
                lines={Rc::new(c.lines.clone())} prompt={c.prompt()}
                history={Rc::new(c.shell.history().to_vec())} {complete} {on_submit} />
        }
    });
    let detail = model.selected.as_deref().and_then(|p| node_detail(model, p));
    html! {
        <>
            <Header {server_state} {ok} last_zxid={model.server_view.last_zxid}
                sessions={model.server_view.sessions.len()} znodes={model.tree.node_count()}
                clock={rt.world.now().to_string()} />
            <main class="layout">
                <div class="consoles">{ for consoles }</div>
                <div class="inspect">
                    <ZnodeTree rows={Rc::new(tree_rows(model))} selected={model.selected.clone()} {on_select} />
                    <NodeDetail {detail} />
                </div>
                <WatchLog rows={Rc::new(watch_rows(model))} />
            </main>
        </>
    }
}
