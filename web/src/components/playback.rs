//! Playback: play, pause, one step, speed, jump to a time, and the
//! timeline with the faults and elections on it.

use crate::model::timeline::{Mark, MarkKind};
use std::rc::Rc;
use yew::prelude::*;

/// The speeds offered (virtual seconds per wall second; 0: as fast as it goes).
pub const SPEEDS: [(f64, &str); 8] = [
    (0.05, "0.05×"),
    (0.1, "0.1×"),
    (0.25, "0.25×"),
    (0.5, "0.5×"),
    (1.0, "1×"),
    (4.0, "4×"),
    (20.0, "20×"),
    (0.0, "max"),
];

#[derive(Clone, Debug, PartialEq)]
pub enum PlaybackAction {
    Play,
    Pause,
    Step,
    Speed(f64),
    /// Jump to this virtual time, µs.
    Jump(u64),
}

#[derive(Properties, PartialEq)]
pub struct PlaybackProps {
    pub playing: bool,
    pub speed: f64,
    pub now_us: u64,
    pub end_us: u64,
    pub marks: Rc<Vec<Mark>>,
    /// A jump in progress: how far along (0..=1).
    pub progress: Option<f64>,
    pub on_action: Callback<PlaybackAction>,
}

fn secs(us: u64) -> String {
    format!("{:.3} s", us as f64 / 1e6)
}

#[component]
pub fn Playback(props: &PlaybackProps) -> Html {
    let act = |a: PlaybackAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let on_speed = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(s) = v.parse() {
                cb.emit(PlaybackAction::Speed(s));
            }
        })
    };
    let jump_input = use_node_ref();
    let on_jump = {
        let cb = props.on_action.clone();
        let input = jump_input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<web_sys::HtmlInputElement>() {
                if let Ok(s) = el.value().trim().trim_end_matches('s').trim().parse::<f64>() {
                    if s.is_finite() && s >= 0.0 {
                        cb.emit(PlaybackAction::Jump((s * 1e6) as u64));
                    }
                }
            }
        })
    };
    // The timeline spans what has run so far (at least 10 s).
    let span = props.now_us.max(10_000_000) as f64;
    let on_timeline = {
        let cb = props.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            let el = e.target_unchecked_into::<web_sys::Element>();
            let rect = el.get_bounding_client_rect();
            if rect.width() > 0.0 {
                let f = ((f64::from(e.client_x()) - rect.left()) / rect.width()).clamp(0.0, 1.0);
                cb.emit(PlaybackAction::Jump((f * span) as u64));
            }
        })
    };
    let marks = props.marks.iter().map(|m| {
        let x = m.at.0 as f64 / span * 1000.0;
        let class = match m.kind {
            MarkKind::Fault => "mark fault",
            MarkKind::Election => "mark election",
        };
        html! { <line class={class} x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="2" y2="30"><title>{ format!("{} — {}", m.at, m.label) }</title></line> }
    });
    let now_x = props.now_us as f64 / span * 1000.0;
    html! {
        <section class="playback" aria-label="playback">
            <div class="controls">
                if props.playing {
                    <button onclick={act(PlaybackAction::Pause)} data-role="pause" accesskey="p">{ "❚❚ Pause" }</button>
                } else {
                    <button onclick={act(PlaybackAction::Play)} data-role="play" accesskey="p">{ "▶ Play" }</button>
                }
                <button onclick={act(PlaybackAction::Step)} data-role="step" title="Run the next event">{ "Step" }</button>
                <label>{ "speed " }
                    <select onchange={on_speed} data-role="speed" aria-label="playback speed">
                        { for SPEEDS.iter().map(|(v, name)| html! {
                            <option value={v.to_string()} selected={(props.speed - v).abs() < 1e-9}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <form onsubmit={on_jump} class="jump">
                    <label>{ "jump to " }<input ref={jump_input} type="text" size="7" placeholder="12.5" data-role="jump" aria-label="jump to a time in seconds" /></label>
                    <button type="submit">{ "Go" }</button>
                </form>
                <span class="clock" data-role="now">{ secs(props.now_us) }</span>
                <span class="keys-hint">{ "keys: space play/pause · . step · - + speed" }</span>
                if let Some(p) = props.progress {
                    <span class="progress" data-role="progress">
                        <progress max="1" value={p.to_string()} />{ format!(" {:.0}%", p * 100.0) }
                    </span>
                }
            </div>
            <svg class="timeline" viewBox="0 0 1000 32" preserveAspectRatio="none" onclick={on_timeline}
                role="img" aria-label="timeline: faults in red, elections in green; click to jump">
                <rect x="0" y="0" width="1000" height="32" class="track" />
                { for marks }
                <line class="now" x1={format!("{now_x:.1}")} x2={format!("{now_x:.1}")} y1="0" y2="32" />
            </svg>
        </section>
    }
}
