use std::collections::HashMap;

use hms_detect::{DetectorOptions, DetectorSet, OptionsError, MAX_WINDOW_SIZE};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of a {@link PhiDetectorSet}; every field is optional.
#[napi(object)]
pub struct PhiDetectorOptions {
    /// Inter-arrival intervals kept per series: an integer in 1..=100000; default 200.
    pub window_size: Option<f64>,
    /// Floor of the interval standard deviation, in millis, > 0; default 100.
    pub min_std_dev_ms: Option<f64>,
    /// Pause tolerated on top of the mean interval, in millis, >= 0; default 1000.
    pub acceptable_pause_ms: Option<f64>,
    /// Interval assumed before any is seen, in millis, > 0; default 1000.
    pub first_heartbeat_estimate_ms: Option<f64>,
}

/// The phi of every series at one instant, from one native call.
#[napi(object)]
pub struct PhiScores {
    /// Series keys, in the same order as `phi`.
    pub keys: Vec<String>,
    /// Suspicion per key: 0 = on time; 1 ≈ 10% chance the heartbeat is merely late; 8 ≈ 1 in 10^8.
    pub phi: Float64Array,
}

/// Phi-accrual failure detectors for many heartbeat series (e.g. one per node), keyed by
/// string and scored all at once by `phiAll`. Times are millis on one clock of the caller's
/// choosing (epoch or monotonic), finite and >= 0.
#[napi]
pub struct PhiDetectorSet {
    set: DetectorSet,
    slot_of: HashMap<String, usize>,
    key_of: Vec<Option<String>>,
    scratch: Vec<f64>,
}

fn invalid(err: OptionsError) -> Error {
    Error::new(Status::InvalidArg, err.to_string())
}

fn window_size(value: Option<f64>, default: usize) -> Result<usize> {
    let Some(v) = value else { return Ok(default) };
    if v.fract() == 0.0 && (1.0..=MAX_WINDOW_SIZE as f64).contains(&v) {
        Ok(v as usize)
    } else {
        let message = format!("must be an integer in 1..={MAX_WINDOW_SIZE}, got {v}");
        Err(invalid(OptionsError::new("windowSize", message)))
    }
}

fn check_time(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        let message = format!("{name} must be a finite number of millis >= 0, got {value}");
        Err(Error::new(Status::InvalidArg, message))
    }
}

#[napi]
impl PhiDetectorSet {
    /// Creates an empty set. Throws, naming the option, when an option is invalid.
    #[napi(constructor)]
    pub fn new(options: Option<PhiDetectorOptions>) -> Result<Self> {
        let d = DetectorOptions::default();
        let options = match options {
            Some(o) => DetectorOptions {
                window_size: window_size(o.window_size, d.window_size)?,
                min_std_dev_ms: o.min_std_dev_ms.unwrap_or(d.min_std_dev_ms),
                acceptable_pause_ms: o.acceptable_pause_ms.unwrap_or(d.acceptable_pause_ms),
                first_heartbeat_estimate_ms: o
                    .first_heartbeat_estimate_ms
                    .unwrap_or(d.first_heartbeat_estimate_ms),
            },
            None => d,
        };
        let set = DetectorSet::new(options).map_err(invalid)?;
        Ok(Self {
            set,
            slot_of: HashMap::new(),
            key_of: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Records a heartbeat of `key` at `atMs` (millis); starts a series for a new key.
    /// Heartbeats older than the key's last one are ignored.
    #[napi]
    pub fn heartbeat(&mut self, key: String, at_ms: f64) -> Result<()> {
        check_time("atMs", at_ms)?;
        let slot = self.slot_for(key);
        self.set.heartbeat(slot, at_ms);
        Ok(())
    }

    /// Records a heartbeat of every key in `keys` at the same instant `atMs` (millis).
    #[napi]
    pub fn heartbeat_many(&mut self, keys: Vec<String>, at_ms: f64) -> Result<()> {
        check_time("atMs", at_ms)?;
        for key in keys {
            let slot = self.slot_for(key);
            self.set.heartbeat(slot, at_ms);
        }
        Ok(())
    }

    /// The phi of `key` at `nowMs` (millis), or null for an unknown key.
    #[napi]
    pub fn phi(&self, key: String, now_ms: f64) -> Result<Option<f64>> {
        check_time("nowMs", now_ms)?;
        Ok(self
            .slot_of
            .get(&key)
            .and_then(|&slot| self.set.phi(slot, now_ms)))
    }

    /// The phi of every key at `nowMs` (millis), scored in one pass over dense native storage.
    /// Keys come in slot order: creation order, except that a new key may take a removed one's
    /// place.
    #[napi]
    pub fn phi_all(&mut self, now_ms: f64) -> Result<PhiScores> {
        check_time("nowMs", now_ms)?;
        self.scratch.resize(self.set.capacity(), 0.0);
        self.set.phi_all(now_ms, &mut self.scratch);
        let mut keys = Vec::with_capacity(self.set.len());
        let mut phi = Vec::with_capacity(self.set.len());
        for (key, &score) in self.key_of.iter().zip(&self.scratch) {
            if let Some(key) = key {
                keys.push(key.clone());
                phi.push(score);
            }
        }
        Ok(PhiScores {
            keys,
            phi: Float64Array::new(phi),
        })
    }

    /// Forgets `key`; false when it was unknown.
    #[napi]
    pub fn remove(&mut self, key: String) -> bool {
        let Some(slot) = self.slot_of.remove(&key) else {
            return false;
        };
        self.set.remove(slot);
        self.key_of[slot] = None;
        true
    }

    /// How many keys are tracked.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.set.len() as u32
    }
}

impl PhiDetectorSet {
    fn slot_for(&mut self, key: String) -> usize {
        if let Some(&slot) = self.slot_of.get(&key) {
            return slot;
        }
        let slot = self.set.add();
        if slot == self.key_of.len() {
            self.key_of.push(Some(key.clone()));
        } else {
            self.key_of[slot] = Some(key.clone());
        }
        self.slot_of.insert(key, slot);
        slot
    }
}
