/**
 * The only module that loads the native addon `@hms/native` (Rust, napi-rs). Everything else
 * uses the typed wrappers — the phi-accrual detector here, the GA in `native-population.ts`, the
 * anomaly detector in `native-anomaly.ts` —
 * which load the addon lazily and turn native exceptions into {@link NativeError} (the
 * original is kept as `cause`).
 */
import { createRequire } from 'node:module';
import { NativeError } from './errors.js';
import type { AnomalyDetectorOptions, NativeAnomalyDetectorSet } from './native-anomaly.js';
import { checkArgument, checkShape, type Shape } from './native-arguments.js';
import type {
  GaParameters,
  InstanceOptions,
  NativePopulation,
  ObjectiveDescription,
  PopulationOptions,
  PopulationState,
} from './native-population.js';

/** Options of {@link createPhiDetector}. Every field is optional; invalid values throw. */
export interface PhiDetectorOptions {
  /** Inter-arrival intervals kept per key: an integer in 1..=100000; default 200. */
  windowSize?: number;
  /** Floor of the interval standard deviation, in millis, > 0; default 100. */
  minStdDevMs?: number;
  /** Pause tolerated on top of the mean interval (GC, network), in millis, >= 0; default 1000. */
  acceptablePauseMs?: number;
  /** Interval assumed before a key's second heartbeat, in millis, > 0; default 1000. */
  firstHeartbeatEstimateMs?: number;
}

/** The suspicion of every key at one instant. */
export interface PhiScores {
  /** The keys, in the same order as `phi`. */
  keys: string[];
  /** Phi per key: 0 on time, 1 ≈ 10% chance the heartbeat is merely late, 8 ≈ 1 in 10^8. */
  phi: Float64Array;
}

/**
 * An instance of the addon's class, unwrapped: it throws plain errors. Use {@link PhiDetector}.
 * (Rust: native/napi/src/phi_detector_set.rs.)
 */
export interface NativePhiDetectorSet {
  heartbeat(key: string, atMs: number): void;
  heartbeatMany(keys: string[], atMs: number): void;
  phi(key: string, nowMs: number): number | null;
  phiAll(nowMs: number): PhiScores;
  remove(key: string): boolean;
  readonly size: number;
}

/** A builtin benchmark objective (all minimised, optimum 0). */

/** What `@hms/native` exports, as far as the runtime uses it. */
export interface NativeBinding {
  /** Phi-accrual detectors for many keys; wrapped by {@link PhiDetector}. */
  PhiDetectorSet: new (
    options?: PhiDetectorOptions,
  ) => NativePhiDetectorSet;
  /** Anomaly detectors for many series; wrapped by {@link AnomalyDetector}. */
  AnomalyDetectorSet: new (
    options?: AnomalyDetectorOptions,
  ) => NativeAnomalyDetectorSet;
  /** A GA population (Rust: native/napi/src/population.rs); wrapped by {@link Population}. */
  Population: new (
    options: PopulationOptions,
    parameters: GaParameters,
    state?: PopulationState,
  ) => NativePopulation;
  describeObjective(
    name: string,
    dim: number,
    problemSeed: number,
    options?: InstanceOptions,
  ): Omit<ObjectiveDescription, 'rotation'> & { rotation?: Float64Array | null };
  evaluateObjective(
    name: string,
    dim: number,
    problemSeed: number,
    options: InstanceOptions | undefined,
    genomes: Float64Array,
  ): Float64Array;
}

const PHI_OPTIONS_SHAPE: Shape = {
  windowSize: 'number?',
  minStdDevMs: 'number?',
  acceptablePauseMs: 'number?',
  firstHeartbeatEstimateMs: 'number?',
};

let binding: NativeBinding | undefined;

/**
 * Loads the addon, once per process.
 * @throws NativeError when the addon is not built (or cannot be loaded on this platform).
 */
export function loadNative(): NativeBinding {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('@hms/native') as NativeBinding;
  } catch (cause) {
    throw new NativeError(
      'the native addon @hms/native has no binary for this platform: in the repository run npm run build; ' +
        'in an installed project run npx hms-native-build (needs Rust, https://rustup.rs)',
      { cause },
    );
  }
  return binding;
}

/** @internal A native exception as a {@link NativeError} (the original kept as `cause`). */
export function toNativeError(err: unknown): NativeError {
  if (err instanceof NativeError) return err;
  return new NativeError(err instanceof Error ? err.message : String(err), { cause: err });
}

/**
 * Phi-accrual failure detectors (Hayashibara et al., as in Akka) for many heartbeat series,
 * keyed by string (a node or cell id), held and scored in Rust. Times are millis on one clock
 * of the caller's choosing (epoch or monotonic), finite and >= 0. Create with
 * {@link createPhiDetector}.
 */
export class PhiDetector {
  private readonly native: NativePhiDetectorSet;

  /** @internal Use {@link createPhiDetector}. */
  constructor(native: NativePhiDetectorSet) {
    this.native = native;
  }

  /**
   * Records a heartbeat of `key` at `atMs` (millis); a new key starts a series. A heartbeat
   * older than the key's last one is ignored.
   * @throws NativeError when `atMs` is negative or not finite.
   */
  heartbeat(key: string, atMs: number): void {
    try {
      checkArgument('key', key, 'string');
      checkArgument('atMs', atMs, 'number');
      this.native.heartbeat(key, atMs);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /**
   * Records a heartbeat of every key in `keys` at the same instant `atMs` (millis), in one
   * native call.
   * @throws NativeError when `atMs` is negative or not finite.
   */
  heartbeatMany(keys: string[], atMs: number): void {
    try {
      checkArgument('keys', keys, 'strings');
      checkArgument('atMs', atMs, 'number');
      this.native.heartbeatMany(keys, atMs);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /**
   * The suspicion of `key` at `nowMs` (millis): 0 on time, 1 ≈ 10% chance the heartbeat is
   * merely late, 8 ≈ 1 in 10^8 (Akka's usual threshold); always finite, and growing with
   * silence. Null for an unknown key.
   * @throws NativeError when `nowMs` is negative or not finite.
   */
  phi(key: string, nowMs: number): number | null {
    try {
      checkArgument('key', key, 'string');
      checkArgument('nowMs', nowMs, 'number');
      return this.native.phi(key, nowMs);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /**
   * The suspicion of every key at `nowMs` (millis), scored in one native call. Keys come in
   * creation order, except that a new key may take the place of a removed one.
   * @throws NativeError when `nowMs` is negative or not finite.
   */
  phiAll(nowMs: number): PhiScores {
    try {
      checkArgument('nowMs', nowMs, 'number');
      return this.native.phiAll(nowMs);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /** Forgets `key` and its history; false when it was unknown. */
  remove(key: string): boolean {
    try {
      checkArgument('key', key, 'string');
      return this.native.remove(key);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.native.size;
  }
}

/**
 * Creates an empty {@link PhiDetector}. Defaults suit 1 s heartbeats: window 200,
 * minStdDevMs 100, acceptablePauseMs 1000, firstHeartbeatEstimateMs 1000.
 * @throws NativeError when the addon is not built, or naming the option when one is invalid.
 */
export function createPhiDetector(options: PhiDetectorOptions = {}): PhiDetector {
  const { PhiDetectorSet } = loadNative();
  try {
    checkShape('options', options, PHI_OPTIONS_SHAPE);
    return new PhiDetector(new PhiDetectorSet(options));
  } catch (err) {
    throw toNativeError(err);
  }
}
