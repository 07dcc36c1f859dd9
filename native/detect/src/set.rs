use crate::options::{DetectorOptions, OptionsError};
use crate::series::Series;

/// Many heartbeat series in dense slots, scored all at once.
///
/// Slots are small integers handed out by [`DetectorSet::add`]; removed slots are reused, so the
/// storage stays dense and `phi_all` walks one contiguous vector.
#[derive(Debug, Clone)]
pub struct DetectorSet {
    options: DetectorOptions,
    slots: Vec<Option<Series>>,
    free: Vec<usize>,
    live: usize,
}

impl DetectorSet {
    /// An empty set. Fails, naming the option, when `options` are invalid.
    pub fn new(options: DetectorOptions) -> Result<Self, OptionsError> {
        options.validate()?;
        Ok(Self { options, slots: Vec::new(), free: Vec::new(), live: 0 })
    }

    /// The options in force.
    pub fn options(&self) -> &DetectorOptions {
        &self.options
    }

    /// Adds a fresh series and returns its slot.
    pub fn add(&mut self) -> usize {
        let series = Series::new(&self.options);
        self.live += 1;
        if let Some(slot) = self.free.pop() {
            self.slots[slot] = Some(series);
            slot
        } else {
            self.slots.push(Some(series));
            self.slots.len() - 1
        }
    }

    /// Removes the series in `slot`; false when the slot is not in use.
    pub fn remove(&mut self, slot: usize) -> bool {
        match self.slots.get_mut(slot) {
            Some(s @ Some(_)) => {
                *s = None;
                self.free.push(slot);
                self.live -= 1;
                true
            }
            _ => false,
        }
    }

    /// Records a heartbeat of `slot` at `at_ms`; false when the slot is not in use.
    pub fn heartbeat(&mut self, slot: usize, at_ms: f64) -> bool {
        match self.slots.get_mut(slot) {
            Some(Some(s)) => {
                s.heartbeat(at_ms);
                true
            }
            _ => false,
        }
    }

    /// The phi of `slot` at `now_ms`; None when the slot is not in use.
    pub fn phi(&self, slot: usize, now_ms: f64) -> Option<f64> {
        match self.slots.get(slot) {
            Some(Some(s)) => Some(s.phi(now_ms, &self.options)),
            _ => None,
        }
    }

    /// Scores every slot at `now_ms` into `out` (index = slot; unused slots get NaN).
    /// `out` must hold at least [`DetectorSet::capacity`] values.
    pub fn phi_all(&self, now_ms: f64, out: &mut [f64]) {
        for (slot, s) in self.slots.iter().enumerate() {
            out[slot] = match s {
                Some(s) => s.phi(now_ms, &self.options),
                None => f64::NAN,
            };
        }
    }

    /// How many series are live.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when no series is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// How many slots exist (live or free): the length `phi_all` writes.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_scores_equal_one_by_one_scores() {
        let mut set = DetectorSet::new(DetectorOptions::default()).unwrap();
        let slots: Vec<usize> = (0..50).map(|_| set.add()).collect();
        for (i, &slot) in slots.iter().enumerate() {
            for k in 0..20 {
                set.heartbeat(slot, (k * (900 + i * 10)) as f64);
            }
        }
        let mut out = vec![0.0; set.capacity()];
        set.phi_all(30_000.0, &mut out);
        for &slot in &slots {
            assert_eq!(Some(out[slot]), set.phi(slot, 30_000.0));
        }
    }

    #[test]
    fn removed_slots_are_reused_and_score_as_nan_meanwhile() {
        let mut set = DetectorSet::new(DetectorOptions::default()).unwrap();
        let a = set.add();
        let b = set.add();
        assert!(set.remove(a));
        assert!(!set.remove(a));
        assert_eq!(set.len(), 1);
        let mut out = vec![0.0; set.capacity()];
        set.phi_all(1.0, &mut out);
        assert!(out[a].is_nan());
        assert!(!out[b].is_nan());
        assert_eq!(set.add(), a);
        assert_eq!(set.capacity(), 2);
    }

    #[test]
    fn unknown_slots_are_refused() {
        let mut set = DetectorSet::new(DetectorOptions::default()).unwrap();
        assert!(!set.heartbeat(3, 1.0));
        assert_eq!(set.phi(3, 1.0), None);
    }

    #[test]
    fn bad_options_name_the_option() {
        let bad = [
            (DetectorOptions { window_size: 0, ..Default::default() }, "windowSize"),
            (DetectorOptions { min_std_dev_ms: 0.0, ..Default::default() }, "minStdDevMs"),
            (DetectorOptions { min_std_dev_ms: f64::NAN, ..Default::default() }, "minStdDevMs"),
            (DetectorOptions { acceptable_pause_ms: -1.0, ..Default::default() }, "acceptablePauseMs"),
            (DetectorOptions { first_heartbeat_estimate_ms: f64::INFINITY, ..Default::default() }, "firstHeartbeatEstimateMs"),
        ];
        for (options, name) in bad {
            let err = DetectorSet::new(options).unwrap_err();
            assert_eq!(err.option, name);
            assert!(err.to_string().contains(name));
        }
    }
}
