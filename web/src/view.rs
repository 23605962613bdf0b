//! What the views show, computed from the model: plain data, tested
//! natively.

use crate::components::node_detail::NodeDetailData;
use crate::components::tree::TreeRow;
use crate::components::watch_log::WatchRow;
use crate::model::Model;
use znode::EphemeralKind;

/// The tree as rows, depth-first in path order.
pub fn tree_rows(model: &Model) -> Vec<TreeRow> {
    model
        .tree
        .iter()
        .map(|(path, node)| {
            let depth = if path == "/" { 0 } else { path.matches('/').count() };
            let name = if path == "/" { "/".to_string() } else { znode::path::child_name(path).to_string() };
            let badge = match node.kind() {
                EphemeralKind::Normal(s) => Some(match model.console_of_session(s) {
                    Some(c) => format!("ephemeral · client {c}"),
                    None => format!("ephemeral · 0x{s:x}"),
                }),
                EphemeralKind::Container => Some("container".to_string()),
                EphemeralKind::Ttl(ms) => Some(format!("ttl {ms} ms")),
                EphemeralKind::Void => None,
            };
            TreeRow { path: path.clone(), name, depth, children: node.children.len(), badge }
        })
        .collect()
}

/// What the detail panel shows for `path`, if it exists: the Stat and ACL
/// exactly as `stat` and `getAcl` print them.
pub fn node_detail(model: &Model, path: &str) -> Option<NodeDetailData> {
    let node = model.tree.node(path)?;
    let stat = zkcli::stat_lines(&node.client_stat());
    let acl = node.acl.iter().flat_map(zkcli::acl_entry_lines).collect();
    let data = match &node.data {
        None => "null".to_string(),
        Some(d) => match std::str::from_utf8(d) {
            Ok(text) if text.chars().count() <= 4096 => text.to_string(),
            Ok(text) => format!("{}… ({} bytes)", text.chars().take(4096).collect::<String>(), d.len()),
            Err(_) => format!("({} bytes of binary data)", d.len()),
        },
    };
    let kind = match node.kind() {
        EphemeralKind::Normal(o) => match model.console_of_session(o) {
            Some(c) => format!("Ephemeral, owned by session 0x{o:x} (client {c})"),
            None => format!("Ephemeral, owned by session 0x{o:x}"),
        },
        EphemeralKind::Container => "Container: the server deletes it once its last child goes".to_string(),
        EphemeralKind::Ttl(ms) => format!("TTL node: deleted once childless and unchanged for {ms} ms"),
        EphemeralKind::Void => "Persistent".to_string(),
    };
    Some(NodeDetailData { path: path.to_string(), stat, acl, data, kind })
}

pub fn watch_rows(model: &Model) -> Vec<WatchRow> {
    model
        .watch_log
        .iter()
        .map(|w| WatchRow {
            time: w.at.to_string(),
            console: w.console.clone(),
            session: w.session.map(|s| format!("0x{s:x}")).unwrap_or_default(),
            event: w.event.to_string(),
            session_event: w.event.kind == znode::EventType::None,
        })
        .collect()
}
