/// A bounded window of heartbeat inter-arrival intervals (millis): a ring buffer with running
/// sums, so the mean and variance cost O(1) per heartbeat.
///
/// Running sums drift when old values are subtracted (a single 1-hour interval leaves rounding
/// residue in the sum of squares long after it left the window), so the sums are recomputed
/// exactly each time the ring wraps around: O(capacity) once per `capacity` pushes.
#[derive(Debug, Clone)]
pub struct IntervalWindow {
    values: Vec<f64>,
    next: usize,
    capacity: usize,
    sum: f64,
    sum_sq: f64,
}

impl IntervalWindow {
    /// An empty window that keeps at most `capacity` intervals (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        // Grow on demand beyond a page or so: a 100,000-interval window is rarely filled.
        let initial = capacity.min(256);
        Self {
            values: Vec::with_capacity(initial),
            next: 0,
            capacity,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    /// Adds an interval (millis, finite), dropping the oldest when full.
    pub fn push(&mut self, interval: f64) {
        debug_assert!(
            interval.is_finite(),
            "interval must be finite, got {interval}"
        );
        if self.values.len() < self.capacity {
            self.values.push(interval);
            self.sum += interval;
            self.sum_sq += interval * interval;
            return;
        }
        let old = std::mem::replace(&mut self.values[self.next], interval);
        self.next += 1;
        if self.next == self.capacity {
            self.next = 0;
            self.resum();
        } else {
            self.sum += interval - old;
            self.sum_sq += interval * interval - old * old;
        }
    }

    fn resum(&mut self) {
        self.sum = self.values.iter().sum();
        self.sum_sq = self.values.iter().map(|v| v * v).sum();
    }

    /// How many intervals are held (at most the capacity).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no interval is held.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The most intervals this window keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The mean interval, in millis (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.values.is_empty() {
            0.0
        } else {
            self.sum / self.values.len() as f64
        }
    }

    /// The population variance, in millis² (0 when empty; never negative despite rounding).
    pub fn variance(&self) -> f64 {
        if self.values.is_empty() {
            return 0.0;
        }
        let n = self.values.len() as f64;
        let mean = self.sum / n;
        (self.sum_sq / n - mean * mean).max(0.0)
    }

    /// The population standard deviation, in millis (0 when empty).
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_variance_of_a_few_values() {
        let mut w = IntervalWindow::new(10);
        for v in [1.0, 2.0, 3.0, 4.0] {
            w.push(v);
        }
        assert_eq!(w.len(), 4);
        assert!((w.mean() - 2.5).abs() < 1e-12);
        assert!((w.variance() - 1.25).abs() < 1e-12);
    }

    #[test]
    fn keeps_only_the_newest_capacity_values() {
        let mut w = IntervalWindow::new(3);
        for v in [100.0, 100.0, 100.0, 1.0, 2.0, 3.0, 4.0] {
            w.push(v);
        }
        assert_eq!(w.len(), 3);
        assert_eq!(w.capacity(), 3);
        assert!((w.mean() - 3.0).abs() < 1e-12);
        assert!((w.variance() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_window_has_zero_mean_and_variance() {
        let w = IntervalWindow::new(5);
        assert!(w.is_empty());
        assert_eq!(w.mean(), 0.0);
        assert_eq!(w.variance(), 0.0);
    }

    #[test]
    fn zero_capacity_means_one() {
        let mut w = IntervalWindow::new(0);
        w.push(5.0);
        w.push(7.0);
        assert_eq!(w.len(), 1);
        assert_eq!(w.mean(), 7.0);
    }

    #[test]
    fn a_huge_interval_leaves_no_residue_once_it_has_left_the_window() {
        // Regression: with running sums only, 3.6e6² ≈ 1.3e13 left rounding residue that showed
        // up as a spurious deviation of a perfectly steady series.
        let mut w = IntervalWindow::new(100);
        for _ in 0..50 {
            w.push(1000.1);
        }
        w.push(3_600_000.3);
        for _ in 0..1_000 {
            w.push(1000.1);
        }
        assert!((w.mean() - 1000.1).abs() < 1e-9, "{}", w.mean());
        assert!(w.variance() < 1e-9, "{}", w.variance());
    }
}
