//! What runs where: the server (in its Web Worker), its last zxid and
//! sessions, and the virtual clock.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// `serving`, `starting`, or what went wrong.
    pub server_state: AttrValue,
    pub ok: bool,
    pub last_zxid: u64,
    pub sessions: usize,
    pub znodes: usize,
    pub clock: AttrValue,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    html! {
        <header class="page-header">
            <div class="title">
                <h1>{ "ZooScope" }</h1>
                <p class="subtitle">{ "A standalone ZooKeeper 3.8 server, running in a Web Worker of this tab" }</p>
            </div>
            <dl class="facts">
                <div><dt>{ "server 1" }</dt><dd class={if props.ok { "ok" } else { "warn" }} data-role="server-state">{ props.server_state.clone() }</dd></div>
                <div><dt>{ "last zxid" }</dt><dd data-role="last-zxid">{ format!("0x{:x}", props.last_zxid) }</dd></div>
                <div><dt>{ "sessions" }</dt><dd>{ props.sessions }</dd></div>
                <div><dt>{ "znodes" }</dt><dd>{ props.znodes }</dd></div>
                <div><dt>{ "time" }</dt><dd>{ props.clock.clone() }</dd></div>
            </dl>
        </header>
    }
}
