use crate::options::OptionsError;

/// The largest accepted [`AnomalyOptions::window_size`].
pub const MAX_ANOMALY_WINDOW: usize = 10_000;
/// The largest accepted [`AnomalyOptions::max_series`].
pub const MAX_ANOMALY_SERIES: usize = 1_000_000;

/// Settings of an [`crate::AnomalySet`]: robust z-scores against a rolling median and MAD.
///
/// A value `x` scores `z = (x - median) / (1.4826 * spread)`, where `median` and the median
/// absolute deviation `mad` are taken over the series' last `window_size` values (not counting
/// `x`) and `spread = max(mad, min_mad, min_relative_mad * |median|)`. 1.4826 makes the MAD
/// estimate a normal distribution's standard deviation, so `z` reads like a z-score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyOptions {
    /// Values kept per series as the baseline, 3..=[`MAX_ANOMALY_WINDOW`] (default 60: a minute
    /// of 1 s heartbeats). JavaScript: `windowSize`.
    pub window_size: usize,
    /// Values a series must have before it is scored, 1..=`window_size` (default 10): a young
    /// series has no baseline yet. JavaScript: `warmUp`.
    pub warm_up: usize,
    /// Score at or above which a value is out of line, > 0 (default 6). JavaScript: `threshold`.
    pub threshold: f64,
    /// An anomalous series stays anomalous until a value scores below this, 0..=`threshold`
    /// (default 3): hysteresis, so a series near the threshold does not flap.
    /// JavaScript: `clearThreshold`.
    pub clear_threshold: f64,
    /// Consecutive out-of-line values before a series is anomalous, 1..=`window_size`
    /// (default 3): one or two stray samples (a GC pause) are not an anomaly; on steady traces
    /// with 1% blips, 2 gives ~90× the false alarms of 3 (bench/RESULTS.md). JavaScript: `confirm`.
    pub confirm: usize,
    /// Floor of the MAD, in the series' own unit, > 0 (default 1): a flat series (MAD 0) would
    /// otherwise call any change infinitely anomalous. JavaScript: `minMad`.
    pub min_mad: f64,
    /// Floor of the MAD as a fraction of |median|, >= 0 (default 0.05): a 100 ms latency that
    /// becomes 110 ms is noise, not an anomaly. JavaScript: `minRelativeMad`.
    pub min_relative_mad: f64,
    /// Series kept at most, 1..=[`MAX_ANOMALY_SERIES`] (default 4096); a new series beyond it
    /// evicts the one observed least recently. JavaScript: `maxSeries`.
    pub max_series: usize,
}

impl Default for AnomalyOptions {
    fn default() -> Self {
        Self {
            window_size: 60,
            warm_up: 10,
            threshold: 6.0,
            clear_threshold: 3.0,
            confirm: 3,
            min_mad: 1.0,
            min_relative_mad: 0.05,
            max_series: 4096,
        }
    }
}

fn integer_in(option: &'static str, v: usize, lo: usize, hi: usize) -> Result<(), OptionsError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(OptionsError::new(
            option,
            format!("must be an integer in {lo}..={hi}, got {v}"),
        ))
    }
}

impl AnomalyOptions {
    /// Checks every option; the first bad one is named in the error.
    pub fn validate(&self) -> Result<(), OptionsError> {
        integer_in("windowSize", self.window_size, 3, MAX_ANOMALY_WINDOW)?;
        integer_in("warmUp", self.warm_up, 1, self.window_size)?;
        integer_in("confirm", self.confirm, 1, self.window_size)?;
        integer_in("maxSeries", self.max_series, 1, MAX_ANOMALY_SERIES)?;
        let t = self.threshold;
        if !(t.is_finite() && t > 0.0) {
            return Err(OptionsError::new(
                "threshold",
                format!("must be a finite number > 0, got {t}"),
            ));
        }
        let c = self.clear_threshold;
        if !(c.is_finite() && (0.0..=t).contains(&c)) {
            return Err(OptionsError::new(
                "clearThreshold",
                format!("must be a number in 0..=threshold ({t}), got {c}"),
            ));
        }
        let m = self.min_mad;
        if !(m.is_finite() && m > 0.0) {
            return Err(OptionsError::new(
                "minMad",
                format!("must be a finite number > 0, got {m}"),
            ));
        }
        let r = self.min_relative_mad;
        if !(r.is_finite() && r >= 0.0) {
            return Err(OptionsError::new(
                "minRelativeMad",
                format!("must be a finite number >= 0, got {r}"),
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
        assert_eq!(AnomalyOptions::default().validate(), Ok(()));
    }

    #[test]
    fn bad_options_are_named() {
        let d = AnomalyOptions::default();
        let bad = [
            (
                AnomalyOptions {
                    window_size: 2,
                    ..d
                },
                "windowSize",
            ),
            (
                AnomalyOptions {
                    window_size: MAX_ANOMALY_WINDOW + 1,
                    ..d
                },
                "windowSize",
            ),
            (AnomalyOptions { warm_up: 0, ..d }, "warmUp"),
            (AnomalyOptions { warm_up: 61, ..d }, "warmUp"),
            (AnomalyOptions { confirm: 0, ..d }, "confirm"),
            (AnomalyOptions { max_series: 0, ..d }, "maxSeries"),
            (
                AnomalyOptions {
                    threshold: 0.0,
                    ..d
                },
                "threshold",
            ),
            (
                AnomalyOptions {
                    threshold: f64::NAN,
                    ..d
                },
                "threshold",
            ),
            (
                AnomalyOptions {
                    clear_threshold: 7.0,
                    ..d
                },
                "clearThreshold",
            ),
            (
                AnomalyOptions {
                    clear_threshold: -1.0,
                    ..d
                },
                "clearThreshold",
            ),
            (AnomalyOptions { min_mad: 0.0, ..d }, "minMad"),
            (
                AnomalyOptions {
                    min_relative_mad: -0.1,
                    ..d
                },
                "minRelativeMad",
            ),
            (
                AnomalyOptions {
                    min_relative_mad: f64::INFINITY,
                    ..d
                },
                "minRelativeMad",
            ),
        ];
        for (options, name) in bad {
            let err = options.validate().unwrap_err();
            assert_eq!(err.option, name, "{options:?}");
        }
    }
}
