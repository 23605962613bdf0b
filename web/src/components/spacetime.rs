//! The space-time diagram: one lane per server and client, time running
//! right, every message an arrow from its sender's lane when it left to
//! its receiver's when it arrived; faults and elections as marks. Zoom
//! (buttons or wheel), pan (buttons or drag), follow playback; click an
//! arrow to read the message.

use crate::view::{SpaceTime, LANE_H, ST_LEFT, ST_WIDTH};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum StAction {
    /// Multiply the span by this.
    Zoom(f64),
    /// Move the window by this many µs (negative: back).
    Pan(i64),
    Follow,
    Select(Option<u64>),
    TogglePings,
}

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub data: Rc<SpaceTime>,
    pub following: bool,
    pub hide_pings: bool,
    pub on_action: Callback<StAction>,
}

fn secs(us: u64) -> String {
    format!("{:.3} s", us as f64 / 1e6)
}

#[component]
pub fn SpaceTimeDiagram(props: &SpaceTimeProps) -> Html {
    let d = &props.data;
    let act = |a: StAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let span = d.end_us.saturating_sub(d.start_us).max(1) as f64;
    let height = d.lanes.len() as f64 * LANE_H + 30.0;
    let drag = use_mut_ref(|| None::<f64>);
    let on_down = {
        let drag = drag.clone();
        Callback::from(move |e: MouseEvent| *drag.borrow_mut() = Some(f64::from(e.client_x())))
    };
    let on_up = {
        let drag = drag.clone();
        let cb = props.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(x0) = drag.borrow_mut().take() else { return };
            let dx = f64::from(e.client_x()) - x0;
            if dx.abs() < 4.0 {
                return;
            }
            let width = e.target_unchecked_into::<web_sys::Element>().get_bounding_client_rect().width().max(1.0);
            let us = -dx / width * span * (ST_WIDTH / (ST_WIDTH - ST_LEFT));
            cb.emit(StAction::Pan(us as i64));
        })
    };
    let on_wheel = {
        let cb = props.on_action.clone();
        Callback::from(move |e: WheelEvent| {
            e.prevent_default();
            cb.emit(StAction::Zoom(if e.delta_y() > 0.0 { 1.5 } else { 1.0 / 1.5 }));
        })
    };
    let lanes = d.lanes.iter().enumerate().map(|(i, (_, name))| {
        let y = 20.0 + i as f64 * LANE_H + LANE_H / 2.0;
        html! {
            <g class="lane">
                <text x="4" y={format!("{:.0}", y + 5.0)} class="lane-name">{ name.clone() }</text>
                <line x1={ST_LEFT.to_string()} x2={ST_WIDTH.to_string()} y1={format!("{y:.0}")} y2={format!("{y:.0}")} />
            </g>
        }
    });
    let marks = d.marks.iter().map(|m| {
        html! {
            <g class={classes!("st-mark", m.class)}>
                <line x1={format!("{:.1}", m.x)} x2={format!("{:.1}", m.x)} y1="14" y2={format!("{:.0}", height - 10.0)} />
                <text x={format!("{:.1}", m.x + 3.0)} y="12">{ m.label.clone() }</text>
            </g>
        }
    });
    let arrows = d.arrows.iter().map(|a| {
        let id = a.id;
        let cb = props.on_action.clone();
        let select = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            cb.emit(StAction::Select(Some(id)));
        });
        let selected = d.selected.as_ref().is_some_and(|s| s.id == id);
        html! {
            <g class={classes!("arrow", format!("msg-{}", a.kind), a.in_flight.then_some("in-flight"), a.lost.then_some("lost"), selected.then_some("selected"))}
                onclick={select} data-arrow={id.to_string()}>
                <line class="hit" x1={format!("{:.1}", a.x1)} y1={format!("{:.1}", a.y1)} x2={format!("{:.1}", a.x2)} y2={format!("{:.1}", a.y2)} />
                <line class="shaft" x1={format!("{:.1}", a.x1)} y1={format!("{:.1}", a.y1)} x2={format!("{:.1}", a.x2)} y2={format!("{:.1}", a.y2)} />
                <circle class="head" cx={format!("{:.1}", a.x2)} cy={format!("{:.1}", a.y2)} r="3" />
                <title>{ a.label.clone() }</title>
            </g>
        }
    });
    let now_x = d.now_x.map(|x| html! { <line class="st-now" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="14" y2={format!("{:.0}", height - 10.0)} /> });
    let detail = d.selected.as_ref().map(|s| {
        html! {
            <div class="st-detail" data-role="arrow-detail">
                <p><strong>{ s.label.clone() }</strong>{ format!(" · {} → {} · sent {} · {}", s.from, s.to, s.sent, s.arrived) }</p>
                <pre>{ s.detail.clone() }</pre>
                <button onclick={act(StAction::Select(None))}>{ "Close" }</button>
            </div>
        }
    });
    html! {
        <section class="spacetime panel" aria-label="space-time diagram">
            <div class="st-head">
                <h2>{ "Space-time" }</h2>
                <div class="row">
                    <button onclick={act(StAction::Pan(-(span as i64) / 2))} title="earlier">{ "◀" }</button>
                    <button onclick={act(StAction::Zoom(1.0 / 2.0))} title="zoom in" data-action="zoom-in">{ "+" }</button>
                    <button onclick={act(StAction::Zoom(2.0))} title="zoom out" data-action="zoom-out">{ "−" }</button>
                    <button onclick={act(StAction::Pan(span as i64 / 2))} title="later">{ "▶" }</button>
                    <button onclick={act(StAction::Follow)} aria-pressed={props.following.to_string()} data-action="follow">
                        { if props.following { "following playback" } else { "follow playback" } }
                    </button>
                    <label class="check"><input type="checkbox" checked={props.hide_pings}
                        onclick={act(StAction::TogglePings)} />{ "hide pings" }</label>
                    <span class="small" data-role="st-window">{ format!("{} – {} · {} messages", secs(d.start_us), secs(d.end_us), d.arrows.len()) }</span>
                </div>
            </div>
            <svg class="st" viewBox={format!("0 0 {ST_WIDTH} {height:.0}")} onmousedown={on_down} onmouseup={on_up}
                onwheel={on_wheel} role="img" aria-label="messages between servers and clients over time">
                { for lanes }
                { for marks }
                { for arrows }
                { for now_x }
            </svg>
            { for detail }
        </section>
    }
}
