//! `@hms/native`: the napi-rs binding of the HMS Rust crates. Thin by design: it converts
//! values and owns Rust memory; the logic lives in `hms-detect` and `hms-ga`.
#![deny(clippy::all)]

mod anomaly_detector_set;
mod ga_parameters;
mod phi_detector_set;
mod population;
mod population_options;
mod population_state;

pub use anomaly_detector_set::{AnomalyDetectorOptions, AnomalyDetectorSet, AnomalyFinding};
pub use ga_parameters::GaParametersObject;
pub use phi_detector_set::{PhiDetectorOptions, PhiDetectorSet, PhiScores};
pub use population::{describe_objective, evaluate_objective, Population};
pub use population_options::{InstanceOptions, ProblemOptions};
pub use population_state::PopulationState;
