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
}

#[component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let d = &props.data;
    let wires = d.wires.iter().map(|(x1, y1, x2, y2, client)| {
        html! { <line class={if *client { "wire client" } else { "wire" }} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} /> }
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
                data-state={s.state.clone()} role="button" aria-label={format!("server {id}: {}", s.state)}>
                <circle cx={s.x.to_string()} cy={s.y.to_string()} r="70" />
                <text x={s.x.to_string()} y={(s.y - 22.0).to_string()} class="sid">{ format!("{}{}", id, if s.observer { " (obs)" } else { "" }) }</text>
                <text x={s.x.to_string()} y={(s.y + 4.0).to_string()} class="state">{ s.state.clone() }</text>
                <text x={s.x.to_string()} y={(s.y + 24.0).to_string()} class="small">{ format!("epoch {}", s.epoch) }</text>
                <text x={s.x.to_string()} y={(s.y + 42.0).to_string()} class="small">{ s.last_zxid.clone() }</text>
                <text x={s.x.to_string()} y={(s.y + 92.0).to_string()} class="vote">{ s.vote.clone() }</text>
            </g>
        }
    });
    let clients = d.clients.iter().map(|c| {
        html! {
            <g class={classes!("client", if c.connected { "connected" } else { "waiting" })} data-client={c.name.clone()}>
                <rect x={(c.x - 66.0).to_string()} y={(c.y - 30.0).to_string()} width="132" height="60" rx="8" />
                <text x={c.x.to_string()} y={(c.y - 3.0).to_string()} class="sid">{ format!("client {}", c.name) }</text>
                <text x={c.x.to_string()} y={(c.y + 19.0).to_string()} class="small">{ c.state.clone() }</text>
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
