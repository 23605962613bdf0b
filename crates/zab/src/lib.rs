//! A ZooKeeper server and client as sans-IO nodes.
//!
//! - [`server`]: the request pipeline (`prepare` as PrepRequestProcessor,
//!   `apply` via the data tree as FinalRequestProcessor), sessions with
//!   expiry, ephemerals and watches; the standalone server.
//! - [`client`]: the client library's session state machine.
//! - [`wire`]: what travels between them, and the [`wire::Zk`] protocol.

pub mod client;
mod java_random;
pub mod quorum;
pub mod server;
pub mod wire;

pub use client::{Client, ClientCall, ClientConfig, ClientEvent, ClientState, ClientTimer};
pub use server::{ServerConfig, ServerEvent, StandaloneServer};
pub use wire::{ConsoleOutput, Zk, ZkCall, ZkEvent, ZkMsg, ZkTimer};
