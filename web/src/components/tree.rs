//! The znode tree of one replica, live: each node with its kind (ephemeral
//! and whose, container, TTL) and child count; select one to inspect it.
//! In diff mode every path of two replicas is listed and each difference
//! says why.

use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// One row of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeRow {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub children: usize,
    /// A short badge: `ephemeral (a)`, `container`, `ttl 60s`.
    pub badge: Option<String>,
    /// In diff mode: how this path differs between the replicas, and why.
    pub diff: Option<String>,
}

#[derive(Properties, PartialEq)]
pub struct TreeProps {
    pub rows: Rc<Vec<TreeRow>>,
    pub selected: Option<String>,
    pub on_select: Callback<String>,
    /// The servers whose replica may be shown.
    pub servers: Rc<Vec<u32>>,
    /// The replica shown, and the one compared with (diff mode).
    pub replica: u32,
    pub compare: Option<u32>,
    pub on_replica: Callback<u32>,
    pub on_compare: Callback<Option<u32>>,
}

#[component]
pub fn ZnodeTree(props: &TreeProps) -> Html {
    let collapsed = use_state(BTreeSet::<String>::new);
    let hidden = |path: &str| {
        collapsed.iter().any(|c| {
            path.len() > c.len()
                && path.starts_with(c.as_str())
                && (c == "/" || path.as_bytes().get(c.len()) == Some(&b'/'))
        })
    };
    let rows = props.rows.iter().filter(|r| !hidden(&r.path)).map(|r| {
        let path = r.path.clone();
        let on_select = props.on_select.clone();
        let select = Callback::from(move |_: MouseEvent| on_select.emit(path.clone()));
        let toggle = {
            let collapsed = collapsed.clone();
            let path = r.path.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                let mut set = (*collapsed).clone();
                if !set.remove(&path) {
                    set.insert(path.clone());
                }
                collapsed.set(set);
            })
        };
        let is_collapsed = collapsed.contains(&r.path);
        let selected = props.selected.as_deref() == Some(r.path.as_str());
        html! {
            <li class={classes!("znode", selected.then_some("selected"), r.diff.is_some().then_some("differs"))}
                style={format!("padding-left: {}em", r.depth as f32 * 1.2)}
                data-path={r.path.clone()} onclick={select} role="treeitem" aria-selected={selected.to_string()}>
                if r.children > 0 {
                    <button class="toggle" onclick={toggle} aria-label={if is_collapsed { "expand" } else { "collapse" }}>
                        { if is_collapsed { "▸" } else { "▾" } }
                    </button>
                } else {
                    <span class="toggle-space"></span>
                }
                <span class="name">{ r.name.clone() }</span>
                if let Some(b) = &r.badge {
                    <span class="badge">{ b.clone() }</span>
                }
                if r.children > 0 {
                    <span class="count">{ format!("{}", r.children) }</span>
                }
                if let Some(d) = &r.diff {
                    <span class="why" data-role="diff">{ d.clone() }</span>
                }
            </li>
        }
    });
    let on_replica = {
        let cb = props.on_replica.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(n) = v.parse() {
                cb.emit(n);
            }
        })
    };
    let on_compare = {
        let cb = props.on_compare.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            cb.emit(v.parse().ok());
        })
    };
    let differences = props.rows.iter().filter(|r| r.diff.is_some()).count();
    html! {
        <section class="tree" aria-label="znode tree">
            <header class="panel-head">
                <h2>{ "Znode tree" }</h2>
                if props.servers.len() > 1 {
                    <label>{ "of server " }
                        <select onchange={on_replica} data-role="replica" aria-label="replica to show">
                            { for props.servers.iter().map(|s| html! {
                                <option value={s.to_string()} selected={*s == props.replica}>{ s.to_string() }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ " compared with " }
                        <select onchange={on_compare} data-role="compare" aria-label="replica to compare with">
                            <option value="none" selected={props.compare.is_none()}>{ "nothing" }</option>
                            { for props.servers.iter().filter(|s| **s != props.replica).map(|s| html! {
                                <option value={s.to_string()} selected={props.compare == Some(*s)}>{ format!("server {s}") }</option>
                            }) }
                        </select>
                    </label>
                }
            </header>
            if props.compare.is_some() {
                <p class="hint" data-role="diff-summary">{
                    if differences == 0 { "The replicas agree.".to_string() }
                    else { format!("{differences} path(s) differ.") }
                }</p>
            }
            <ul role="tree" data-role="tree">{ for rows }</ul>
        </section>
    }
}
