//! One server in depth: its state and epochs, its log (proposals,
//! committed or not), the votes it received, the sessions it holds, and
//! its answers to the four-letter words (asked through a console's `nc`).

use crate::model::servers::ServerView;
use crate::view::hex;
use std::rc::Rc;
use yew::prelude::*;

/// The words the inspector offers.
pub const WORDS: [&str; 6] = ["srvr", "stat", "mntr", "cons", "conf", "wchc"];

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub server: Option<Rc<ServerView>>,
    /// Session id → client name, for labels.
    pub owners: Rc<Vec<(u64, String)>>,
    /// Whether a client exists to send words with.
    pub can_ask: bool,
    pub on_word: Callback<(u32, String)>,
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(s) = &props.server else {
        return html! {
            <section class="inspector" aria-label="server inspector">
                <h2>{ "Server" }</h2>
                <p class="hint">{ "Select a server in the cluster to see its log, the votes it received, its sessions and its four-letter words." }</p>
            </section>
        };
    };
    let id = s.id.0;
    let owner = |sess: u64| {
        props.owners.iter().find(|(o, _)| *o == sess).map(|(_, n)| format!(" (client {n})")).unwrap_or_default()
    };
    let vote = s.vote.map(|v| {
        format!(
            "for {} · zxid {} · election epoch {} · peer epoch {}",
            v.leader,
            hex(v.zxid),
            v.election_epoch,
            v.peer_epoch
        )
    });
    let words = WORDS.iter().map(|w| {
        let cb = props.on_word.clone();
        let w2 = w.to_string();
        let click = Callback::from(move |_: MouseEvent| cb.emit((id, w2.clone())));
        html! { <button onclick={click} disabled={!props.can_ask} data-word={w.to_string()}>{ *w }</button> }
    });
    html! {
        <section class="inspector" aria-label="server inspector" data-inspect={id.to_string()}>
            <h2>{ format!("Server {id}{}", if s.observer { " (observer)" } else { "" }) }</h2>
            <table class="facts-table">
                <tr><th>{ "state" }</th><td data-role="state">{ s.state_name() }</td></tr>
                <tr><th>{ "process" }</th><td>{ format!("{} · booted {}×", s.process.name(), s.boots) }</td></tr>
                <tr><th>{ "epochs" }</th><td>{ format!("accepted {} · current {}", s.accepted_epoch, s.current_epoch) }</td></tr>
                <tr><th>{ "leader" }</th><td>{ s.leader.map(|l| l.to_string()).unwrap_or_else(|| "—".into()) }</td></tr>
                <tr><th>{ "vote" }</th><td>{ vote.unwrap_or_else(|| "—".into()) }</td></tr>
                <tr><th>{ "zxids" }</th><td>{ format!("applied {} · committed {} · logged {}", hex(s.last_applied), hex(s.last_committed), hex(s.last_logged)) }</td></tr>
                if let Some(n) = &s.last_note {
                    <tr><th>{ "last" }</th><td>{ n.clone() }</td></tr>
                }
            </table>
            <h3>{ "Log (newest last)" }</h3>
            <div class="scroll short">
                <table data-role="log">
                    { for s.log.iter().rev().take(40).collect::<Vec<_>>().into_iter().rev().map(|e| html! {
                        <tr class={if e.committed { "committed" } else { "pending" }}>
                            <td>{ hex(e.zxid) }</td><td>{ e.what.clone() }</td>
                            <td>{ if e.committed { "committed" } else { "proposed, not committed here" } }</td>
                        </tr>
                    }) }
                </table>
            </div>
            <h3>{ "Votes received (latest from each)" }</h3>
            if s.votes.is_empty() {
                <p class="hint">{ "None in this life." }</p>
            } else {
                <table data-role="votes">
                    { for s.latest_votes().values().map(|v| html! {
                        <tr><td>{ format!("from {}", v.from) }</td><td>{ v.state.name() }</td>
                            <td>{ format!("for {} · {} · epoch {}", v.vote.leader, hex(v.vote.zxid), v.vote.peer_epoch) }</td>
                            <td class="time">{ v.at.to_string() }</td></tr>
                    }) }
                </table>
            }
            <h3>{ format!("Sessions ({})", s.sessions.len()) }</h3>
            <ul class="sessions">
                { for s.sessions.iter().map(|(sess, t)| html! { <li>{ format!("0x{sess:x}{} · timeout {t} ms", owner(*sess)) }</li> }) }
            </ul>
            <h3>{ "Four-letter words" }</h3>
            <div class="words">{ for words }</div>
            { for s.four_letter.iter().map(|(w, (at, lines))| html! {
                <details open=true data-answer={w.clone()}>
                    <summary>{ format!("{w} at {at}") }</summary>
                    <pre>{ lines.join("\n") }</pre>
                </details>
            }) }
        </section>
    }
}
