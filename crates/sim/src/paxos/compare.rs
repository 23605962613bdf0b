//! ZAB beside Multi-Paxos on the same network and the same workload: one
//! client writes a key every `interval_ms` through a replica that does not
//! lead; after `partition_at_ms` the leader is cut off from everyone else;
//! at `heal_at_ms` the network heals. Both runs are read from their traces:
//! server-to-server messages per committed write in the steady phase
//! (heartbeats and pings left out), commit latency as the client sees it,
//! what got committed while the leader was cut off, how long until the
//! new leader committed again, and what the new leader did.
//!
//! The timeouts differ by protocol and are set to be comparable: ZAB with
//! tickTime 100 ms and syncLimit 2 (a follower gives up on a silent leader
//! after 200 ms), Multi-Paxos with a leader timeout drawn in 150–300 ms.

use crate::net::{LinkSpec, Network};
use crate::trace::{Entry, Record};
use crate::world::World;
use crate::zk::{Command, Scenario, ScenarioRun};
use crate::Fault;
use actor::{Duration, Instant, NodeId};
use paxos::multi::{Call, Config, Event as MEvent, MultiPaxos, Replica};
use serde::Serialize;
use std::collections::BTreeMap;
use zab::wire::ZkMsg;
use zab::{ClientEvent, ServerEvent, ZkEvent};

/// The shared set-up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareParams {
    pub seed: u64,
    pub servers: u32,
    pub latency_us: u64,
    /// Writes start here (both protocols have a leader by then).
    pub start_ms: u64,
    pub interval_ms: u64,
    pub writes: u64,
    pub partition_at_ms: u64,
    pub heal_at_ms: u64,
    pub end_ms: u64,
}

impl Default for CompareParams {
    fn default() -> Self {
        CompareParams {
            seed: 1,
            servers: 3,
            latency_us: 1_000,
            start_ms: 3_000,
            interval_ms: 20,
            writes: 150,
            partition_at_ms: 4_000,
            heal_at_ms: 5_000,
            end_ms: 7_000,
        }
    }
}

impl CompareParams {
    /// The set-up in a sentence.
    pub fn describe(&self) -> String {
        format!(
            "{} servers, {} µs links, a write every {} ms from {} ms through a server that does not lead; the leader is cut off at {} ms, healed at {} ms",
            self.servers, self.latency_us, self.interval_ms, self.start_ms, self.partition_at_ms, self.heal_at_ms
        )
    }
}

/// What one protocol did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub protocol: &'static str,
    pub leader_before: Option<u32>,
    /// Writes committed before the partition.
    pub steady_writes: u64,
    /// Server-to-server messages per committed write before the partition
    /// (pings and heartbeats not counted; a follower's forward counted).
    pub messages_per_write: f64,
    pub mean_latency_ms: f64,
    pub max_latency_ms: f64,
    /// Writes answered successfully while the old leader was cut off.
    pub committed_during_partition: u64,
    /// Writes that failed or were refused.
    pub failed: u64,
    /// From the partition to the first write committed after it.
    pub recovery_ms: Option<f64>,
    pub leader_after: Option<u32>,
    /// What the new leader did, in a sentence.
    pub leader_change: String,
    /// Writes committed by the end.
    pub total_committed: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideBySide {
    pub params: CompareParams,
    pub zab: Figures,
    pub paxos: Figures,
}

impl SideBySide {
    /// The table's rows: what, ZAB's figure, Multi-Paxos's.
    pub fn rows(&self) -> Vec<(&'static str, String, String)> {
        let (z, p) = (&self.zab, &self.paxos);
        let opt = |x: Option<f64>| x.map_or_else(|| "never".to_string(), |v| format!("{v:.0} ms"));
        let who = |x: Option<u32>| x.map_or_else(|| "none".to_string(), |v| format!("server {v}"));
        vec![
            ("leader before", who(z.leader_before), who(p.leader_before)),
            ("writes committed before the partition", z.steady_writes.to_string(), p.steady_writes.to_string()),
            ("messages per committed write", format!("{:.2}", z.messages_per_write), format!("{:.2}", p.messages_per_write)),
            ("mean commit latency", format!("{:.2} ms", z.mean_latency_ms), format!("{:.2} ms", p.mean_latency_ms)),
            ("max commit latency", format!("{:.2} ms", z.max_latency_ms), format!("{:.2} ms", p.max_latency_ms)),
            ("committed while the leader was cut off", z.committed_during_partition.to_string(), p.committed_during_partition.to_string()),
            ("failed or refused writes", z.failed.to_string(), p.failed.to_string()),
            ("partition to the next commit", opt(z.recovery_ms), opt(p.recovery_ms)),
            ("leader after", who(z.leader_after), who(p.leader_after)),
            ("writes committed in all", z.total_committed.to_string(), p.total_committed.to_string()),
        ]
    }

