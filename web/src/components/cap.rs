//! The CAP view: for each side of the network, what its clients can do
//! now; for each client, its running tally (writes committed / waiting /
//! failed, reads fresh / stale / refused) and its latest operation
//! explained in a line; the consistency checker's verdict with the
//! smallest counterexample; and the settings that trade one for the other.

use crate::cap::{CapClient, SideView};
use std::rc::Rc;
use yew::prelude::*;

/// A setting the view can change (the run replays with it from the start).
#[derive(Clone, Debug, PartialEq)]
pub enum CapToggle {
    SyncBeforeReads(bool),
    ReadOnly(bool),
    SessionTimeoutMs(i32),
    LeaderServes(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub sync_before_reads: bool,
    /// Whether any client runs a workload (sync before reads applies to them).
    pub has_workload: bool,
    pub read_only: bool,
    pub session_timeout_ms: i32,
    pub leader_serves: bool,
    pub ensemble: bool,
}

#[derive(Properties, PartialEq)]
pub struct CapProps {
    pub sides: Rc<Vec<SideView>>,
    pub clients: Rc<Vec<CapClient>>,
    pub verdict: AttrValue,
    pub ok: bool,
    /// The first violations, each with its counterexample.
    pub violations: Rc<Vec<String>>,
    pub settings: Settings,
    pub on_toggle: Callback<CapToggle>,
}

/// Within the default bounds (2 and 20 ticks of 2 s), so none is clamped.
const TIMEOUTS: [i32; 5] = [4_000, 10_000, 20_000, 30_000, 40_000];

#[component]
pub fn Cap(props: &CapProps) -> Html {
    let s = &props.settings;
    let check = |on: bool, make: fn(bool) -> CapToggle| {
        let cb = props.on_toggle.clone();
        Callback::from(move |_: MouseEvent| cb.emit(make(!on)))
    };
    let on_timeout = {
        let cb = props.on_toggle.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(ms) = v.parse() {
                cb.emit(CapToggle::SessionTimeoutMs(ms));
            }
        })
    };
    let sides = props.sides.iter().map(|side| {
        html! {
            <div class="side-card" data-side-name={side.name.clone()}>
                <h3>{ format!("{} — servers {}{}", side.name,
                    side.servers.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
                    if side.clients.is_empty() { String::new() } else { format!("; clients {}", side.clients.join(", ")) }) }</h3>
                <p>
                    <span class={classes!("pill", side.writes.class())} data-role="side-writes">{ match side.writes {
                        crate::cap::Outcome::Yes => "writes commit",
                        crate::cap::Outcome::Degraded => "writes wait",
                        crate::cap::Outcome::No => "writes fail",
                    } }</span>
                    <span class={classes!("pill", side.reads.class())} data-role="side-reads">{ match side.reads {
                        crate::cap::Outcome::Yes => "reads served",
                        crate::cap::Outcome::Degraded => "reads may be stale",
                        crate::cap::Outcome::No => "reads refused",
                    } }</span>
                </p>
                <p class="why-line">{ side.why.clone() }</p>
            </div>
        }
    });
    let clients = props.clients.iter().map(|c| {
        html! {
            <tr data-cap-client={c.name.clone()}>
                <td class="who">{ format!("client {}", c.name) }<br /><span class="small">{ c.place.clone() }</span></td>
                <td data-role="writes">{ format!("{} committed · {} waiting · {} failed", c.writes.0, c.writes.1, c.writes.2) }</td>
                <td data-role="reads">
                    { format!("{} fresh · {} stale", c.reads.0, c.reads.1) }
                    if c.reads.1 > 0 { { format!(" (≤ {} zxids)", c.reads.3) } }
                    { format!(" · {} refused", c.reads.2) }
                </td>
            </tr>
        }
    });
    let lines = props.clients.iter().map(|c| {
        html! {
            <>
                if let Some((class, text)) = &c.latest {
                    <li class={classes!("op-line", *class)} data-cap-latest={c.name.clone()}>{ format!("{}: {text}", c.name) }</li>
                }
                if let Some(w) = &c.waiting {
                    <li class="op-line waiting" data-cap-waiting={c.name.clone()}>{ format!("{}: {w}", c.name) }</li>
                }
            </>
        }
    });
    html! {
        <section class="cap panel" aria-label="consistency and availability" data-role="cap">
            <h2>{ "Consistency and availability" }</h2>
            <div class="sides">{ for sides }</div>
            <table class="tally">
                <thead><tr><th>{ "client" }</th><th>{ "writes" }</th><th>{ "reads" }</th></tr></thead>
                <tbody>{ for clients }</tbody>
            </table>
            <ul class="op-lines">{ for lines }</ul>
            <p class={classes!("verdict", if props.ok { "ok" } else { "bad" })} data-role="verdict">{ props.verdict.clone() }</p>
            if !props.violations.is_empty() {
                <div class="violations" role="alert">
                    { for props.violations.iter().map(|v| html! { <pre data-role="violation">{ v.clone() }</pre> }) }
                </div>
            }
            <h3>{ "Trade-offs (the run replays from the start with the new setting)" }</h3>
            <div class="toggles">
                <label class="check" title="each workload read is preceded by sync: fresh reads, more latency">
                    <input type="checkbox" checked={s.sync_before_reads} disabled={!s.has_workload}
                        onclick={check(s.sync_before_reads, CapToggle::SyncBeforeReads)} data-toggle="sync" />
                    { "sync before workload reads" }
                </label>
                <label class="check" title="readonlymode.enabled on servers, canBeReadOnly on clients (PROTOCOL.md §4.7)">
                    <input type="checkbox" checked={s.read_only} disabled={!s.ensemble}
                        onclick={check(s.read_only, CapToggle::ReadOnly)} data-toggle="read-only" />
                    { "read-only mode" }
                </label>
                <label class="check" title="leaderServes: whether the leader takes client connections">
                    <input type="checkbox" checked={s.leader_serves} disabled={!s.ensemble}
                        onclick={check(s.leader_serves, CapToggle::LeaderServes)} data-toggle="leader-serves" />
                    { "leaderServes" }
                </label>
                <label>{ "session timeout " }
                    <select onchange={on_timeout} data-toggle="session-timeout">
                        { for TIMEOUTS.iter().map(|t| html! {
                            <option value={t.to_string()} selected={*t == s.session_timeout_ms}>{ format!("{} s", t / 1000) }</option>
                        }) }
                        if !TIMEOUTS.contains(&s.session_timeout_ms) {
                            <option value={s.session_timeout_ms.to_string()} selected=true>{ format!("{} ms", s.session_timeout_ms) }</option>
                        }
                    </select>
                </label>
            </div>
        </section>
    }
}
