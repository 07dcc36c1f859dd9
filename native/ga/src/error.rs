//! Errors of the GA: bad parameters (naming the field) and failed evaluations.

use std::fmt;

/// An option or parameter is invalid; `field` is its TypeScript name (`mutationRate`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterError {
    /// The camelCase name of the bad field.
    pub field: &'static str,
    /// What is wrong, without the field name (`must be in 0..=1, got 2`).
    pub message: String,
}

impl ParameterError {
    /// An error about `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

impl std::error::Error for ParameterError {}

/// Why a step failed.
#[derive(Debug)]
pub enum GaError {
    /// A parameter or option is invalid.
    Parameter(ParameterError),
    /// The evaluator failed (e.g. the JavaScript callback threw or returned the wrong length).
    Evaluation(String),
}

impl fmt::Display for GaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parameter(e) => e.fmt(f),
            Self::Evaluation(m) => write!(f, "evaluation failed: {m}"),
        }
    }
}

impl std::error::Error for GaError {}

impl From<ParameterError> for GaError {
    fn from(e: ParameterError) -> Self {
        Self::Parameter(e)
    }
}
