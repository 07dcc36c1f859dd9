import type { NodeHeartbeat } from '@hms/runtime';
import type { Prediction } from '../evolution/model-honesty.js';
import type { Residual } from '../evolution/trial-residuals.js';
import type { AutoEvolutionSettings, AutoEvolutionState } from './auto-evolution.js';
import type { Measurement } from './observation-window.js';

// The adaptive-config cell's settings, trials, context and events (its machine: adaptive-config.machine.ts).

/** Configuration of an `adaptive-config` cell. */
export interface AdaptiveConfigSettings {
  /** How long a configuration is measured (before and after a change), in millis; default 10000. */
  windowMs: number;
  /** How long after a change measuring starts, in millis; default 2000. */
  settleMs: number;
  /** The fitness gain (0..1) a candidate must show to be kept; default 0 (any improvement). */
  minGain: number;
}

/** One configuration tried live. */
export interface Trial {
  id: number;
  /** `operator`, or `run <id>` for an evolution run's best. */
  by: string;
  candidate: Record<string, number>;
  /** The values the candidate replaced: restored on roll-back (null: a scoped key that was not set, removed). */
  previous: Record<string, number | null>;
  /** The swarm's fitness over the window before the change (null until the change is made). */
  baseline: Measurement | null;
  /** The swarm's fitness over the window after it settled. */
  measured: Measurement | null;
  /**
   * `unchanged`: the candidate was the configuration in force, so nothing was tried;
   * `skipped`: an evolution run's candidate whose predicted gain is within the model's recent error.
   */
  outcome: 'trial' | 'kept' | 'rolledback' | 'failed' | 'unchanged' | 'skipped';
  /** Why it was kept, rolled back or skipped (the keep rule's verdict, or the model's error). */
  reason?: string;
  /** What the swarm model predicted for it, before the change. */
  predicted?: Prediction | null;
  /** What the trial taught the model: measured minus predicted change, at the configuration tried. */
  residual?: Residual | null;
  at: number;
  /** When it was decided (and, rolled back, restored), epoch millis. */
  endedAt?: number;
  version?: number;
  error?: string;
}

/** How long after a call's timeout its outcome is surely in a heartbeat, in millis. */
const REPORT_LAG_MS = 2500;

/**
 * How far back a window must end so that every call started in it has ended and been
 * reported: calls that hang are recorded only when they time out.
 */
export function reportLagMs(timeoutMs: number): number {
  return Math.min(timeoutMs, 600_000) + REPORT_LAG_MS;
}

export interface AdaptiveConfigContext {
  /** The request timeout in force when last read, in millis. */
  timeoutMs: number;
  trials: Trial[];
  current: Trial | null;
  /** `apply` requests seen: a request was accepted when the current trial carries its number. */
  applyRequests: number;
  acceptedRequest: number;
  measuringFrom: number;
  /** Evolution runs of the swarm objective, until all their islands are done. */
  runs: Record<string, { islands: number; done: Record<string, { best: number; candidate: Record<string, number> }> }>;
  /** The run under way (from `evolve.started`), until all its islands are done or it is stopped. */
  active: { run: string; islands: number; done: number[]; by: string } | null;
  /** Self-started evolution: baseline, cool-down, the last self-started run. */
  auto: AutoEvolutionState;
  /** Whether `evolution.auto` was on at the last tick (a change is published). */
  autoEnabled: boolean;
  /** The fitness measured at the last tick (null: no calls in the window). */
  autoFitness: number | null;
  /** When the last tick looked, epoch millis (0: never, the live settings not read yet). */
  autoCheckedAt: number;
  /** What measured trials taught the swarm model, near the configurations tried (newest last). */
  residuals: Residual[];
}

export type AdaptiveConfigEvent =
  | ({ type: 'heartbeat' } & NodeHeartbeat)
  | { type: 'apply'; set: Record<string, unknown>; by?: string }
  | {
      type: 'ga.done';
      run: string;
      island: number;
      islands: number;
      objective: string;
      best: number;
      candidate?: Record<string, number>;
    }
  | { type: 'evolve.started'; run: string; islands: number; by?: string }
  | { type: 'evolve.stopped'; run: string | null }
  | { type: 'status' }
  | { type: 'calibration' }
  /** A cell's `cell.started`, `cell.crashed` (with `restartInMs`) or `cell.escalated`; `from` is the cell. */
  | { type: 'lifecycle.started' | 'lifecycle.crashed' | 'lifecycle.escalated'; from: string; restartInMs?: number }
  /** The leader started the self-started run, or refused it. */
  | { type: 'auto.started'; run: string }
  | { type: 'auto.refused'; error: string }
  /** From the machine's own timers. */
  | { type: 'settle.due' | 'window.due' | 'completion.due' | 'auto.tick' };

/** How often self-started evolution looks at the swarm, in millis. */
export const AUTO_TICK_MS = 1000;

/** The live settings of self-started evolution, from the swarm configuration. */
export function autoSettingsOf(config: Record<string, number>, confirmMs: number): AutoEvolutionSettings {
  return {
    confirmMs,
    enabled: config['evolution.auto'] === 1,
    dropPct: config['evolution.autoDropPct'] ?? 10,
    scheduleMs: config['evolution.scheduleMs'] ?? 0,
    baselineMs: config['evolution.baselineMs'] ?? 120_000,
    cooldownMs: config['evolution.cooldownMs'] ?? 60_000,
  };
}

/** What the adaptive-config cell's `applyConfig` step is given: a candidate and what judges it. */
export interface ApplyInput {
  candidate: Record<string, number>;
  by: string;
  trials: Trial[];
  /** A self-started run's drop: since when it was seen; null for any other trial. */
  dropSince: number | null;
  residuals: Residual[];
}

/** What `applyConfig` found before and did: the values it replaced, the window before, the prediction. */
export interface ApplyOutput {
  previous: Record<string, number | null>;
  version: number;
  baseline: Measurement;
  timeoutMs: number;
  unchanged: boolean;
  predicted: Prediction | null;
  skip: string | null;
}