    /// A plain-text table.
    pub fn render(&self) -> String {
        let (z, p) = (&self.zab, &self.paxos);
        let rows = self.rows();
        let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let mut s = format!("{}\n", self.params.describe());
        s.push_str(&format!("{:w$}  {:>18}  {:>18}\n", "", "ZAB", "Multi-Paxos"));
        for (name, a, b) in rows {
            s.push_str(&format!("{name:w$}  {a:>18}  {b:>18}\n"));
        }
        s.push_str(&format!("ZAB on leader change: {}\n", z.leader_change));
        s.push_str(&format!("Multi-Paxos on leader change: {}\n", p.leader_change));
        s
    }
}

/// Run both and read their traces.
pub fn compare(p: &CompareParams) -> Result<SideBySide, String> {
    if p.servers < 3 || p.servers > 9 || p.writes == 0 || p.interval_ms == 0 {
        return Err("compare needs 3 to 9 servers and at least one write".into());
    }
    if !(p.start_ms < p.partition_at_ms && p.partition_at_ms < p.heal_at_ms && p.heal_at_ms < p.end_ms) {
        return Err("times must run start < partition < heal < end".into());
    }
    Ok(SideBySide { params: p.clone(), zab: zab_figures(p)?, paxos: paxos_figures(p)? })
}

fn ms(t: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(t)
}

