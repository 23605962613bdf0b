//! ZooKeeper 3.8's data model, with no time and no IO: paths, Stat, create
//! modes, ACLs, the data tree and its watch tables, transactions, requests
//! and responses, and every error code by its ZooKeeper name.
//!
//! Where ZooKeeper's behaviour depends on Java's hash-table iteration order
//! (closing a session, expanding an `auth` ACL) the order is emulated in
//! [`java_hash`], so results match a real server's.

pub mod acl;
mod error;
pub mod java_hash;
pub mod mode;
pub mod ops;
pub mod path;
mod stat;
mod tree;
mod txn;
mod watch;

pub use acl::{Acl, Id};
pub use error::Code;
pub use mode::{CreateMode, EphemeralKind};
pub use ops::{
    AddWatchMode, ClientInfo, CreateOp, EventType, KeeperState, MultiOp, OpResult, Request, Response, SetWatches,
    WatchedEvent, WatcherType,
};
pub use stat::{SessionId, Stat, StatPersisted, Zxid};
pub use tree::{DataNode, DataTree, Fired, TreeImage};
pub use txn::{ApplyResult, LoggedTxn, SubKind, SubResult, Txn, TxnHeader};
pub use watch::{WatchManager, WatcherId, WatcherMode};
