use std::fmt;

/// Settings of a phi-accrual detector. Defaults follow Akka's
/// `akka.remote.watch-failure-detector`, scaled to HMS's 1 s heartbeat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorOptions {
    /// How many inter-arrival intervals are kept per series (default 200).
    pub window_size: usize,
    /// Floor of the standard deviation, in millis, so very regular heartbeats do not make
    /// phi explode on the smallest delay (default 100).
    pub min_std_dev_ms: f64,
    /// Extra pause tolerated on top of the mean interval, in millis (default 1000): GC pauses,
    /// network hiccups.
    pub acceptable_pause_ms: f64,
    /// The interval assumed before any has been seen, in millis (default 1000); the window
    /// starts with this mean and a deviation of a quarter of it, as in Akka.
    pub first_heartbeat_estimate_ms: f64,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        Self {
            window_size: 200,
            min_std_dev_ms: 100.0,
            acceptable_pause_ms: 1000.0,
            first_heartbeat_estimate_ms: 1000.0,
        }
    }
}

/// Why a [`DetectorOptions`] is invalid; names the option.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionsError {
    /// The option's name as the JavaScript side spells it.
    pub option: &'static str,
    pub message: String,
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid option {}: {}", self.option, self.message)
    }
}

impl std::error::Error for OptionsError {}

impl DetectorOptions {
    /// Checks every option; the first bad one is named in the error.
    pub fn validate(&self) -> Result<(), OptionsError> {
        if self.window_size == 0 || self.window_size > 100_000 {
            return Err(OptionsError {
                option: "windowSize",
                message: format!("must be 1..=100000, got {}", self.window_size),
            });
        }
        let positive = [
            ("minStdDevMs", self.min_std_dev_ms),
            ("firstHeartbeatEstimateMs", self.first_heartbeat_estimate_ms),
        ];
        for (option, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(OptionsError { option, message: format!("must be a positive number, got {v}") });
            }
        }
        if !(self.acceptable_pause_ms.is_finite() && self.acceptable_pause_ms >= 0.0) {
            return Err(OptionsError {
                option: "acceptablePauseMs",
                message: format!("must be a number >= 0, got {}", self.acceptable_pause_ms),
            });
        }
        Ok(())
    }
}
