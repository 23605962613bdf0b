//! Paxos in the world: the comparison of ZAB and Multi-Paxos on the same
//! network and workload (`compare`). The protocols themselves live in
//! `crates/paxos`; this module only builds worlds around them and reads
//! their traces.

pub mod compare;
pub mod single;

pub use compare::{compare, CompareParams, Figures, SideBySide};
