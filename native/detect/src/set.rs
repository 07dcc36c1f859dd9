use crate::options::{DetectorOptions, OptionsError};
use crate::series::Series;

/// Many heartbeat series sharing one [`DetectorOptions`], in dense slots, scored all at once.
///
/// Slots are small integers handed out by [`DetectorSet::add`]; removed slots go on a free list
/// and are handed out again first, so storage stays dense and [`DetectorSet::phi_all`] walks
/// one contiguous vector.
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
        Ok(Self {
            options,
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        })
    }

    /// The options in force.
    pub fn options(&self) -> &DetectorOptions {
        &self.options
    }

    /// Starts a fresh series (no heartbeat yet) and returns its slot: the most recently freed
    /// slot if any, else a new one.
    pub fn add(&mut self) -> usize {
        let series = Some(Series::new(&self.options));
        self.live += 1;
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = series;
                slot
            }
            None => {
                self.slots.push(series);
                self.slots.len() - 1
            }
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

    /// Records a heartbeat of `slot` at `at_ms` (millis; see [`Series::heartbeat`]); false
    /// when the slot is not in use.
    pub fn heartbeat(&mut self, slot: usize, at_ms: f64) -> bool {
        match self.slots.get_mut(slot) {
            Some(Some(s)) => {
                s.heartbeat(at_ms);
                true
            }
            _ => false,
        }
    }

    /// The series in `slot`, if in use.
    pub fn series(&self, slot: usize) -> Option<&Series> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    /// The phi of `slot` at `now_ms` (millis); `None` when the slot is not in use.
    pub fn phi(&self, slot: usize, now_ms: f64) -> Option<f64> {
        self.series(slot).map(|s| s.phi(now_ms, &self.options))
    }

    /// The batch kernel: scores every slot at `now_ms` (millis) into `out`, indexed by slot.
    /// Free slots get NaN, so they cannot be mistaken for a score.
    ///
    /// # Panics
    ///
    /// When `out` is shorter than [`DetectorSet::capacity`]; values past it are left alone.
    pub fn phi_all(&self, now_ms: f64, out: &mut [f64]) {
        assert!(
            out.len() >= self.slots.len(),
            "phi_all needs room for {} slots, got {}",
            self.slots.len(),
            out.len()
        );
        let options = &self.options;
        for (out, s) in out.iter_mut().zip(&self.slots) {
            *out = match s {
                Some(s) => s.phi(now_ms, options),
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

    /// How many slots exist, live or free: the length [`DetectorSet::phi_all`] writes.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> DetectorSet {
        DetectorSet::new(DetectorOptions::default()).unwrap()
    }

    #[test]
    fn batch_scores_equal_one_by_one_scores() {
        let mut set = set();
        let slots: Vec<usize> = (0..300).map(|_| set.add()).collect();
        for (i, &slot) in slots.iter().enumerate() {
            let every = 500 + (i * 37) % 1500;
            let jitter = (i * 13) % 200;
            for k in 0..(i % 40) {
                set.heartbeat(slot, (k * every + (k * jitter) % 97) as f64);
            }
        }
        for &slot in slots.iter().step_by(7) {
            set.remove(slot);
        }
        let mut out = vec![0.0; set.capacity()];
        for now in [0.0, 10_000.0, 45_000.0, 1e7] {
            set.phi_all(now, &mut out);
            for (slot, &batch) in out.iter().enumerate() {
                match set.phi(slot, now) {
                    Some(single) => {
                        assert_eq!(batch.to_bits(), single.to_bits(), "slot {slot} at {now}")
                    }
                    None => assert!(batch.is_nan(), "free slot {slot} scored {batch}"),
                }
            }
        }
    }

    #[test]
    fn batch_scores_grow_with_silence() {
        let mut set = set();
        for _ in 0..20 {
            set.add();
        }
        for slot in 0..20 {
            for k in 0..30 {
                set.heartbeat(slot, (k * (800 + slot * 20)) as f64);
            }
        }
        let (mut before, mut after) = (vec![0.0; 20], vec![0.0; 20]);
        set.phi_all(40_000.0, &mut before);
        set.phi_all(50_000.0, &mut after);
        for slot in 0..20 {
            assert!(
                after[slot] > before[slot],
                "slot {slot}: {} -> {}",
                before[slot],
                after[slot]
            );
        }
    }

    #[test]
    fn removed_slots_are_reused_and_score_as_nan_meanwhile() {
        let mut set = set();
        let a = set.add();
        let b = set.add();
        set.heartbeat(a, 0.0);
        set.heartbeat(a, 1000.0);
        assert!(set.remove(a));
        assert!(!set.remove(a));
        assert_eq!(set.len(), 1);
        let mut out = vec![0.0; set.capacity()];
        set.phi_all(1.0, &mut out);
        assert!(out[a].is_nan());
        assert!(!out[b].is_nan());
        let c = set.add();
        assert_eq!(c, a);
        assert_eq!(set.capacity(), 2);
        assert_eq!(set.len(), 2);
        // The reused slot starts fresh, not with the removed series' history.
        assert_eq!(set.series(c).unwrap().last_heartbeat_ms(), None);
    }

    #[test]
    fn storage_stays_dense_under_churn() {
        let mut set = set();
        let mut live: Vec<usize> = (0..100).map(|_| set.add()).collect();
        for round in 0..50 {
            for _ in 0..10 {
                let slot = live.swap_remove((round * 7) % live.len());
                assert!(set.remove(slot));
            }
            for _ in 0..10 {
                live.push(set.add());
            }
        }
        assert_eq!(set.len(), 100);
        assert_eq!(set.capacity(), 100);
    }

    #[test]
    fn every_series_respects_the_window_bound() {
        let mut set = DetectorSet::new(DetectorOptions {
            window_size: 16,
            ..Default::default()
        })
        .unwrap();
        let slot = set.add();
        for k in 0..1000 {
            set.heartbeat(slot, k as f64 * 250.0);
        }
        assert_eq!(set.series(slot).unwrap().intervals(), 16);
    }

    #[test]
    fn unknown_slots_are_refused() {
        let mut set = set();
        assert!(!set.heartbeat(3, 1.0));
        assert_eq!(set.phi(3, 1.0), None);
        assert!(!set.remove(3));
        assert!(set.is_empty());
    }

    #[test]
    #[should_panic(expected = "phi_all needs room for 2 slots")]
    fn phi_all_refuses_a_short_output() {
        let mut set = set();
        set.add();
        set.add();
        set.phi_all(0.0, &mut [0.0]);
    }

    #[test]
    fn invalid_options_are_refused_by_name() {
        let err = DetectorSet::new(DetectorOptions {
            window_size: 0,
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.option, "windowSize");
    }
}
