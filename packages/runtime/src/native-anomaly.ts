/**
 * Native anomaly detection (`native/detect`'s `AnomalySet`, bound by napi-rs): a typed wrapper
 * over the addon's `AnomalyDetectorSet`. The addon itself is loaded by `native.ts` only.
 */
import { NativeError } from './errors.js';
import { loadNative, toNativeError } from './native.js';

/**
 * Options of {@link createAnomalyDetector}. Every field is optional; invalid values throw.
 * A value scores `z = (value - median) / (1.4826 × max(mad, minMad, minRelativeMad × |median|))`
 * against the median and MAD of the series' previous `windowSize` values.
 */
export interface AnomalyDetectorOptions {
  /** Values kept per series as its baseline (observations, not millis): 3..=10000; default 60. */
  windowSize?: number;
  /** Values a series needs before it is scored: 1..=windowSize; default 10. */
  warmUp?: number;
  /** Score at or above which a value is out of line, > 0; default 6. */
  threshold?: number;
  /** An anomalous series clears when a value scores below this, 0..=threshold; default 3. */
  clearThreshold?: number;
  /** Consecutive out-of-line values before a series is anomalous: 1..=windowSize; default 3. */
  confirm?: number;
  /** Floor of the MAD, in the series' own unit (ms, messages, …), > 0; default 1. */
  minMad?: number;
  /** Floor of the MAD as a fraction of |median|, >= 0; default 0.05. */
  minRelativeMad?: number;
  /** Series kept at most; a new one beyond evicts the least recently observed: 1..=1000000; default 4096. */
  maxSeries?: number;
}

/** A series that is anomalous now. */
export interface AnomalyFinding {
  /** The series' key. */
  key: string;
  /** The value just observed, in the series' unit. */
  value: number;
  /** The series' median before this value: its normal level, in the series' unit. */
  baseline: number;
  /** Robust z-score of the value (6 by default is out of line). */
  score: number;
}

/**
 * An instance of the addon's class, unwrapped: it throws plain errors. Use {@link AnomalyDetector}.
 * (Rust: native/napi/src/anomaly_detector_set.rs.)
 */
export interface NativeAnomalyDetectorSet {
  observe(keys: string[], values: Float64Array, nowMs: number): AnomalyFinding[];
  isAnomalous(key: string): boolean;
  samples(key: string): number;
  remove(key: string): boolean;
  readonly size: number;
}

/**
 * Online anomaly detectors for many metric series (a cell's latency, a node's event-loop lag,
 * …), keyed by string, held and scored in Rust: robust z-scores against each series' rolling
 * median and MAD. Only high values are anomalies. Create with {@link createAnomalyDetector}.
 */
export class AnomalyDetector {
  private readonly native: NativeAnomalyDetectorSet;

  /** @internal Use {@link createAnomalyDetector}. */
  constructor(native: NativeAnomalyDetectorSet) {
    this.native = native;
  }

  /**
   * Records `values[i]` for the series `keys[i]` at `nowMs` (millis on any fixed clock; used to
   * evict the least recently observed series) in one native call, and returns the series that
   * are anomalous now, in `keys` order.
   * @throws NativeError naming the field: a key that is not a string, values of another length
   *   than keys or not finite, a negative or non-finite `nowMs`.
   */
  observe(keys: readonly string[], values: ArrayLike<number>, nowMs: number): AnomalyFinding[] {
    if (!Array.isArray(keys)) throw new NativeError(`keys must be an array of strings, got ${typeof keys}`);
    const bad = keys.findIndex((k) => typeof k !== 'string');
    if (bad >= 0) throw new NativeError(`keys[${bad}] must be a string, got ${typeof keys[bad]}`);
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new NativeError(`values must be an array of numbers, got ${values === null ? 'null' : typeof values}`);
    }
    const numbers = values instanceof Float64Array ? values : Float64Array.from(values);
    try {
      return this.native.observe(keys as string[], numbers, nowMs);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /** True when `key` is tracked and anomalous. */
  isAnomalous(key: string): boolean {
    return this.native.isAnomalous(key);
  }

  /**
   * How many values `key` holds: at most `windowSize`; its values are scored once it holds
   * `warmUp`. 0 for an unknown key.
   */
  samples(key: string): number {
    return this.native.samples(key);
  }

  /** Forgets `key` and its history; false when it was unknown. */
  remove(key: string): boolean {
    return this.native.remove(key);
  }

  /** How many series are tracked (at most `maxSeries`). */
  get size(): number {
    return this.native.size;
  }
}

/**
 * Creates an empty {@link AnomalyDetector}. Defaults: window 60, warm-up 10, threshold 6,
 * clearThreshold 3, confirm 3, minMad 1, minRelativeMad 0.05, maxSeries 4096.
 * @throws NativeError when the addon is not built, or naming the option when one is invalid.
 */
export function createAnomalyDetector(options: AnomalyDetectorOptions = {}): AnomalyDetector {
  const { AnomalyDetectorSet } = loadNative();
  try {
    return new AnomalyDetector(new AnomalyDetectorSet(options));
  } catch (err) {
    throw toNativeError(err);
  }
}
