//! ZooKeeper scenarios: what a run is (data), its clients (a ZooKeeper
//! client with a zkCli console and a workload, as one node), and how it
//! runs and is summarised; zoo.cfg in and out.

pub mod campaign;
pub mod check;
pub mod client_node;
pub mod consistency;
pub mod fidelity;
pub mod runner;
pub mod scenario;
pub mod summary;
pub mod workload;
pub mod zoocfg;

pub use runner::{server_node, Hosting, Progress, ScenarioRun};
pub use scenario::{ClientSpec, Command, Scenario, ServerSpec, TimedFault, Workload, FORMAT};
pub use summary::Summary;
