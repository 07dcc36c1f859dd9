/// The last `capacity` values of one series, in a ring, with the robust baseline of them:
/// median and median absolute deviation (MAD).
#[derive(Debug, Clone)]
pub struct RobustWindow {
    values: Vec<f64>,
    next: usize,
    capacity: usize,
}

/// 1.4826 × MAD estimates the standard deviation of normally distributed values.
pub const MAD_TO_SIGMA: f64 = 1.482_6;

impl RobustWindow {
    /// An empty window of `capacity` values (> 0).
    pub fn new(capacity: usize) -> Self {
        Self {
            values: Vec::with_capacity(capacity),
            next: 0,
            capacity,
        }
    }

    /// Adds `value`, dropping the oldest one when full.
    pub fn push(&mut self, value: f64) {
        if self.values.len() < self.capacity {
            self.values.push(value);
        } else {
            self.values[self.next] = value;
        }
        self.next = (self.next + 1) % self.capacity;
    }

    /// How many values are held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True before the first value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `(median, mad)` of the values held, using `scratch` as working space (so that a set of
    /// windows shares one allocation); `None` when empty. With an even count the upper of the
    /// two middle values is taken: one selection instead of two, and no effect on a threshold
    /// far out in the tail. O(n).
    pub fn median_mad(&self, scratch: &mut Vec<f64>) -> Option<(f64, f64)> {
        if self.values.is_empty() {
            return None;
        }
        scratch.clear();
        scratch.extend_from_slice(&self.values);
        let mid = scratch.len() / 2;
        let median = *scratch.select_nth_unstable_by(mid, f64::total_cmp).1;
        for v in scratch.iter_mut() {
            *v = (*v - median).abs();
        }
        let mad = *scratch.select_nth_unstable_by(mid, f64::total_cmp).1;
        Some((median, mad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad_of_a_small_window() {
        let mut w = RobustWindow::new(5);
        for v in [1.0, 2.0, 3.0, 4.0, 100.0] {
            w.push(v);
        }
        // Deviations from 3: 2, 1, 0, 1, 97 -> median 1.
        assert_eq!(w.median_mad(&mut Vec::new()), Some((3.0, 1.0)));
    }

    #[test]
    fn the_ring_forgets_the_oldest_values() {
        let mut w = RobustWindow::new(3);
        for v in [50.0, 60.0, 1.0, 2.0, 3.0] {
            w.push(v);
        }
        assert_eq!(w.len(), 3);
        assert_eq!(w.median_mad(&mut Vec::new()), Some((2.0, 1.0)));
    }

    #[test]
    fn an_empty_window_has_no_baseline() {
        assert!(RobustWindow::new(4).median_mad(&mut Vec::new()).is_none());
        assert!(RobustWindow::new(4).is_empty());
    }
}
