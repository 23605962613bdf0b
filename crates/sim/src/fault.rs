//! Faults: what can go wrong, on a schedule or by hand. Each is data, so a
//! scenario carries them and a link replays them.

use crate::net::LinkSpec;
use actor::NodeId;
use serde::{Deserialize, Serialize};

/// Something that happens to the world's nodes, links or disks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// The process dies (SIGKILL): its kernel resets its connections, so
    /// peers learn it after one link latency; unsynced writes are still in
    /// the page cache and survive.
    Crash {
        node: NodeId,
    },
    /// The machine dies: silence (nobody is told), and unsynced writes are
    /// lost if `lose_unsynced`.
    PowerOff {
        node: NodeId,
        lose_unsynced: bool,
    },
    /// The process stops (SIGSTOP): connections stay open, its inputs and
    /// timers wait until it resumes.
    Pause {
        node: NodeId,
    },
    Resume {
        node: NodeId,
    },
    /// Start a crashed or powered-off node again, from its disk.
    Restart {
        node: NodeId,
    },
    /// Split nodes into groups that cannot reach each other; a node in no
    /// group reaches everyone.
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    /// Undo every partition and cut.
    Heal,
    /// Cut the link from `from` to `to` (and back, if `both`).
    Cut {
        from: NodeId,
        to: NodeId,
        both: bool,
    },
    /// Restore a cut link.
    Restore {
        from: NodeId,
        to: NodeId,
        both: bool,
    },
    /// Change a link's latency, jitter, loss or duplication (`None` on
    /// both ends changes the default for every link).
    SetLink {
        from: Option<NodeId>,
        to: Option<NodeId>,
        spec: LinkSpec,
    },
    /// The node's clock runs fast (positive) or slow, in parts per million.
    Drift {
        node: NodeId,
        ppm: i32,
    },
    /// The node's disk syncs take this long.
    DiskLatency {
        node: NodeId,
        latency_us: u64,
    },
}

impl Fault {
    /// A short label for views and summaries.
    pub fn label(&self) -> String {
        match self {
            Fault::Crash { node } => format!("crash {node}"),
            Fault::PowerOff { node, lose_unsynced } => {
                format!("power off {node}{}", if *lose_unsynced { " (unsynced writes lost)" } else { "" })
            }
            Fault::Pause { node } => format!("pause {node}"),
            Fault::Resume { node } => format!("resume {node}"),
            Fault::Restart { node } => format!("restart {node}"),
            Fault::Partition { groups } => format!(
                "partition {}",
                groups
                    .iter()
                    .map(|g| format!("{{{}}}", g.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",")))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Fault::Heal => "heal".to_string(),
            Fault::Cut { from, to, both } => format!("cut {from}{}{to}", if *both { "↔" } else { "→" }),
            Fault::Restore { from, to, both } => format!("restore {from}{}{to}", if *both { "↔" } else { "→" }),
            Fault::SetLink { from, to, spec } => format!(
                "link {}→{}: {}µs ±{}µs, loss {}ppm, dup {}ppm",
                from.map_or("*".to_string(), |n| n.to_string()),
                to.map_or("*".to_string(), |n| n.to_string()),
                spec.latency_us,
                spec.jitter_us,
                spec.loss_ppm,
                spec.dup_ppm
            ),
            Fault::Drift { node, ppm } => format!("clock drift {node}: {ppm:+}ppm"),
            Fault::DiskLatency { node, latency_us } => format!("disk {node}: sync {latency_us}µs"),
        }
    }

    /// The nodes a fault names (for validation).
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Fault::Crash { node }
            | Fault::PowerOff { node, .. }
            | Fault::Pause { node }
            | Fault::Resume { node }
            | Fault::Restart { node }
            | Fault::Drift { node, .. }
            | Fault::DiskLatency { node, .. } => vec![*node],
            Fault::Partition { groups } => groups.iter().flatten().copied().collect(),
            Fault::Heal => vec![],
            Fault::Cut { from, to, .. } | Fault::Restore { from, to, .. } => vec![*from, *to],
            Fault::SetLink { from, to, .. } => from.iter().chain(to.iter()).copied().collect(),
        }
    }
}
