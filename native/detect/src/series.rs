use crate::interval_window::IntervalWindow;
use crate::options::DetectorOptions;
use crate::phi::phi;

/// One heartbeat series: its window of intervals and the time of its last heartbeat.
///
/// The window's mean and standard deviation are cached at each heartbeat, so scoring (which
/// happens far more often across a whole set) costs one phi evaluation and no square root.
#[derive(Debug, Clone)]
pub struct Series {
    window: IntervalWindow,
    last_ms: Option<f64>,
    mean_ms: f64,
    std_dev_ms: f64,
}

impl Series {
    /// A series bootstrapped like Akka's: the window starts with two intervals,
    /// `estimate ∓ estimate / 4`, so the first scores are sensible before real intervals arrive.
    pub fn new(options: &DetectorOptions) -> Self {
        let mut window = IntervalWindow::new(options.window_size);
        let estimate = options.first_heartbeat_estimate_ms;
        window.push(estimate - estimate / 4.0);
        window.push(estimate + estimate / 4.0);
        let (mean_ms, std_dev_ms) = (window.mean(), window.std_dev());
        Self {
            window,
            last_ms: None,
            mean_ms,
            std_dev_ms,
        }
    }

    /// Records a heartbeat at `at_ms` (millis on any fixed clock). The first heartbeat only
    /// starts the clock; each later one adds an interval. Heartbeats earlier than the last one
    /// (reordered delivery) and non-finite times are ignored.
    pub fn heartbeat(&mut self, at_ms: f64) {
        if !at_ms.is_finite() {
            return;
        }
        match self.last_ms {
            Some(last) if at_ms < last => {}
            Some(last) => {
                self.window.push(at_ms - last);
                self.mean_ms = self.window.mean();
                self.std_dev_ms = self.window.std_dev();
                self.last_ms = Some(at_ms);
            }
            None => self.last_ms = Some(at_ms),
        }
    }

    /// The suspicion at `now_ms` (same clock as the heartbeats): 0 before the first heartbeat;
    /// otherwise finite, `>= 0` and non-decreasing in `now_ms`. A `now_ms` before the last
    /// heartbeat (clock skew) counts as no time elapsed.
    #[inline]
    pub fn phi(&self, now_ms: f64, options: &DetectorOptions) -> f64 {
        let Some(last) = self.last_ms else { return 0.0 };
        let elapsed = (now_ms - last).max(0.0);
        let mean = self.mean_ms + options.acceptable_pause_ms;
        let std_dev = self.std_dev_ms.max(options.min_std_dev_ms);
        phi(elapsed, mean, std_dev)
    }

    /// The time of the last heartbeat, in millis, if any.
    pub fn last_heartbeat_ms(&self) -> Option<f64> {
        self.last_ms
    }

    /// How many intervals the window holds (bootstrap ones included).
    pub fn intervals(&self) -> usize {
        self.window.len()
    }

    /// The mean interval of the window, in millis (before `acceptable_pause_ms` is added).
    pub fn mean_ms(&self) -> f64 {
        self.mean_ms
    }

    /// The standard deviation of the window, in millis (before the `min_std_dev_ms` floor).
    pub fn std_dev_ms(&self) -> f64 {
        self.std_dev_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Heartbeats every `every_ms` from 0; returns the time of the last one.
    fn steady(series: &mut Series, every_ms: f64, count: usize) -> f64 {
        for i in 0..count {
            series.heartbeat(i as f64 * every_ms);
        }
        (count - 1) as f64 * every_ms
    }

    #[test]
    fn starts_from_the_first_heartbeat_estimate() {
        let o = DetectorOptions {
            first_heartbeat_estimate_ms: 2000.0,
            ..Default::default()
        };
        let s = Series::new(&o);
        assert_eq!(s.intervals(), 2);
        assert_eq!(s.mean_ms(), 2000.0);
        assert_eq!(s.std_dev_ms(), 500.0);
    }

    #[test]
    fn regular_heartbeats_give_low_phi() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        let last = steady(&mut s, 1000.0, 50);
        for at in [0.0, 500.0, 1000.0, 1500.0] {
            let v = s.phi(last + at, &o);
            assert!(v < 1.0, "phi {at} ms after the last beat is {v}");
        }
    }

