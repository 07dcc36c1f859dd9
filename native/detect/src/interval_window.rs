/// A bounded window of heartbeat inter-arrival intervals (millis) with running sums, so the
/// mean and variance cost O(1) per heartbeat and per score.
#[derive(Debug, Clone)]
pub struct IntervalWindow {
    values: Vec<f64>,
    next: usize,
    capacity: usize,
    sum: f64,
    sum_sq: f64,
}

impl IntervalWindow {
    /// An empty window that keeps at most `capacity` intervals.
    pub fn new(capacity: usize) -> Self {
        Self { values: Vec::with_capacity(capacity.min(1024)), next: 0, capacity: capacity.max(1), sum: 0.0, sum_sq: 0.0 }
    }

    /// Adds an interval, dropping the oldest when full.
    pub fn push(&mut self, interval: f64) {
        if self.values.len() < self.capacity {
            self.values.push(interval);
        } else {
            let old = self.values[self.next];
            self.sum -= old;
            self.sum_sq -= old * old;
            self.values[self.next] = interval;
            self.next = (self.next + 1) % self.capacity;
        }
        self.sum += interval;
        self.sum_sq += interval * interval;
    }

    /// How many intervals are held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no interval is held.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The mean interval (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.values.is_empty() {
            0.0
        } else {
            self.sum / self.values.len() as f64
        }
    }

    /// The population variance (0 when empty; never negative despite rounding).
    pub fn variance(&self) -> f64 {
        if self.values.is_empty() {
            return 0.0;
        }
        let n = self.values.len() as f64;
        let mean = self.sum / n;
        (self.sum_sq / n - mean * mean).max(0.0)
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
        for v in [100.0, 100.0, 100.0, 1.0, 2.0, 3.0] {
            w.push(v);
        }
        assert_eq!(w.len(), 3);
        assert!((w.mean() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn empty_window_has_zero_mean_and_variance() {
        let w = IntervalWindow::new(5);
        assert!(w.is_empty());
        assert_eq!(w.mean(), 0.0);
        assert_eq!(w.variance(), 0.0);
    }
}
