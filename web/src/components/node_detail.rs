//! The selected znode: its Stat, ACL and data.

use yew::prelude::*;

/// What the panel shows of a node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeDetailData {
    pub path: String,
    /// The Stat block as zkCli's `stat` prints it.
    pub stat: Vec<String>,
    /// The ACL as zkCli's `getAcl` prints it: `'world,'anyone` / `: cdrwa`.
    pub acl: Vec<String>,
    pub data: String,
    /// Ephemeral (and whose), container or TTL.
    pub kind: String,
}

#[derive(Properties, PartialEq)]
pub struct NodeDetailProps {
    pub detail: Option<NodeDetailData>,
}

#[component]
pub fn NodeDetail(props: &NodeDetailProps) -> Html {
    let Some(d) = &props.detail else {
        return html! {
            <section class="detail" aria-label="znode details">
                <h2>{ "Znode" }</h2>
                <p class="hint">{ "Select a znode in the tree to see its Stat, ACL and data." }</p>
            </section>
        };
    };
    html! {
        <section class="detail" aria-label="znode details" data-role="detail">
            <h2>{ d.path.clone() }</h2>
            <p class="kind">{ d.kind.clone() }</p>
            <h3>{ "Data" }</h3>
            <pre class="data" data-role="data">{ d.data.clone() }</pre>
            <h3>{ "Stat" }</h3>
            <pre class="stat" data-role="stat">{ d.stat.join("\n") }</pre>
            <h3>{ "ACL" }</h3>
            <pre class="acl" data-role="acl">{ d.acl.join("\n") }</pre>
        </section>
    }
}
