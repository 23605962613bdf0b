//! Every WatchedEvent each session received, newest last.

use std::rc::Rc;
use yew::prelude::*;

/// One received event.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchRow {
    pub time: String,
    pub console: String,
    pub session: String,
    pub event: String,
    /// A session event (type None) rather than a node event.
    pub session_event: bool,
}

#[derive(Properties, PartialEq)]
pub struct WatchLogProps {
    pub rows: Rc<Vec<WatchRow>>,
}

#[component]
pub fn WatchLog(props: &WatchLogProps) -> Html {
    let body = use_node_ref();
    {
        let body = body.clone();
        use_effect_with(props.rows.len(), move |_| {
            if let Some(el) = body.cast::<web_sys::HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    html! {
        <section class="watch-log" aria-label="watch log">
            <h2>{ "Watch events" }</h2>
            if props.rows.is_empty() {
                <p class="hint">{ "No events yet. Set a watch in one console (get -w /a, ls -w /, addWatch /) and change the node in the other." }</p>
            }
            <div class="log-body" ref={body}>
                <table data-role="watch-log">
                    { for props.rows.iter().map(|r| html! {
                        <tr class={classes!(r.session_event.then_some("session-event"))}>
                            <td class="time">{ r.time.clone() }</td>
                            <td class="who">{ format!("client {}", r.console) }</td>
                            <td class="session">{ r.session.clone() }</td>
                            <td class="event">{ r.event.clone() }</td>
                        </tr>
                    }) }
                </table>
            </div>
        </section>
    }
}
