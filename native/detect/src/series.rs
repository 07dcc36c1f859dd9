use crate::interval_window::IntervalWindow;
use crate::options::DetectorOptions;
use crate::phi::phi;

/// One heartbeat series: the intervals seen so far and the time of the last heartbeat.
#[derive(Debug, Clone)]
pub struct Series {
    window: IntervalWindow,
    last_ms: Option<f64>,
}

impl Series {
    /// A series bootstrapped like Akka's: two intervals around the first-heartbeat estimate,
    /// so the first scores are sensible before real intervals arrive.
    pub fn new(options: &DetectorOptions) -> Self {
        let mut window = IntervalWindow::new(options.window_size);
        let mean = options.first_heartbeat_estimate_ms;
        let std_dev = mean / 4.0;
        window.push(mean - std_dev);
        window.push(mean + std_dev);
        Self { window, last_ms: None }
    }

    /// Records a heartbeat at `at_ms`. Heartbeats that go back in time are ignored.
    pub fn heartbeat(&mut self, at_ms: f64) {
        match self.last_ms {
            Some(last) if at_ms < last => {}
            Some(last) => {
                self.window.push(at_ms - last);
                self.last_ms = Some(at_ms);
            }
            None => self.last_ms = Some(at_ms),
        }
    }

    /// The suspicion at `now_ms`; 0 before the first heartbeat.
    pub fn phi(&self, now_ms: f64, options: &DetectorOptions) -> f64 {
        let Some(last) = self.last_ms else { return 0.0 };
        let mean = self.window.mean() + options.acceptable_pause_ms;
        let std_dev = self.window.variance().sqrt().max(options.min_std_dev_ms);
        phi(now_ms - last, mean, std_dev)
    }

    /// The time of the last heartbeat, if any.
    pub fn last_heartbeat_ms(&self) -> Option<f64> {
        self.last_ms
    }

    /// How many intervals the window holds (bootstrap ones included).
    pub fn intervals(&self) -> usize {
        self.window.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(series: &mut Series, every_ms: f64, count: usize) -> f64 {
        let mut t = 0.0;
        for _ in 0..count {
            series.heartbeat(t);
            t += every_ms;
        }
        t - every_ms
    }

    #[test]
    fn steady_heartbeats_give_low_phi_right_after_a_beat() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        let last = steady(&mut s, 1000.0, 50);
        assert!(s.phi(last + 1000.0, &o) < 1.0);
    }

    #[test]
    fn silence_makes_phi_grow_past_eight() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        let last = steady(&mut s, 1000.0, 50);
        let a = s.phi(last + 2000.0, &o);
        let b = s.phi(last + 3000.0, &o);
        let c = s.phi(last + 6000.0, &o);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert!(c > 8.0, "{c}");
    }

    #[test]
    fn jittery_series_are_suspected_later_than_steady_ones() {
        let o = DetectorOptions { min_std_dev_ms: 10.0, ..DetectorOptions::default() };
        let mut steady_s = Series::new(&o);
        let mut jittery = Series::new(&o);
        let mut t = 0.0;
        for i in 0..100 {
            steady_s.heartbeat(i as f64 * 1000.0);
            jittery.heartbeat(t);
            t += if i % 2 == 0 { 400.0 } else { 1600.0 };
        }
        let gap = 2500.0;
        assert!(jittery.phi(t - 1600.0 + gap, &o) < steady_s.phi(99_000.0 + gap, &o));
    }

    #[test]
    fn heartbeats_back_in_time_are_ignored() {
        let o = DetectorOptions::default();
        let mut s = Series::new(&o);
        s.heartbeat(5000.0);
        s.heartbeat(4000.0);
        assert_eq!(s.last_heartbeat_ms(), Some(5000.0));
        assert_eq!(s.intervals(), 2);
    }

    #[test]
    fn window_bound_is_respected() {
        let o = DetectorOptions { window_size: 10, ..DetectorOptions::default() };
        let mut s = Series::new(&o);
        steady(&mut s, 500.0, 100);
        assert_eq!(s.intervals(), 10);
    }

    #[test]
    fn no_heartbeat_means_no_suspicion() {
        let o = DetectorOptions::default();
        assert_eq!(Series::new(&o).phi(1e9, &o), 0.0);
    }
}
