//! The page's views, one component per file. Each is a function of the
//! props it is given; the state lives in `model::Model`.

pub mod cap;
pub mod cluster;
pub mod console;
pub mod header;
pub mod inspector;
pub mod network;
pub mod node_detail;
#[cfg(target_arch = "wasm32")]
pub mod paxos;
pub mod playback;
pub mod share;
pub mod spacetime;
pub mod tree;
pub mod watches;
