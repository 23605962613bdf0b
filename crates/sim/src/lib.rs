//! The deterministic world every ZooScope run happens in.

pub mod conformance;
pub mod disk;
pub mod queue;
pub mod world;

pub use world::{Entry, Outgoing, Record, Stepped, World};
