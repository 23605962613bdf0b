//! A zkCli console: output, prompt, input with history (arrow keys) and
//! completion (Tab).

use crate::model::clients::Line as ConsoleLine;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// Console name, e.g. `a`.
    pub name: AttrValue,
    /// One-line session status: state, session id, server.
    pub status: AttrValue,
    /// Whether the session is usable (for the status colour).
    pub connected: bool,
    /// A command is still running.
    pub busy: bool,
    pub lines: Rc<Vec<ConsoleLine>>,
    pub prompt: AttrValue,
    pub history: Rc<Vec<String>>,
    /// Completions for the current input line.
    pub complete: Callback<String, Vec<String>>,
    pub on_submit: Callback<String>,
    /// The servers a console may be pointed at (empty: no chooser).
    #[prop_or_default]
    pub servers: Rc<Vec<u32>>,
    /// The server it is on or trying.
    #[prop_or_default]
    pub server: Option<u32>,
    /// The user chose a server: connect there.
    #[prop_or_default]
    pub on_server: Callback<u32>,
}

/// Longest common prefix of candidate completions.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else { return String::new() };
    let mut prefix: &str = first;
    for w in &words[1..] {
        while !w.starts_with(prefix) {
            let cut = prefix.char_indices().last().map_or(0, |(i, _)| i);
            prefix = &prefix[..cut];
        }
    }
    prefix.to_string()
}

/// Lines this long are shortened on screen (a 1 MiB `create` would
/// otherwise bury the console); the command itself is sent whole.
const SHOWN_CHARS: usize = 400;

fn shown(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        None => s.to_string(),
        Some((cut, _)) => format!("{}… ({} more characters)", &s[..cut], s[cut..].chars().count()),
    }
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let input = use_node_ref();
    let output = use_node_ref();
    // Position in history while browsing with the arrow keys.
    let cursor = use_mut_ref(|| None::<usize>);
    let hint = use_state(String::new);

    {
        let output = output.clone();
        use_effect_with(props.lines.len(), move |_| {
            if let Some(el) = output.cast::<web_sys::HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let input = input.clone();
        let history = Rc::clone(&props.history);
        let on_submit = props.on_submit.clone();
        let complete = props.complete.clone();
        let cursor = cursor.clone();
        let hint = hint.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = input.cast::<HtmlInputElement>() else { return };
            match e.key().as_str() {
                "Enter" => {
                    let line = el.value();
                    el.set_value("");
                    *cursor.borrow_mut() = None;
                    hint.set(String::new());
                    on_submit.emit(line);
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    if history.is_empty() {
                        return;
                    }
                    let mut c = cursor.borrow_mut();
                    let next = match (e.key().as_str(), *c) {
                        ("ArrowUp", None) => Some(history.len() - 1),
                        ("ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
                        ("ArrowDown", Some(i)) if i + 1 < history.len() => Some(i + 1),
                        _ => None,
                    };
                    *c = next;
                    el.set_value(next.map(|i| history[i].as_str()).unwrap_or(""));
                }
                "Tab" => {
                    e.prevent_default();
                    let line = el.value();
                    let options = complete.emit(line.clone());
                    let prefix = common_prefix(&options);
                    let last_start = line.rfind(' ').map(|i| i + 1).unwrap_or(0);
                    if !prefix.is_empty() && prefix.len() >= line.len() - last_start {
                        let mut new_line = line[..last_start].to_string();
                        new_line.push_str(&prefix);
                        if options.len() == 1 && !prefix.ends_with('/') {
                            new_line.push(' ');
                        }
                        el.set_value(&new_line);
                    }
                    hint.set(if options.len() > 1 { options.join("  ") } else { String::new() });
                }
                _ => {}
            }
        })
    };

    let focus = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        })
    };

    let status_class = if props.connected { "status ok" } else { "status warn" };
    let on_server = {
        let cb = props.on_server.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(n) = v.parse() {
                cb.emit(n);
            }
        })
    };
    html! {
        <section class="console" aria-label={format!("console {}", props.name)} data-console={props.name.clone()}
            data-busy={props.busy.to_string()}>
            <header>
                <h2>{ format!("Client {}", props.name) }</h2>
                if props.servers.len() > 1 {
                    <label class="server-choice">{ "server " }
                        <select onchange={on_server} data-role="server" aria-label={format!("server for client {}", props.name)}>
                            if props.server.is_none() {
                                <option value="" selected=true>{ "—" }</option>
                            }
                            { for props.servers.iter().map(|s| html! {
                                <option value={s.to_string()} selected={props.server == Some(*s)}>{ s.to_string() }</option>
                            }) }
                        </select>
                    </label>
                }
                <span class={status_class} data-role="session-status">{ props.status.clone() }</span>
            </header>
            <div class="console-output" ref={output} onclick={focus} data-role="output">
                { for props.lines.iter().map(|l| match l {
                    ConsoleLine::Input(s) => html! { <div class="line input">{ shown(s) }</div> },
                    ConsoleLine::Out(s) => html! { <div class="line out">{ shown(s) }</div> },
                    ConsoleLine::Err(s) => html! { <div class="line err">{ shown(s) }</div> },
                }) }
            </div>
            if !hint.is_empty() {
                <div class="completions" data-role="completions">{ (*hint).clone() }</div>
            }
            <div class="console-input">
                <label class="prompt" for={format!("console-input-{}", props.name)}>{ props.prompt.clone() }</label>
                <input id={format!("console-input-{}", props.name)} ref={input} type="text" {onkeydown}
                    autocomplete="off" spellcheck="false" data-role="input"
                    aria-label={format!("zkCli command for client {}", props.name)} />
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn long_lines_are_shortened_for_display_only() {
        assert_eq!(super::shown("short"), "short");
        let long = "x".repeat(super::SHOWN_CHARS + 5);
        assert!(super::shown(&long).ends_with("… (5 more characters)"));
    }

    #[test]
    fn common_prefix_of_paths() {
        let v = vec!["/app/one".to_string(), "/app/other".to_string()];
        assert_eq!(common_prefix(&v), "/app/o");
        assert_eq!(common_prefix(&["/x".to_string()]), "/x");
        assert_eq!(common_prefix(&[]), "");
    }
}
