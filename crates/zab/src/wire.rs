//! What travels between ZooKeeper clients and servers, and the [`Zk`]
//! protocol that names every type the host needs.

use crate::client::{ClientCall, ClientEvent};
use crate::server::{ServerCall, ServerEvent, ServerTimer, ServerWrite};
use actor::Protocol;
use serde::{Deserialize, Serialize};
use znode::{Code, Request, Response, WatchedEvent, Zxid};

/// Reply xids with a meaning of their own (`ClientCnxn`).
pub mod xid {
    pub const NOTIFICATION: i32 = -1;
    pub const PING: i32 = -2;
    pub const AUTH: i32 = -4;
    pub const SET_WATCHES: i32 = -8;
}

/// `ConnectRequest`, plus the remote address the server's socket reports
/// (the `ip` auth scheme matches against it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectRequest {
    pub last_zxid_seen: Zxid,
    pub timeout_ms: i32,
    /// 0 asks for a new session.
    pub session_id: u64,
    pub passwd: [u8; 16],
    pub read_only: bool,
    pub client_addr: String,
}

/// `ConnectResponse`: a timeout of 0 means the session is not valid
/// (expired, or a wrong password) and the server closes the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectResponse {
    pub timeout_ms: i32,
    pub session_id: u64,
    pub passwd: [u8; 16],
    pub read_only: bool,
}

/// Client → server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    Connect(ConnectRequest),
    Request {
        xid: i32,
        req: Request,
    },
    /// A four-letter word (`echo srvr | nc host 2181`): the first bytes on
    /// a fresh connection instead of a ConnectRequest.
    FourLetter(String),
}

/// Server → client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMsg {
    Connected(ConnectResponse),
    /// `ReplyHeader` and, on success, the response body.
    Reply {
        xid: i32,
        zxid: Zxid,
        err: Code,
        body: Option<Response>,
    },
    /// A watch notification (xid −1, zxid −1).
    Notification(WatchedEvent),
    /// The text a four-letter word answers (the server then closes).
    FourLetterReply(String),
}

/// Everything on ZooKeeper's connections: the client port, the election
/// port and the quorum port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ZkMsg {
    Client(ClientMsg),
    Server(ServerMsg),
    Election(crate::quorum::packet::ElectionMsg),
    Quorum(crate::quorum::packet::QuorumPacket),
}

impl ZkMsg {
    /// A short name for traces and views.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ZkMsg::Client(ClientMsg::Connect(_)) => "ConnectRequest",
            ZkMsg::Client(ClientMsg::Request { req, .. }) => req.op_name(),
            ZkMsg::Server(ServerMsg::Connected(_)) => "ConnectResponse",
            ZkMsg::Server(ServerMsg::Reply { .. }) => "reply",
            ZkMsg::Server(ServerMsg::Notification(_)) => "notification",
            ZkMsg::Client(ClientMsg::FourLetter(_)) => "four-letter word",
            ZkMsg::Server(ServerMsg::FourLetterReply(_)) => "four-letter reply",
            ZkMsg::Election(crate::quorum::packet::ElectionMsg::Hello { .. }) => "election hello",
            ZkMsg::Election(crate::quorum::packet::ElectionMsg::Notification(_)) => "vote",
            ZkMsg::Quorum(p) => p.name(),
        }
    }
}

/// A node's timers, whichever role it plays.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ZkTimer {
    Server(ServerTimer),
    Client(crate::client::ClientTimer),
    /// A scenario client's workload: time for its next operation.
    Workload,
}

/// Calls into a node from outside the protocol.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ZkCall {
    Client(ClientCall),
    Server(ServerCall),
    /// A line typed into a client's zkCli console.
    Console(String),
}

/// What nodes report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ZkEvent {
    Client(ClientEvent),
    Server(ServerEvent),
    /// A line a client's zkCli console printed.
    Console(ConsoleOutput),
}

/// One line of console output, with its stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsoleOutput {
    /// The prompt and the command, as typed.
    Input(String),
    Out(String),
    Err(String),
    /// The prompt changed (it shows the session state and the command
    /// count), so a view can show it by the input line.
    Prompt(String),
}

/// ZooKeeper: servers and clients speaking 3.8's client protocol.
#[derive(Clone, Copy, Debug)]
pub struct Zk;

impl Protocol for Zk {
    type Msg = ZkMsg;
    type Timer = ZkTimer;
    type Write = ServerWrite;
    type Call = ZkCall;
    type Event = ZkEvent;
}
