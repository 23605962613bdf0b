//! The znode tree of one server, live: each node with its kind (ephemeral
//! and whose, container, TTL) and child count; select one to inspect it.

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
}

#[derive(Properties, PartialEq)]
pub struct TreeProps {
    pub rows: Rc<Vec<TreeRow>>,
    pub selected: Option<String>,
    pub on_select: Callback<String>,
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
            <li class={classes!("znode", selected.then_some("selected"))} style={format!("padding-left: {}em", r.depth as f32 * 1.2)}
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
            </li>
        }
    });
    html! {
        <section class="tree" aria-label="znode tree">
            <h2>{ "Znode tree" }</h2>
            <ul role="tree" data-role="tree">{ for rows }</ul>
        </section>
    }
}
