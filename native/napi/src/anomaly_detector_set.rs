use hms_detect::{AnomalyOptions, AnomalySet, OptionsError};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of an {@link AnomalyDetectorSet}; every field is optional.
#[napi(object)]
pub struct AnomalyDetectorOptions {
    /// Values kept per series as its baseline: an integer in 3..=10000; default 60.
    pub window_size: Option<f64>,
    /// Values a series needs before it is scored: an integer in 1..=windowSize; default 10.
    pub warm_up: Option<f64>,
    /// Robust z-score at or above which a value is out of line, > 0; default 6.
    pub threshold: Option<f64>,
    /// An anomalous series clears when a value scores below this, 0..=threshold; default 3.
    pub clear_threshold: Option<f64>,
    /// Consecutive out-of-line values before a series is anomalous: 1..=windowSize; default 3.
    pub confirm: Option<f64>,
    /// Floor of the MAD, in the series' unit, > 0; default 1.
    pub min_mad: Option<f64>,
    /// Floor of the MAD as a fraction of |median|, >= 0; default 0.05.
    pub min_relative_mad: Option<f64>,
    /// Series kept at most (the least recently observed is evicted): 1..=1000000; default 4096.
    pub max_series: Option<f64>,
}

/// A series that is anomalous now.
#[napi(object)]
pub struct AnomalyFinding {
    /// The series' key.
    pub key: String,
    /// The value just observed, in the series' unit.
    pub value: f64,
    /// The series' median before this value: its normal level.
    pub baseline: f64,
    /// Robust z-score of the value: (value - median) / (1.4826 × floored MAD).
    pub score: f64,
}

/// Online anomaly detectors for many metric series (e.g. one per cell's latency), keyed by
/// string and fed in batches by `observe`: robust z-scores against each series' rolling median
/// and MAD. Only high values are anomalies.
#[napi]
pub struct AnomalyDetectorSet {
    set: AnomalySet,
}

fn invalid(err: OptionsError) -> Error {
    Error::new(Status::InvalidArg, err.to_string())
}

fn integer(option: &'static str, value: Option<f64>, default: usize) -> Result<usize> {
    let Some(v) = value else { return Ok(default) };
    if v.fract() == 0.0 && v >= 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        let message = format!("must be a whole number, got {v}");
        Err(invalid(OptionsError::new(option, message)))
    }
}

#[napi]
impl AnomalyDetectorSet {
    /// Creates an empty set. Throws, naming the option, when an option is invalid.
    #[napi(constructor)]
    pub fn new(options: Option<AnomalyDetectorOptions>) -> Result<Self> {
        let d = AnomalyOptions::default();
        let options = match options {
            Some(o) => AnomalyOptions {
                window_size: integer("windowSize", o.window_size, d.window_size)?,
                warm_up: integer("warmUp", o.warm_up, d.warm_up)?,
                threshold: o.threshold.unwrap_or(d.threshold),
                clear_threshold: o.clear_threshold.unwrap_or(d.clear_threshold),
                confirm: integer("confirm", o.confirm, d.confirm)?,
                min_mad: o.min_mad.unwrap_or(d.min_mad),
                min_relative_mad: o.min_relative_mad.unwrap_or(d.min_relative_mad),
                max_series: integer("maxSeries", o.max_series, d.max_series)?,
            },
            None => d,
        };
        Ok(Self {
            set: AnomalySet::new(options).map_err(invalid)?,
        })
    }

    /// Records `values[i]` for the series `keys[i]` at `nowMs` (millis, finite, >= 0) and
    /// returns the series anomalous now, in `keys` order. Values must be finite.
    #[napi]
    pub fn observe(
        &mut self,
        keys: Vec<String>,
        values: Float64Array,
        now_ms: f64,
    ) -> Result<Vec<AnomalyFinding>> {
        if !(now_ms.is_finite() && now_ms >= 0.0) {
            let message = format!("nowMs must be a finite number of millis >= 0, got {now_ms}");
            return Err(Error::new(Status::InvalidArg, message));
        }
        let values: &[f64] = &values;
        if values.len() != keys.len() {
            let message = format!(
                "values must have one number per key: {} keys, {} values",
                keys.len(),
                values.len()
            );
            return Err(Error::new(Status::InvalidArg, message));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            let message = format!("values[{i}] must be a finite number, got {}", values[i]);
            return Err(Error::new(Status::InvalidArg, message));
        }
        let found = self.set.observe(&keys, values, now_ms);
        Ok(found
            .into_iter()
            .map(|f| AnomalyFinding {
                key: keys[f.index].clone(),
                value: f.value,
                baseline: f.baseline,
                score: f.score,
            })
            .collect())
    }

    /// True when `key` is tracked and anomalous.
    #[napi]
    pub fn is_anomalous(&self, key: String) -> bool {
        self.set.is_anomalous(&key)
    }

    /// How many values `key` holds (at most `windowSize`; a value is scored once it holds
    /// `warmUp`); 0 for an unknown key.
    #[napi]
    pub fn samples(&self, key: String) -> u32 {
        self.set.samples(&key) as u32
    }

    /// Forgets `key`; false when it was unknown.
    #[napi]
    pub fn remove(&mut self, key: String) -> bool {
        self.set.remove(&key)
    }

    /// How many series are tracked (at most `maxSeries`).
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.set.len() as u32
    }
}
