import { type BackoffShape, backoffDelay } from './backoff-shape.js';
import type { SupervisionStrategy } from './supervision-strategy.js';

/**
 * Restart intensity and backoff, as OTP supervisors have them: at most `maxRestarts` restarts
 * within `periodMs`; past that the supervisor gives up and escalates.
 *
 * Defaults: 5 restarts in 10 s (OTP's default is 1 in 5 s). A cell is one actor, not a tree of
 * processes, and the usual cause of a crash is one bad message, which is not replayed: a
 * handful of quick restarts rides out a burst of bad input, while a cell that fails on every
 * start (bad code, bad config, a poisoned snapshot) still escalates within seconds.
 */
export interface RestartIntensity {
  /** Restarts allowed within `periodMs`; default 5. */
  maxRestarts: number;
  /** The sliding window, in millis; default 10000. */
  periodMs: number;
  /** The first restart's delay, in millis; default 5. Doubles with each restart in the window. */
  backoffBaseMs: number;
  /** The longest delay, in millis; default 5000. */
  backoffMaxMs: number;
  /** How the delay grows with the crashes in the window (`backoff-shape.ts`); default exponential. */
  backoffShape?: BackoffShape;
  /** What a crash does (`supervision-strategy.ts`); default rest-for-one. `escalate`: no restart at all. */
  strategy?: SupervisionStrategy;
}

export const DEFAULT_RESTART_INTENSITY: RestartIntensity = {
  maxRestarts: 5,
  periodMs: 10_000,
  backoffBaseMs: 5,
  backoffMaxMs: 5000,
};

/** What to do after a crash. */
export type RestartDecision = { restart: true; delayMs: number; recent: number } | { restart: false; recent: number };

/**
 * Tracks the crashes of one cell. `random` is injected so tests and simulators are exact.
 */
export class RestartTracker {
  private readonly crashes: number[] = [];
  private lastDelayMs = 0;

  constructor(
    private readonly intensity: RestartIntensity = DEFAULT_RESTART_INTENSITY,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Records a crash at `nowMs` and decides: restart after a jittered backoff, or escalate.
   * `intensity` overrides the tracker's own (the swarm configuration can change it live).
   */
  onCrash(nowMs: number, intensity: RestartIntensity = this.intensity): RestartDecision {
    const { maxRestarts, periodMs, backoffBaseMs, backoffMaxMs } = intensity;
    while (this.crashes.length > 0 && (this.crashes[0] as number) <= nowMs - periodMs) this.crashes.shift();
    this.crashes.push(nowMs);
    const recent = this.crashes.length;
    if (recent > maxRestarts || intensity.strategy === 'escalate') return { restart: false, recent };
    // Jittered, so restarts of many cells do not line up.
    const delayMs = backoffDelay(intensity.backoffShape ?? 'exponential', {
      baseMs: backoffBaseMs,
      maxMs: backoffMaxMs,
      recent,
      previousMs: this.lastDelayMs,
      random: this.random,
    });
    this.lastDelayMs = delayMs;
    return { restart: true, delayMs, recent };
  }

  /** Crashes within the current window. */
  get recent(): number {
    return this.crashes.length;
  }
}
