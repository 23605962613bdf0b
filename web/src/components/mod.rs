//! The page's views, one component per file. Each is a function of the
//! props it is given; the state lives in `model::Model`.

pub mod cap;
pub mod cluster;
pub mod console;
pub mod header;
pub mod inspector;
pub mod network;
pub mod node_detail;
pub mod playback;
pub mod share;
pub mod spacetime;
pub mod tree;
pub mod watches;
