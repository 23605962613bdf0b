//! The deterministic world every ZooScope run happens in.

pub mod clock;
pub mod conformance;
pub mod disk;
pub mod fault;
pub mod link;
pub mod net;
pub mod paxos;
pub mod queue;
pub mod rng;
pub mod trace;
pub mod world;
pub mod zk;

pub use fault::Fault;
pub use net::{LinkSpec, Network};
pub use trace::{emitted, DropReason, Entry, Record};
pub use world::{Outgoing, Progress, Status, Stepped, World, WorldError};
