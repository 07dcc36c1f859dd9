use std::collections::HashMap;

use hms_detect::{DetectorOptions, DetectorSet};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Options of a {@link PhiDetectorSet}; every field is optional.
#[napi(object)]
pub struct PhiDetectorOptions {
  /// Inter-arrival intervals kept per series (default 200).
  pub window_size: Option<u32>,
  /// Floor of the interval standard deviation, in millis (default 100).
  pub min_std_dev_ms: Option<f64>,
  /// Pause tolerated on top of the mean interval, in millis (default 1000).
  pub acceptable_pause_ms: Option<f64>,
  /// Interval assumed before any was seen, in millis (default 1000).
  pub first_heartbeat_estimate_ms: Option<f64>,
}

/// The phi of every series at one instant, from one native call.
#[napi(object)]
pub struct PhiScores {
  /// Series keys, in the same order as `phi`.
  pub keys: Vec<String>,
  /// Suspicion per key: 0 = on time; 1 ≈ 10% chance it is still alive; 8 ≈ 1 in 10^8.
  pub phi: Float64Array,
}

/// Phi-accrual failure detectors for many heartbeat series (e.g. one per node), keyed by
/// string, scored all at once by `phiAll`.
#[napi]
pub struct PhiDetectorSet {
  set: DetectorSet,
  slots: HashMap<String, usize>,
  keys: Vec<Option<String>>,
}

fn check_time(name: &str, value: f64) -> Result<()> {
  if value.is_finite() && value >= 0.0 {
    Ok(())
  } else {
    Err(Error::new(Status::InvalidArg, format!("{name} must be a finite number >= 0, got {value}")))
  }
}

#[napi]
impl PhiDetectorSet {
  /// Creates an empty set. Throws, naming the option, when an option is invalid.
  #[napi(constructor)]
  pub fn new(options: Option<PhiDetectorOptions>) -> Result<Self> {
    let defaults = DetectorOptions::default();
    let o = options.unwrap_or(PhiDetectorOptions {
      window_size: None,
      min_std_dev_ms: None,
      acceptable_pause_ms: None,
      first_heartbeat_estimate_ms: None,
    });
    let opts = DetectorOptions {
      window_size: o.window_size.map_or(defaults.window_size, |v| v as usize),
      min_std_dev_ms: o.min_std_dev_ms.unwrap_or(defaults.min_std_dev_ms),
      acceptable_pause_ms: o.acceptable_pause_ms.unwrap_or(defaults.acceptable_pause_ms),
      first_heartbeat_estimate_ms: o.first_heartbeat_estimate_ms.unwrap_or(defaults.first_heartbeat_estimate_ms),
    };
    let set = DetectorSet::new(opts).map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
    Ok(Self { set, slots: HashMap::new(), keys: Vec::new() })
  }

  /// Records a heartbeat of `key` at `atMs` (epoch millis); starts a series for a new key.
  #[napi]
  pub fn heartbeat(&mut self, key: String, at_ms: f64) -> Result<()> {
    check_time("atMs", at_ms)?;
    let slot = self.slot_for(key);
    self.set.heartbeat(slot, at_ms);
    Ok(())
  }

  /// Records a heartbeat of every key in `keys` at the same instant `atMs`.
  #[napi]
  pub fn heartbeat_many(&mut self, keys: Vec<String>, at_ms: f64) -> Result<()> {
    check_time("atMs", at_ms)?;
    for key in keys {
      let slot = self.slot_for(key);
      self.set.heartbeat(slot, at_ms);
    }
    Ok(())
  }

  /// The phi of `key` at `nowMs`, or null for an unknown key.
  #[napi]
  pub fn phi(&self, key: String, now_ms: f64) -> Result<Option<f64>> {
    check_time("nowMs", now_ms)?;
    Ok(self.slots.get(&key).and_then(|&slot| self.set.phi(slot, now_ms)))
  }

  /// The phi of every key at `nowMs`, scored in one pass over dense native storage.
  #[napi]
  pub fn phi_all(&self, now_ms: f64) -> Result<PhiScores> {
    check_time("nowMs", now_ms)?;
    let mut all = vec![0.0; self.set.capacity()];
    self.set.phi_all(now_ms, &mut all);
    let mut keys = Vec::with_capacity(self.set.len());
    let mut phi = Vec::with_capacity(self.set.len());
    for (slot, key) in self.keys.iter().enumerate() {
      if let Some(key) = key {
        keys.push(key.clone());
        phi.push(all[slot]);
      }
    }
    Ok(PhiScores { keys, phi: Float64Array::new(phi) })
  }

  /// Forgets `key`; false when it was unknown.
  #[napi]
  pub fn remove(&mut self, key: String) -> bool {
    match self.slots.remove(&key) {
      Some(slot) => {
        self.set.remove(slot);
        self.keys[slot] = None;
        true
      }
      None => false,
    }
  }

  /// How many keys are tracked.
  #[napi(getter)]
  pub fn size(&self) -> u32 {
    self.set.len() as u32
  }
}

impl PhiDetectorSet {
  fn slot_for(&mut self, key: String) -> usize {
    if let Some(&slot) = self.slots.get(&key) {
      return slot;
    }
    let slot = self.set.add();
    if slot == self.keys.len() {
      self.keys.push(Some(key.clone()));
    } else {
      self.keys[slot] = Some(key.clone());
    }
    self.slots.insert(key, slot);
    slot
  }
}