fn msf(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

/// Latencies (call → answer) of successful writes, in order of calling.
#[derive(Default)]
struct Tally {
    ok: Vec<(Instant, Instant)>,
    failed: u64,
}

impl Tally {
    fn summarize(&self, p: &CompareParams, messages: u64, protocol: &'static str) -> Figures {
        let cut = ms(p.partition_at_ms);
        let heal = ms(p.heal_at_ms);
        let steady: Vec<&(Instant, Instant)> = self.ok.iter().filter(|(_, done)| *done < cut).collect();
        let lat: Vec<f64> = steady.iter().map(|(c, d)| msf(d.saturating_since(*c))).collect();
        let mean = if lat.is_empty() { 0.0 } else { lat.iter().sum::<f64>() / lat.len() as f64 };
        let max = lat.iter().copied().fold(0.0, f64::max);
        let during = self.ok.iter().filter(|(_, d)| *d >= cut && *d < heal).count() as u64;
        let recovery = self.ok.iter().map(|(_, d)| *d).filter(|d| *d >= cut).min().map(|d| msf(d.saturating_since(cut)));
        Figures {
            protocol,
            leader_before: None,
            steady_writes: steady.len() as u64,
            messages_per_write: if steady.is_empty() { 0.0 } else { messages as f64 / steady.len() as f64 },
            mean_latency_ms: mean,
            max_latency_ms: max,
            committed_during_partition: during,
            failed: self.failed,
            recovery_ms: recovery,
            leader_after: None,
            leader_change: String::new(),
            total_committed: self.ok.len() as u64,
        }
    }
}

fn zab_figures(p: &CompareParams) -> Result<Figures, String> {
    let mut s = Scenario::ensemble(p.seed, p.servers, &["w"], p.end_ms);
    s.name = "ZAB side of the comparison".into();
    s.config.tick_time = 100;
    s.config.init_limit = 10;
    s.config.sync_limit = 2;
    s.network = Network { default: LinkSpec { latency_us: p.latency_us, ..LinkSpec::default() }, ..Network::default() };
    // The client sits next to server 1: its own hop costs 50 µs each way.
    let client = crate::zk::scenario::client_node(0);
    for id in 1..=p.servers {
        let near = LinkSpec { latency_us: 50, ..LinkSpec::default() };
        s.network.links.insert((client, NodeId(id)), near);
        s.network.links.insert((NodeId(id), client), near);
    }
    s.clients[0].connect = vec![1];
    s.clients[0].commands = (0..p.writes)
        .map(|i| Command { at_ms: p.start_ms + i * p.interval_ms, line: format!("create /k{i} v{i}") })
        .collect();
    let mut run = ScenarioRun::new(&s)?;
    // The runner hands the trace to a sink as it goes.
    let mut log: Vec<Entry<zab::Zk>> = Vec::new();
    run.run_to(ms(p.partition_at_ms), &mut |e| log.push(e.clone())).map_err(|e| e.to_string())?;
    let leader = zab_leader(&log);
    if let Some(l) = leader {
        let rest: Vec<NodeId> = (1..=p.servers).map(NodeId).filter(|n| *n != l).chain([client]).collect();
        run.world.fault(Fault::Partition { groups: vec![vec![l], rest] });
    }
    run.run_to(ms(p.heal_at_ms), &mut |e| log.push(e.clone())).map_err(|e| e.to_string())?;
    run.world.fault(Fault::Heal);
    run.run(&mut |e| log.push(e.clone())).map_err(|e| e.to_string())?;

    let cut = ms(p.partition_at_ms);
    let mut tally = Tally::default();
    let mut invoked: BTreeMap<u64, Instant> = BTreeMap::new();
    let mut messages = 0;
    let mut first_call = None;
    let mut new_epoch = None;
    let mut syncs: BTreeMap<String, u32> = BTreeMap::new();
    let (mut dropped, mut back) = (None, None);
    for e in &log {
        match &e.what {
            Record::Emit { event: ZkEvent::Client(ClientEvent::Invoked { tag, req }), .. } if req.is_write() => {
                invoked.insert(*tag, e.at);
                first_call.get_or_insert(e.at);
            }
            Record::Emit { event: ZkEvent::Client(ClientEvent::Result { tag, result, .. }), .. } => {
                if let Some(at) = invoked.remove(tag) {
                    match result {
                        Ok(_) => tally.ok.push((at, e.at)),
                        Err(_) => tally.failed += 1,
                    }
                }
            }
            Record::Send { from, to, msg, .. } if from.0 <= 100 && to.0 <= 100 && e.at < cut => {
                let counted = match msg {
                    ZkMsg::Quorum(q) => !matches!(q, zab::quorum::packet::QuorumPacket::Ping { .. }),
                    _ => false,
                };
                if counted && first_call.is_some_and(|f| e.at >= f) {
                    messages += 1;
                }
            }
            Record::Emit { event: ZkEvent::Server(ServerEvent::Established { epoch }), node } if e.at >= cut => {
                new_epoch.get_or_insert((*epoch, node.0, e.at));
            }
            Record::Emit { event: ZkEvent::Client(ClientEvent::State { state, .. }), .. } if e.at >= cut => {
                if !state.is_connected() {
                    dropped.get_or_insert(e.at);
                } else if dropped.is_some() {
                    back.get_or_insert(e.at);
                }
            }
            Record::Emit { event: ZkEvent::Server(ServerEvent::SyncChosen { mode, .. }), .. } if e.at >= cut => {
                *syncs.entry(mode.clone()).or_default() += 1;
            }
            _ => {}
        }
    }
    tally.failed += invoked.len() as u64;
    let mut f = tally.summarize(p, messages, "ZAB");
    f.leader_before = leader.map(|l| l.0);
    f.leader_after = new_epoch.map(|(_, n, _)| n);
    let client_note = match (dropped, back) {
        (Some(d), Some(b)) => format!(
            "; the client's server gave up on the leader and went LOOKING, so the client lost its connection \
             {:.0} ms after the cut and was connected again {:.0} ms after it",
            msf(d.saturating_since(cut)),
            msf(b.saturating_since(cut))
        ),
        _ => String::new(),
    };
    f.leader_change = match new_epoch {
        Some((epoch, node, at)) => {
            let modes: Vec<String> = syncs.iter().map(|(m, n)| format!("{n}× {m}")).collect();
            format!(
                "server {node} established epoch {epoch} {:.0} ms after the cut: FLE picked the most up-to-date log, \
                 which becomes the history; learners were aligned ({}) before NEWLEADER — whole-history recovery, \
                 no per-slot no-ops, zxids restart at (epoch {epoch}, 1){client_note}",
                msf(at.saturating_since(cut)),
                if modes.is_empty() { "no sync recorded".to_string() } else { modes.join(", ") }
            )
        }
        None => "no new epoch was established".into(),
    };
    Ok(f)
}

fn zab_leader(log: &[Entry<zab::Zk>]) -> Option<NodeId> {
    let mut leader = None;
    for e in log {
        if let Record::Emit { node, event: ZkEvent::Server(ServerEvent::Established { .. }) } = &e.what {
            leader = Some(*node);
        }
    }
    leader
}

fn paxos_figures(p: &CompareParams) -> Result<Figures, String> {
    let net = Network { default: LinkSpec { latency_us: p.latency_us, ..LinkSpec::default() }, ..Network::default() };
    let mut w: World<MultiPaxos> = World::new(p.seed, net);
    let ids: Vec<NodeId> = (1..=p.servers).map(NodeId).collect();
    let disk = Duration::from_millis(1);
    for id in &ids {
        let cfg = Config::new(*id, ids.clone(), p.seed.wrapping_mul(1_000).wrapping_add(u64::from(id.0)));
        w.add_node(*id, Box::new(Replica::new(cfg)), disk);
        w.boot(*id);
    }
    // Writes go to replica 1, as ZAB's client goes to server 1.
    let entry = NodeId(1);
    for i in 0..p.writes {
        let call = Call::Put { key: format!("k{i}"), value: format!("v{i}"), id: i + 1 };
        w.schedule_call(ms(p.start_ms + i * p.interval_ms), entry, call);
    }
    w.run_to(ms(p.partition_at_ms)).map_err(|e| e.to_string())?;
    let leader = paxos_leader(&w, ms(p.partition_at_ms));
    if let Some(l) = leader {
        let rest: Vec<NodeId> = ids.iter().copied().filter(|n| *n != l).collect();
        w.fault(Fault::Partition { groups: vec![vec![l], rest] });
    }
    w.run_to(ms(p.heal_at_ms)).map_err(|e| e.to_string())?;
    w.fault(Fault::Heal);
    w.run_to(ms(p.end_ms)).map_err(|e| e.to_string())?;

    let cut = ms(p.partition_at_ms);
    let called = |id: u64| ms(p.start_ms + (id - 1) * p.interval_ms);
    let mut tally = Tally::default();
    let mut answered = std::collections::BTreeSet::new();
    let mut messages = 0;
    let mut new_leader = None;
    for e in w.log() {
        match &e.what {
            Record::Emit { node, event: MEvent::Replied { id, ok } } if *node == entry && answered.insert(*id) => {
                if *ok {
                    tally.ok.push((called(*id), e.at));
                } else {
                    tally.failed += 1;
                }
            }
            Record::Emit { node, event: MEvent::NotLeader { id } } if *node == entry && answered.insert(*id) => {
                tally.failed += 1;
            }
            Record::SendDatagram { msg, .. } if e.at < cut && e.at >= ms(p.start_ms) && msg.kind() != "heartbeat" => {
                messages += 1;
            }
            Record::Emit { node, event: MEvent::Leading { b, reproposed, noops, .. } } if e.at >= cut => {
                new_leader.get_or_insert((node.0, *b, reproposed.len(), noops.len(), e.at));
            }
            _ => {}
        }
    }
    tally.failed += p.writes - answered.len() as u64;
    tally.ok.sort();
    let mut f = tally.summarize(p, messages, "Multi-Paxos");
    f.leader_before = leader.map(|l| l.0);
    f.leader_after = new_leader.map(|(n, ..)| n);
    f.leader_change = match new_leader {
        Some((node, b, re, noops, at)) => format!(
            "replica {node} won phase 1 with ballot {b} {:.0} ms after the cut, for every slot from its first \
             unchosen one: it re-proposed {re} accepted slot(s) with its own ballot and filled {noops} gap(s) \
             with no-ops — per-slot recovery; any ballot may fill any slot",
            msf(at.saturating_since(cut))
        ),
        None => "no new leader".into(),
    };
    Ok(f)
}

fn paxos_leader(w: &World<MultiPaxos>, before: Instant) -> Option<NodeId> {
    let mut leader = None;
    for e in w.log().iter().filter(|e| e.at < before) {
        if let Record::Emit { node, event: MEvent::Leading { .. } } = &e.what {
            leader = Some(*node);
        }
    }
    leader
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_commit_in_the_steady_phase_and_recover_after_the_leader_is_cut_off() {
        let r = compare(&CompareParams::default()).expect("runs");
        eprintln!("{}", r.render());
        for f in [&r.zab, &r.paxos] {
            assert!(f.steady_writes >= 40, "{}: {f:?}", f.protocol);
            assert!(f.messages_per_write > 1.0, "{}: {f:?}", f.protocol);
            assert!(f.mean_latency_ms > 0.0, "{}: {f:?}", f.protocol);
            assert!(f.recovery_ms.is_some(), "{}: {f:?}", f.protocol);
            assert_ne!(f.leader_before, f.leader_after, "{}: a new leader", f.protocol);
            assert!(f.total_committed > f.steady_writes, "{}: {f:?}", f.protocol);
        }
        assert!(r.render().contains("messages per committed write"));
    }

    #[test]
    fn bad_parameters_are_refused() {
        let p = CompareParams { servers: 1, ..CompareParams::default() };
        assert!(compare(&p).is_err());
        let p = CompareParams { heal_at_ms: 100, ..CompareParams::default() };
        assert!(compare(&p).is_err());
    }
}
