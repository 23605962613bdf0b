//! The cluster: each server with its state, epoch, last and committed
//! zxid and vote; clients beside it, each linked to its server; messages
//! moving along the links, coloured by kind. Every server has its
//! buttons — select, crash, restart, pause — in plain sight.

use crate::model::messages::Kind;
use crate::model::servers::Process;
use crate::view::{ClusterData, HEIGHT, WIDTH};
use std::rc::Rc;
use yew::prelude::*;

/// What a server's button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerAction {
    Select,
    Crash,
    PowerOff,
    Restart,
    Pause,
    Resume,
}

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub data: Rc<ClusterData>,
    pub selected: Option<u32>,
    pub headline: AttrValue,
    pub on_action: Callback<(u32, ServerAction)>,
    /// The link selected in the network editor.
    pub link: Option<(u32, u32)>,
    pub on_link: Callback<(u32, u32)>,
}

#[component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let d = &props.data;
    let wires = d.wires.iter().map(|w| {
        let (a, b) = (w.a.0, w.b.0);
        let selected = props.link == Some((a, b)) || props.link == Some((b, a));
        let class = classes!("wire", w.client.then_some("client"), w.state.class(), selected.then_some("selected"));
        let (x1, y1, x2, y2) = (w.x1.to_string(), w.y1.to_string(), w.x2.to_string(), w.y2.to_string());
        let label = (!w.note.is_empty()).then(|| {
            let (mx, my) = ((w.x1 + w.x2) / 2.0, (w.y1 + w.y2) / 2.0 - 6.0);
            html! { <text class="wire-note" x={format!("{mx:.0}")} y={format!("{my:.0}")}>{ w.note.clone() }</text> }
        });
        if w.client {
            return html! { <g><line class={class} x1={x1} y1={y1} x2={x2} y2={y2} />{ for label }</g> };
        }
        let on_click = {
            let cb = props.on_link.clone();
            Callback::from(move |_: MouseEvent| cb.emit((a, b)))
        };
        html! {
            <g class="link" onclick={on_click} data-link={format!("{a}-{b}")} role="button"
                aria-label={format!("link between servers {a} and {b}")}>
                <line class="hit" x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} />
                <line class={class} x1={x1} y1={y1} x2={x2} y2={y2} />
                <title>{ format!("link {a} ↔ {b}{}{} — click to edit", if w.note.is_empty() { "" } else { ": " }, w.note) }</title>
                { for label }
            </g>
        }
    });
    let sides = d.servers.iter().filter_map(|s| {
        let side = d.sides.iter().find(|(n, _)| *n == s.id)?.1;
        Some(html! {
            <text class={format!("side side-{side}")} x={s.x.to_string()} y={(s.y + 114.0).to_string()}>{ format!("side {side}") }</text>
        })
    });
    let dots = d.dots.iter().map(|m| {
        html! {
            <circle class={classes!("msg", format!("msg-{}", m.kind), m.held.then_some("held"))} cx={format!("{:.1}", m.x)} cy={format!("{:.1}", m.y)} r="10">
                <title>{ m.label.clone() }</title>
            </circle>
        }
    });
    let servers = d.servers.iter().map(|s| {
        let id = s.id.0;
        let select = {
            let cb = props.on_action.clone();
            Callback::from(move |_: MouseEvent| cb.emit((id, ServerAction::Select)))
        };
        let selected = props.selected == Some(id);
        html! {
            <g class={classes!("server", s.class, selected.then_some("selected"))} onclick={select} data-server={id.to_string()}
                data-state={s.state.split(' ').next().unwrap_or_default().to_string()}
                data-read-only={s.state.ends_with("(read-only)").then_some("true")} role="button" aria-label={format!("server {id}: {}", s.state)}>
                <circle cx={s.x.to_string()} cy={s.y.to_string()} r="70" />
                <text x={s.x.to_string()} y={(s.y - 22.0).to_string()} class="sid">{ format!("{}{}", id, if s.observer { " (obs)" } else { "" }) }</text>
                <text x={s.x.to_string()} y={(s.y + 4.0).to_string()} class="state">{ s.state.clone() }</text>
                <text x={s.x.to_string()} y={(s.y + 24.0).to_string()} class="small">{ s.detail.clone() }</text>
                <text x={s.x.to_string()} y={(s.y + 42.0).to_string()} class="small">{ s.last_zxid.clone() }</text>
                <text x={s.x.to_string()} y={(s.y + 92.0).to_string()} class="vote">{ s.vote.clone() }</text>
            </g>
        }
    });
    let clients = d.clients.iter().map(|c| {
        let side = d.sides.iter().find(|(n, _)| *n == c.node).map(|(_, s)| *s);
        html! {
            <g class={classes!("client", if c.connected { "connected" } else { "waiting" })} data-client={c.name.clone()}>
                <rect x={(c.x - 66.0).to_string()} y={(c.y - 30.0).to_string()} width="132" height="60" rx="8" />
                <text x={c.x.to_string()} y={(c.y - 3.0).to_string()} class="sid">{ format!("client {}", c.name) }</text>
                <text x={c.x.to_string()} y={(c.y + 19.0).to_string()} class="small">{ c.state.clone() }</text>
                if let Some(side) = side {
                    <text class={format!("side side-{side}")} x={c.x.to_string()} y={(c.y - 38.0).to_string()}>{ format!("side {side}") }</text>
                }
            </g>
        }
    });
    let buttons = d.servers.iter().map(|s| {
        let id = s.id.0;
        let act = |a: ServerAction| {
            let cb = props.on_action.clone();
            Callback::from(move |_: MouseEvent| cb.emit((id, a)))
        };
        let up = s.process == Process::Up;
        let paused = s.process == Process::Paused;
        let down = matches!(s.process, Process::Crashed | Process::PoweredOff);
        html! {
            <div class={classes!("server-buttons", (props.selected == Some(id)).then_some("selected"))} data-buttons={id.to_string()}>
                <button class="name" onclick={act(ServerAction::Select)} aria-pressed={(props.selected == Some(id)).to_string()}>
                    { format!("Server {id}") }
                </button>
                <button onclick={act(ServerAction::Crash)} disabled={!up && !paused} data-action="crash"
                    title="Kill the process: its connections are reset, peers notice at once">{ "Crash" }</button>
                <button onclick={act(ServerAction::PowerOff)} disabled={!up && !paused} data-action="power-off"
                    title="Cut the power: silence, unsynced writes lost">{ "Power off" }</button>
                <button onclick={act(ServerAction::Restart)} disabled={!down} data-action="restart"
                    title="Start it again from its disk">{ "Restart" }</button>
                if paused {
                    <button onclick={act(ServerAction::Resume)} data-action="resume" title="SIGCONT">{ "Resume" }</button>
                } else {
                    <button onclick={act(ServerAction::Pause)} disabled={!up} data-action="pause"
                        title="SIGSTOP: sockets stay open, nothing answers">{ "Pause" }</button>
                }
            </div>
        }
    });
    html! {
        <section class="cluster" aria-label="cluster">
            <p class="headline" data-role="headline">{ props.headline.clone() }</p>
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label="servers, clients and messages">
                { for wires }
                { for clients }
                { for servers }
                { for sides }
                { for dots }
            </svg>
            <div class="legend" aria-label="message colours">
                { for Kind::ALL.iter().map(|k| html! {
                    <span class="key"><svg viewBox="0 0 12 12" width="12" height="12"><circle class={format!("msg msg-{}", k.name())} cx="6" cy="6" r="5" /></svg>{ k.name() }</span>
                }) }
            </div>
            <div class="buttons-row">{ for buttons }</div>
        </section>
    }
}
