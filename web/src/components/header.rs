//! The page's title, what it runs (scenario, where the servers run), the
//! virtual clock, and the trace's size and hash.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub scenario: AttrValue,
    /// `workers` or `in-page`.
    pub hosting: AttrValue,
    /// Starting, running, or what went wrong.
    pub status: AttrValue,
    pub ok: bool,
    pub clock: AttrValue,
    pub entries: u64,
    pub hash: AttrValue,
    pub on_hosting: Callback<()>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let toggle = {
        let cb = props.on_hosting.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <header class="page-header">
            <div class="title">
                <h1>{ "ZooScope" }</h1>
                <p class="subtitle">{ props.scenario.clone() }</p>
            </div>
            <dl class="facts">
                <div><dt>{ "status" }</dt><dd class={if props.ok { "ok" } else { "warn" }} data-role="status">{ props.status.clone() }</dd></div>
                <div><dt>{ "time" }</dt><dd data-role="clock">{ props.clock.clone() }</dd></div>
                <div><dt>{ "trace" }</dt><dd data-role="entries">{ format!("{} events", props.entries) }</dd></div>
                <div><dt>{ "trace hash" }</dt><dd data-role="trace-hash">{ props.hash.clone() }</dd></div>
                <div><dt>{ "servers run" }</dt><dd>
                    <button class="hosting" onclick={toggle} data-role="hosting" data-hosting={props.hosting.clone()}
                        title="Run every server in its own Web Worker, or all in this page">
                        { if props.hosting == "workers" { "in Web Workers" } else { "in this page" } }
                    </button>
                </dd></div>
            </dl>
            <a class="mode-link" href="?paxos" data-role="paxos-link">{ "Classic Paxos →" }</a>
        </header>
    }
}
