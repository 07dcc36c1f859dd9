use std::fmt;

/// The largest accepted [`DetectorOptions::window_size`].
pub const MAX_WINDOW_SIZE: usize = 100_000;

/// Settings of a phi-accrual detector. Defaults follow Akka's cluster failure detector
/// (`akka.cluster.failure-detector`), scaled to HMS's 1 s heartbeat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorOptions {
    /// How many inter-arrival intervals are kept per series, 1..=[`MAX_WINDOW_SIZE`]
    /// (default 200, as in Akka's `max-sample-size`). JavaScript: `windowSize`.
    pub window_size: usize,
    /// Floor of the interval standard deviation, in millis, > 0 (default 100): without it, very
    /// regular heartbeats would make phi explode on the smallest delay. JavaScript: `minStdDevMs`.
    pub min_std_dev_ms: f64,
    /// Pause tolerated on top of the mean interval, in millis, >= 0 (default 1000): GC pauses,
    /// network hiccups. JavaScript: `acceptablePauseMs`.
    pub acceptable_pause_ms: f64,
    /// The interval assumed before any is seen, in millis, > 0 (default 1000): each series
    /// starts with two intervals of this mean and a deviation of a quarter of it, as in Akka.
    /// JavaScript: `firstHeartbeatEstimateMs`.
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

/// Why an option is invalid. Names the option as JavaScript spells it, since that is where
/// options come from.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionsError {
    /// The option's name, e.g. `"windowSize"`.
    pub option: &'static str,
    /// What is wrong with it, e.g. `"must be a number > 0, got -1"`.
    pub message: String,
}

impl OptionsError {
    /// An error about `option`.
    pub fn new(option: &'static str, message: impl Into<String>) -> Self {
        Self {
            option,
            message: message.into(),
        }
    }
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
        if !(1..=MAX_WINDOW_SIZE).contains(&self.window_size) {
            return Err(OptionsError::new(
                "windowSize",
                format!(
                    "must be an integer in 1..={MAX_WINDOW_SIZE}, got {}",
                    self.window_size
                ),
            ));
        }
        let positive = [
            ("minStdDevMs", self.min_std_dev_ms),
            ("firstHeartbeatEstimateMs", self.first_heartbeat_estimate_ms),
        ];
        for (option, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(OptionsError::new(
                    option,
                    format!("must be a finite number > 0, got {v}"),
                ));
            }
        }
        let v = self.acceptable_pause_ms;
        if !(v.is_finite() && v >= 0.0) {
            return Err(OptionsError::new(
                "acceptablePauseMs",
                format!("must be a finite number >= 0, got {v}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(DetectorOptions::default().validate(), Ok(()));
    }

    #[test]
    fn bounds_are_accepted() {
        let good = [
            DetectorOptions {
                window_size: 1,
                ..Default::default()
            },
            DetectorOptions {
                window_size: MAX_WINDOW_SIZE,
                ..Default::default()
            },
            DetectorOptions {
                acceptable_pause_ms: 0.0,
                ..Default::default()
            },
            DetectorOptions {
                min_std_dev_ms: 1e-3,
                first_heartbeat_estimate_ms: 1e-3,
                ..Default::default()
            },
        ];
        for options in good {
            assert_eq!(options.validate(), Ok(()), "{options:?}");
        }
    }

    #[test]
    fn bad_options_are_named() {
        let bad = [
            (
                DetectorOptions {
                    window_size: 0,
                    ..Default::default()
                },
                "windowSize",
            ),
            (
                DetectorOptions {
                    window_size: MAX_WINDOW_SIZE + 1,
                    ..Default::default()
                },
                "windowSize",
            ),
            (
                DetectorOptions {
                    min_std_dev_ms: 0.0,
                    ..Default::default()
                },
                "minStdDevMs",
            ),
            (
                DetectorOptions {
                    min_std_dev_ms: -1.0,
                    ..Default::default()
                },
                "minStdDevMs",
            ),
            (
                DetectorOptions {
                    min_std_dev_ms: f64::NAN,
                    ..Default::default()
                },
                "minStdDevMs",
            ),
            (
                DetectorOptions {
                    acceptable_pause_ms: -1.0,
                    ..Default::default()
                },
                "acceptablePauseMs",
            ),
            (
                DetectorOptions {
                    acceptable_pause_ms: f64::INFINITY,
                    ..Default::default()
                },
                "acceptablePauseMs",
            ),
            (
                DetectorOptions {
                    first_heartbeat_estimate_ms: 0.0,
                    ..Default::default()
                },
                "firstHeartbeatEstimateMs",
            ),
            (
                DetectorOptions {
                    first_heartbeat_estimate_ms: f64::NAN,
                    ..Default::default()
                },
                "firstHeartbeatEstimateMs",
            ),
        ];
        for (options, name) in bad {
            let err = options.validate().unwrap_err();
            assert_eq!(err.option, name);
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid option {name}: ")),
                "{err}"
            );
        }
    }
}