    #[test]
    fn the_first_heartbeat_is_judged_by_the_estimate() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        s.heartbeat(10_000.0);
        assert!(s.phi(11_000.0, &o) < 1.0);
        assert!(s.phi(20_000.0, &o) > 8.0);
    }

    #[test]
    fn silence_makes_phi_grow_monotonically_past_eight() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        let last = steady(&mut s, 1000.0, 50);
        let mut previous = 0.0;
        for gap in (0..=60_000).step_by(50) {
            let v = s.phi(last + gap as f64, &o);
            assert!(v.is_finite());
            assert!(v >= previous, "phi fell at +{gap} ms: {previous} -> {v}");
            previous = v;
        }
        assert!(s.phi(last + 3000.0, &o) < s.phi(last + 4000.0, &o));
        assert!(s.phi(last + 6000.0, &o) > 8.0);
        assert!(previous > 1000.0, "{previous}");
    }

    #[test]
    fn jittery_series_have_lower_phi_than_steady_ones_at_equal_silence() {
        let o = DetectorOptions {
            min_std_dev_ms: 10.0,
            ..Default::default()
        };
        let mut steady_s = Series::new(&o);
        let mut jittery = Series::new(&o);
        let mut t = 0.0;
        for i in 0..100 {
            steady_s.heartbeat(i as f64 * 1000.0);
            jittery.heartbeat(t);
            t += if i % 2 == 0 { 400.0 } else { 1600.0 };
        }
        let (steady_last, jittery_last) = (99_000.0, t - 400.0);
        assert!((jittery.mean_ms() - steady_s.mean_ms()).abs() < 20.0);
        for silence in [2200.0, 2500.0, 3000.0, 4000.0] {
            let (j, s) = (
                jittery.phi(jittery_last + silence, &o),
                steady_s.phi(steady_last + silence, &o),
            );
            assert!(j < s, "after {silence} ms: jittery {j} vs steady {s}");
        }
    }

    #[test]
    fn acceptable_pause_delays_suspicion() {
        let strict = DetectorOptions {
            acceptable_pause_ms: 0.0,
            ..Default::default()
        };
        let lenient = DetectorOptions {
            acceptable_pause_ms: 3000.0,
            ..Default::default()
        };
        let (mut a, mut b) = (Series::new(&strict), Series::new(&lenient));
        let last = steady(&mut a, 1000.0, 30);
        steady(&mut b, 1000.0, 30);
        assert!(a.phi(last + 2500.0, &strict) > 8.0);
        assert!(b.phi(last + 2500.0, &lenient) < 1.0);
    }

    #[test]
    fn heartbeats_back_in_time_or_not_finite_are_ignored() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        s.heartbeat(5000.0);
        for bad in [4000.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            s.heartbeat(bad);
        }
        assert_eq!(s.last_heartbeat_ms(), Some(5000.0));
        assert_eq!(s.intervals(), 2);
        s.heartbeat(6000.0);
        assert!(s.phi(6500.0, &o).is_finite());
    }

    #[test]
    fn now_before_the_last_heartbeat_counts_as_no_time_elapsed() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        s.heartbeat(5000.0);
        assert_eq!(s.phi(1000.0, &o), s.phi(5000.0, &o));
    }

    #[test]
    fn window_bound_is_respected() {
        let o = DetectorOptions {
            window_size: 10,
            ..Default::default()
        };
        let mut s = Series::new(&o);
        steady(&mut s, 500.0, 100);
        assert_eq!(s.intervals(), 10);
        // Only real 500 ms intervals remain: the bootstrap ones were pushed out.
        assert_eq!(s.mean_ms(), 500.0);
        assert_eq!(s.std_dev_ms(), 0.0);
    }

    #[test]
    fn no_heartbeat_means_no_suspicion() {
        let o = DetectorOptions::default();
        assert_eq!(Series::new(&o).phi(1e12, &o), 0.0);
    }
}
