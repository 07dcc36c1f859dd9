//! Phi-accrual failure detection (Hayashibara et al., 2004), as Akka and Cassandra use it.
//!
//! Instead of a yes/no timeout, a detector gives a suspicion level `phi` that grows with the
//! time since the last heartbeat, scaled by how regular the heartbeats have been: `phi = 1`
//! means about a 10% chance that the node is still alive and the heartbeat is just late,
//! `phi = 8` about 1 in 10^8.
//!
//! [`DetectorSet`] keeps many series in dense slots and scores all of them in one call, which
//! is what a node does on every health check.
#![deny(clippy::all)]

mod interval_window;
mod options;
mod phi;
mod series;
mod set;

pub use interval_window::IntervalWindow;
pub use options::{DetectorOptions, OptionsError};
pub use phi::phi;
pub use series::Series;
pub use set::DetectorSet;
