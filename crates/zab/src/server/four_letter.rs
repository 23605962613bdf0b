//! Answering a four-letter word from a server's state: fill the view the
//! words print ([`fourlw`](super::fourlw)) from a [`ServerCore`], answer,
//! apply what the word changes, and close the connection.

use super::core::ServerCore;
use super::fourlw::{
    self, ConfView, ConnectionInfo, FourLetterAction, FourLetterReply, FourLetterView, ServingMode, WatchDump,
};
use crate::wire::{ServerMsg, Zk, ZkMsg};
use actor::{ConnId, Effect, Effects, Instant};

/// Where the simulated servers keep their data (what `conf` prints).
pub const DATA_DIR: &str = "/var/lib/zookeeper";

/// The socket address a connection's peer shows (`/127.0.0.1:<port>`): the
/// host the client named, and an ephemeral port drawn from the connection's
/// name so it is stable and distinct.
pub fn remote_address(addr: &str, conn: ConnId) -> String {
    let host = if addr.is_empty() { "127.0.0.1" } else { addr };
    let port = 32768 + (conn.opener.0.wrapping_mul(7919).wrapping_add(conn.seq) % 28232);
    format!("/{host}:{port}")
}

impl ServerCore {
    /// What the words print about this server, answered on `asking`.
    pub fn four_letter_view(&self, now: Instant, mode: ServingMode, asking: ConnId) -> FourLetterView {
        let tree = &self.db.tree;
        let session_of = |w| self.cnxns.by_watcher(w).and_then(|c| c.session).unwrap_or(0);
        let mut connections: Vec<ConnectionInfo> = self
            .cnxns
            .iter()
            .filter(|c| c.conn != asking)
            .map(|c| ConnectionInfo {
                remote: remote_address(&c.addr, c.conn),
                interest_ops: 1,
                outstanding: 0,
                session_id: c.session.unwrap_or(0),
                established_ms: self.cfg.wall_ms(Instant::ZERO) + c.established_ms as i64,
                session_timeout_ms: c.timeout_ms,
                stats: c.stats.clone(),
            })
            .collect();
        connections.push(ConnectionInfo::four_letter_asker(&remote_address("", asking)));
        let (_, _, data_watches) = tree.data_watches().summary();
        let (_, _, child_watches) = tree.child_watches().summary();
        let quorum_member = !matches!(mode, ServingMode::Standalone);
        FourLetterView {
            mode,
            last_zxid: self.db.last_processed_zxid(),
            node_count: tree.node_count(),
            stats: self.stats.clone(),
            connections,
            watches: WatchDump::from_manager(tree.data_watches(), session_of),
            watch_count: data_watches + child_watches,
            ephemerals_count: tree.ephemeral_count(),
            approximate_data_size: tree.approximate_data_size(),
            global_sessions: self.db.sessions.len(),
            uptime_ms: now.saturating_since(self.started).as_millis(),
            conf: ConfView {
                data_dir: DATA_DIR.into(),
                data_log_dir: DATA_DIR.into(),
                server_id: if quorum_member { u64::from(self.me.0) } else { 0 },
                ..ConfView::default()
            },
            ..FourLetterView::default()
        }
    }

    /// Answer `word` on `conn` from `view`, apply what it changes, close.
    pub fn answer_four_letter(&mut self, conn: ConnId, word: &str, mut view: FourLetterView, out: &mut Effects<Zk>) {
        // 3.8 counts the word as a packet before it answers.
        if fourlw::is_four_letter_word(word) {
            self.stats.packet_received();
            view.stats = self.stats.clone();
        }
        let view = &view;
        match fourlw::four_letter_action(word, view, &self.cfg) {
            FourLetterAction::ResetServerStats => self.stats.reset(),
            FourLetterAction::ResetConnectionStats => {
                let conns: Vec<ConnId> = self.cnxns.iter().map(|c| c.conn).collect();
                for c in conns {
                    if let Some(c) = self.cnxns.get_mut(c) {
                        c.stats.reset();
                    }
                }
            }
            FourLetterAction::SetTraceMask(_) | FourLetterAction::None => {}
        }
        if let FourLetterReply::Text(text) = fourlw::four_letter(word, view, &self.cfg) {
            out.push(Effect::Send { conn, msg: ZkMsg::Server(ServerMsg::FourLetterReply(text)) });
        }
        self.close(conn, out);
    }
}
