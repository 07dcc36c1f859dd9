//! `@hms/native`: the napi-rs binding of the HMS Rust crates. Thin by design: it converts
//! values and owns Rust memory; the logic lives in `hms-detect` and `hms-ga`.
#![deny(clippy::all)]

mod phi_detector_set;
mod population;
mod population_options;

pub use phi_detector_set::{PhiDetectorOptions, PhiDetectorSet, PhiScores};
pub use population::{describe_objective, evaluate_objective, Population};
pub use population_options::{
    GaParametersObject, InstanceOptions, PopulationState, ProblemOptions,
};
