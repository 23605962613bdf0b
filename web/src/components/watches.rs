//! Watches: every watch a session holds now (session, path, kind, where it
//! was set) and every event delivered, with the transaction that fired it.

use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct WatchRow {
    pub who: String,
    pub path: String,
    pub kind: String,
    pub server: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub time: String,
    pub who: String,
    pub event: String,
    pub cause: String,
}

#[derive(Properties, PartialEq)]
pub struct WatchesProps {
    pub registered: Rc<Vec<WatchRow>>,
    pub events: Rc<Vec<EventRow>>,
}

#[component]
pub fn Watches(props: &WatchesProps) -> Html {
    html! {
        <section class="watches" aria-label="watches">
            <h2>{ "Watches" }</h2>
            <div class="two-cols">
                <div>
                    <h3>{ format!("Registered ({})", props.registered.len()) }</h3>
                    if props.registered.is_empty() {
                        <p class="hint">{ "None. Try get -w /path, ls -w /path or addWatch in a console." }</p>
                    } else {
                        <div class="scroll">
                            <table data-role="registered">
                                <tr><th>{ "session" }</th><th>{ "path" }</th><th>{ "kind" }</th><th>{ "on" }</th></tr>
                                { for props.registered.iter().map(|r| html! {
                                    <tr><td>{ r.who.clone() }</td><td>{ r.path.clone() }</td><td>{ r.kind.clone() }</td><td>{ r.server.clone() }</td></tr>
                                }) }
                            </table>
                        </div>
                    }
                </div>
                <div>
                    <h3>{ "Delivered" }</h3>
                    if props.events.is_empty() {
                        <p class="hint">{ "No event yet: change a watched node from another console." }</p>
                    } else {
                        <div class="scroll">
                            <table data-role="delivered">
                                { for props.events.iter().rev().map(|e| html! {
                                    <tr><td class="time">{ e.time.clone() }</td><td class="who">{ e.who.clone() }</td>
                                        <td>{ e.event.clone() }</td><td class="cause">{ e.cause.clone() }</td></tr>
                                }) }
                            </table>
                        </div>
                    }
                </div>
            </div>
        </section>
    }
}
