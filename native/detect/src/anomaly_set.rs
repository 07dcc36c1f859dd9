use std::collections::HashMap;

use crate::anomaly_options::AnomalyOptions;
use crate::options::OptionsError;
use crate::robust_window::{RobustWindow, MAD_TO_SIGMA};

/// A series that is anomalous after an [`AnomalySet::observe`] call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// Position of the series in the `keys` passed to `observe`.
    pub index: usize,
    /// The value observed, in the series' unit.
    pub value: f64,
    /// The median of the series before this value: what is normal for it.
    pub baseline: f64,
    /// The robust z-score of the value (see [`AnomalyOptions`]).
    pub score: f64,
}

#[derive(Debug, Clone)]
struct AnomalySeries {
    window: RobustWindow,
    /// Consecutive values at or above the threshold.
    over: usize,
    anomalous: bool,
    last_ms: f64,
}

/// Online anomaly detection over many series (e.g. each cell's latency), keyed by string:
/// every value is scored against a rolling median and MAD of the series' own recent values
/// (see [`AnomalyOptions`]) and then joins them.
///
/// Only high values are anomalies: the metrics watched (latency, event-loop lag, mailbox depth,
/// error rate) are bad when they grow. A series becomes anomalous after `confirm` consecutive
/// values scoring `>= threshold`, and stays so until a value scores `< clear_threshold`. A
/// lasting change joins the baseline, so after about half a window it is the new normal.
#[derive(Debug, Clone)]
pub struct AnomalySet {
    options: AnomalyOptions,
    index: HashMap<String, usize>,
    keys: Vec<String>,
    series: Vec<AnomalySeries>,
    scratch: Vec<f64>,
}

impl AnomalySet {
    /// An empty set. Fails, naming the option, when `options` are invalid.
    pub fn new(options: AnomalyOptions) -> Result<Self, OptionsError> {
        options.validate()?;
        Ok(Self {
            options,
            index: HashMap::new(),
            keys: Vec::new(),
            series: Vec::new(),
            scratch: Vec::with_capacity(options.window_size),
        })
    }

    /// The options in force.
    pub fn options(&self) -> &AnomalyOptions {
        &self.options
    }

    /// The batch kernel: records `values[i]` for series `keys[i]` at `now_ms` (millis, used
    /// only to find the least recently observed series to evict) and returns the series that
    /// are anomalous now, in `keys` order. A new key starts a series; beyond `max_series` it
    /// evicts the series observed least recently. Non-finite values are skipped.
    ///
    /// # Panics
    ///
    /// When `keys` and `values` differ in length.
    pub fn observe<K: AsRef<str>>(
        &mut self,
        keys: &[K],
        values: &[f64],
        now_ms: f64,
    ) -> Vec<Finding> {
        assert_eq!(keys.len(), values.len(), "observe needs one value per key");
        let mut found = Vec::new();
        for (index, (key, &value)) in keys.iter().zip(values).enumerate() {
            if !value.is_finite() {
                continue;
            }
            let slot = self.slot_for(key.as_ref(), now_ms);
            let options = &self.options;
            let s = &mut self.series[slot];
            s.last_ms = now_ms;
            let scored = if s.window.len() >= options.warm_up {
                s.window.median_mad(&mut self.scratch)
            } else {
                None
            };
            s.window.push(value);
            let Some((median, mad)) = scored else {
                continue;
            };
            let spread = mad
                .max(options.min_mad)
                .max(options.min_relative_mad * median.abs());
            let score = (value - median) / (MAD_TO_SIGMA * spread);
            if score >= options.threshold {
                s.over += 1;
            } else {
                s.over = 0;
            }
            if s.anomalous {
                s.anomalous = score >= options.clear_threshold;
            } else {
                s.anomalous = s.over >= options.confirm;
            }
            if s.anomalous {
                found.push(Finding {
                    index,
                    value,
                    baseline: median,
                    score,
                });
            }
        }
        found
    }

