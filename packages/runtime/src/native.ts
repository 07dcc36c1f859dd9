/**
 * The only module that loads the native addon `@hms/native` (Rust, napi-rs). Everything else
 * imports these typed wrappers, which turn native exceptions into {@link NativeError}.
 */
import { createRequire } from 'node:module';
import { NativeError } from './errors.js';

/** Options of {@link createPhiDetector}. */
export interface PhiDetectorOptions {
  /** Inter-arrival intervals kept per series; default 200. */
  windowSize?: number;
  /** Floor of the interval standard deviation, in millis; default 100. */
  minStdDevMs?: number;
  /** Pause tolerated on top of the mean interval, in millis; default 1000. */
  acceptablePauseMs?: number;
  /** Interval assumed before any was seen, in millis; default 1000. */
  firstHeartbeatEstimateMs?: number;
}

/** Phi-accrual failure detectors for many heartbeat series, keyed by string. */
export interface PhiDetector {
  /** Records a heartbeat of `key` at `atMs` (epoch millis). */
  heartbeat(key: string, atMs: number): void;
  /** Records heartbeats of all `keys` at `atMs`. */
  heartbeatMany(keys: string[], atMs: number): void;
  /** Suspicion of `key` at `nowMs`: 0 on time, 1 ≈ 10% chance alive, 8 ≈ 1 in 10^8; null if unknown. */
  phi(key: string, nowMs: number): number | null;
  /** Every key's suspicion at `nowMs`, from one native call. */
  phiAll(nowMs: number): { keys: string[]; phi: Float64Array };
  /** Forgets `key`; false when it was unknown. */
  remove(key: string): boolean;
  /** How many keys are tracked. */
  readonly size: number;
}

interface NativeBinding {
  PhiDetectorSet: new (options?: PhiDetectorOptions) => PhiDetector;
}

let binding: NativeBinding | undefined;

/**
 * Loads the addon once.
 * @throws NativeError when it is not built.
 */
export function loadNative(): NativeBinding {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('@hms/native') as NativeBinding;
  } catch (cause) {
    throw new NativeError('the native addon @hms/native is not built: run npm run build', { cause });
  }
  return binding;
}

function rethrow(err: unknown): never {
  throw new NativeError(err instanceof Error ? err.message : String(err), { cause: err });
}

/** Wraps a native object so that every method throws NativeError instead of a plain Error. */
function guarded<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          return value.apply(obj, args);
        } catch (err) {
          rethrow(err);
        }
      };
    },
  });
}

/**
 * Creates a set of phi-accrual detectors (Rust).
 * @throws NativeError naming the option when an option is invalid.
 */
export function createPhiDetector(options: PhiDetectorOptions = {}): PhiDetector {
  const { PhiDetectorSet } = loadNative();
  try {
    return guarded(new PhiDetectorSet(options));
  } catch (err) {
    rethrow(err);
  }
}
