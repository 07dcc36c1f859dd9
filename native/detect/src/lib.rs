//! Failure and anomaly detection for HMS.
//!
//! Phi-accrual failure detection (Hayashibara et al., 2004), as Akka's
//! `PhiAccrualFailureDetector` does it.
//!
//! Instead of a yes/no timeout, a detector gives a suspicion level `phi` that grows with the
//! time since the last heartbeat, scaled by how regular the heartbeats have been:
//! `phi = -log10 P(a heartbeat this late or later)`, so `phi = 1` means about a 10% chance that
//! the heartbeat is merely late, `phi = 8` about 1 in 10^8 (Akka's usual threshold).
//!
//! - [`phi()`]: the formula (Akka's logistic approximation of the normal CDF).
//! - [`IntervalWindow`]: the bounded ring of inter-arrival intervals with running statistics.
//! - [`Series`]: one heartbeat series.
//! - [`DetectorSet`]: many series in dense slots, all scored in one call
//!   ([`DetectorSet::phi_all`]), which is what a node does on every health check.
//!
//! Anomaly detection over many metric series (latency, event-loop lag, …):
//!
//! - [`AnomalySet`]: robust z-scores of each new value against the rolling median and MAD of
//!   the series' recent values, for many series in one call ([`AnomalySet::observe`]).
//! - [`RobustWindow`]: the bounded ring of one series' values, with its median and MAD.
//!
//! Times are `f64` millis on any fixed clock (epoch or monotonic), the same for heartbeats and
//! scoring.
#![deny(clippy::all)]
#![warn(missing_docs)]

mod anomaly_options;
mod anomaly_set;
mod interval_window;
mod options;
mod phi;
mod robust_window;
mod series;
mod set;

pub use anomaly_options::{AnomalyOptions, MAX_ANOMALY_SERIES, MAX_ANOMALY_WINDOW};
pub use anomaly_set::{AnomalySet, Finding};
pub use interval_window::IntervalWindow;
pub use options::{DetectorOptions, OptionsError, MAX_WINDOW_SIZE};
pub use phi::phi;
pub use robust_window::{RobustWindow, MAD_TO_SIGMA};
pub use series::Series;
pub use set::DetectorSet;