    /// Forgets `key`; false when it was unknown.
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(slot) = self.index.remove(key) else {
            return false;
        };
        self.keys.swap_remove(slot);
        self.series.swap_remove(slot);
        if let Some(moved) = self.keys.get(slot) {
            self.index.insert(moved.clone(), slot);
        }
        true
    }

    /// True when `key` is tracked and anomalous.
    pub fn is_anomalous(&self, key: &str) -> bool {
        self.index
            .get(key)
            .is_some_and(|&slot| self.series[slot].anomalous)
    }

    /// How many values `key` has (at most the window size); 0 for an unknown key.
    pub fn samples(&self, key: &str) -> usize {
        self.index
            .get(key)
            .map_or(0, |&slot| self.series[slot].window.len())
    }

    /// How many series are tracked.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when no series is tracked.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    fn slot_for(&mut self, key: &str, now_ms: f64) -> usize {
        if let Some(&slot) = self.index.get(key) {
            return slot;
        }
        if self.series.len() >= self.options.max_series {
            let oldest = self
                .series
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.last_ms.total_cmp(&b.1.last_ms))
                .map(|(slot, _)| slot)
                .expect("max_series >= 1");
            let evicted = self.keys[oldest].clone();
            self.remove(&evicted);
        }
        self.keys.push(key.to_owned());
        self.series.push(AnomalySeries {
            window: RobustWindow::new(self.options.window_size),
            over: 0,
            anomalous: false,
            last_ms: now_ms,
        });
        self.index.insert(key.to_owned(), self.series.len() - 1);
        self.series.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> AnomalySet {
        AnomalySet::new(AnomalyOptions::default()).unwrap()
    }

    /// A deterministic "noisy" value around `mean`: +-`jitter` from a small LCG.
    fn noise(seed: &mut u64, mean: f64, jitter: f64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (*seed >> 11) as f64 / (1u64 << 53) as f64;
        mean + (2.0 * u - 1.0) * jitter
    }

    #[test]
    fn a_steady_series_is_never_anomalous() {
        let mut set = set();
        let mut seed = 7;
        for t in 0..10_000 {
            let v = noise(&mut seed, 20.0, 4.0);
            assert!(set.observe(&["a"], &[v], t as f64).is_empty(), "t {t}: {v}");
        }
    }

    #[test]
    fn a_spike_is_anomalous_within_confirm_samples() {
        let mut set = set();
        let mut seed = 1;
        for t in 0..100 {
            set.observe(&["a"], &[noise(&mut seed, 20.0, 4.0)], t as f64);
        }
        for (t, v) in [(100, 200.0), (101, 205.0)] {
            assert!(
                set.observe(&["a"], &[v], t as f64).is_empty(),
                "fewer than confirm (3) samples are not enough"
            );
        }
        let found = set.observe(&["a"], &[210.0], 102.0);
        assert_eq!(found.len(), 1);
        let f = found[0];
        assert_eq!((f.index, f.value), (0, 210.0));
        assert!((f.baseline - 20.0).abs() < 4.0, "{f:?}");
        assert!(f.score > 6.0, "{f:?}");
        assert!(set.is_anomalous("a"));
    }

    #[test]
    fn nothing_is_scored_during_warm_up() {
        let mut set = AnomalySet::new(AnomalyOptions {
            confirm: 1,
            ..Default::default()
        })
        .unwrap();
        for t in 0..9 {
            set.observe(&["a"], &[if t < 5 { 1.0 } else { 1000.0 }], t as f64);
            assert!(!set.is_anomalous("a"), "t {t}");
        }
        set.observe(&["a"], &[1.0], 9.0);
        assert_eq!(set.samples("a"), 10);
        assert_eq!(
            set.observe(&["a"], &[1e6], 10.0).len(),
            1,
            "scored once warm"
        );
    }

    #[test]
    fn the_mad_floor_keeps_a_flat_series_from_alarming_on_a_small_change() {
        let mut set = set();
        for t in 0..30 {
            set.observe(&["flat"], &[5.0], t as f64);
        }
        // MAD 0; the floor of 1 makes 5 -> 9 a score of 2.7, not infinity.
        for t in 30..40 {
            assert!(set.observe(&["flat"], &[9.0], t as f64).is_empty());
        }
        // ...while 5 -> 20 still is one (score 10).
        let mut set = self::set();
        for t in 0..30 {
            set.observe(&["flat"], &[5.0], t as f64);
        }
        set.observe(&["flat"], &[20.0], 30.0);
        set.observe(&["flat"], &[20.0], 31.0);
        assert_eq!(set.observe(&["flat"], &[20.0], 32.0).len(), 1);
    }

    #[test]
    fn the_relative_floor_tolerates_small_changes_of_large_values() {
        let mut set = set();
        for t in 0..30 {
            set.observe(&["slow"], &[1000.0], t as f64);
        }
        for t in 30..40 {
            assert!(set.observe(&["slow"], &[1200.0], t as f64).is_empty());
        }
    }

    #[test]
    fn an_anomaly_clears_with_hysteresis_and_a_lasting_change_becomes_normal() {
        let mut set = set();
        let mut seed = 3;
        for t in 0..60 {
            set.observe(&["a"], &[noise(&mut seed, 10.0, 2.0)], t as f64);
        }
        for t in 60..63 {
            set.observe(&["a"], &[100.0], t as f64);
        }
        assert!(set.is_anomalous("a"));
        // Back to normal: clears at once (score < clear threshold).
        set.observe(&["a"], &[10.0], 63.0);
        assert!(!set.is_anomalous("a"));
        // A level shift: anomalous first, normal after about half a window.
        let mut flagged = 0;
        for t in 64..200 {
            if !set.observe(&["a"], &[100.0], t as f64).is_empty() {
                flagged += 1;
            }
        }
        assert!((20..=40).contains(&flagged), "flagged {flagged}");
        assert!(!set.is_anomalous("a"));
    }

    #[test]
    fn many_series_in_one_batch_are_scored_independently() {
        let mut set = set();
        let keys: Vec<String> = (0..500).map(|i| format!("cell-{i}")).collect();
        let mut seed = 11;
        for t in 0..50 {
            let values: Vec<f64> = (0..500)
                .map(|i| noise(&mut seed, 10.0 + i as f64, 1.0 + (i % 5) as f64))
                .collect();
            assert!(set.observe(&keys, &values, t as f64).is_empty(), "t {t}");
        }
        let spiking = [3usize, 250, 499];
        for t in 50..53 {
            let values: Vec<f64> = (0..500)
                .map(|i| {
                    let base = noise(&mut seed, 10.0 + i as f64, 1.0 + (i % 5) as f64);
                    if spiking.contains(&i) {
                        base * 10.0 + 100.0
                    } else {
                        base
                    }
                })
                .collect();
            let found = set.observe(&keys, &values, t as f64);
            if t == 52 {
                let idx: Vec<usize> = found.iter().map(|f| f.index).collect();
                assert_eq!(idx, spiking);
            }
        }
        assert_eq!(set.len(), 500);
    }

    #[test]
    fn the_least_recently_observed_series_is_evicted_beyond_max_series() {
        let mut set = AnomalySet::new(AnomalyOptions {
            max_series: 3,
            ..Default::default()
        })
        .unwrap();
        set.observe(&["a", "b", "c"], &[1.0, 1.0, 1.0], 0.0);
        set.observe(&["a", "c"], &[1.0, 1.0], 1.0);
        set.observe(&["d"], &[1.0], 2.0);
        assert_eq!(set.len(), 3);
        assert_eq!(set.samples("b"), 0, "b was the least recent");
        assert_eq!(set.samples("a"), 2);
        assert_eq!(set.samples("c"), 2);
        assert_eq!(set.samples("d"), 1);
    }

    #[test]
    fn removal_keeps_the_other_series() {
        let mut set = set();
        set.observe(&["a", "b", "c"], &[1.0, 2.0, 3.0], 0.0);
        assert!(set.remove("a"));
        assert!(!set.remove("a"));
        assert_eq!(set.samples("c"), 1);
        set.observe(&["c"], &[3.0], 1.0);
        assert_eq!(set.samples("c"), 2);
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn non_finite_values_are_skipped() {
        let mut set = set();
        set.observe(&["a", "b"], &[f64::NAN, 1.0], 0.0);
        assert_eq!(set.samples("a"), 0);
        assert_eq!(set.samples("b"), 1);
    }
}
