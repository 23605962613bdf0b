//! Classic Paxos beside ZAB (PROTOCOL.md §11): single-decree Paxos with
//! proposers, acceptors and learners (`single`), and Multi-Paxos with a
//! distinguished leader, a log of slots and a replicated key-value store
//! (`multi`). Both are sans-IO nodes of the `actor` contract, so the
//! deterministic world runs them over the same network model as ZooKeeper:
//! datagrams that may be lost, duplicated and reordered; acceptor state on
//! the world's disk, synced before any reply.

pub mod ballot;
pub mod model;
pub mod single;
pub mod multi;

pub use ballot::Ballot;
