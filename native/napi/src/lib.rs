//! `@hms/native`: the napi-rs binding of the HMS Rust crates. Thin by design: it converts
//! values and owns Rust memory; the logic lives in `hms-detect` (and later `hms-ga`).
#![deny(clippy::all)]

mod phi_detector_set;

pub use phi_detector_set::{PhiDetectorOptions, PhiDetectorSet, PhiScores};
