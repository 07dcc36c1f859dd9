import { keepDecision } from '../evolution/keep-rule.js';
import {
  type Prediction,
  predictionError,
  predictTrial,
  residualOfTrial,
  type ScoredTrial,
  worthTrying,
} from '../evolution/model-honesty.js';
import type { Residual } from '../evolution/trial-residuals.js';
import type { Trial } from './adaptive-config-state.js';
import type { Measurement, ObservationWindow } from './observation-window.js';

/**
 * What the adaptive-config cell decides around a trial, apart from its timers: the model's
 * prediction before the change (and whether the candidate is worth trying at all), the keep
 * rule's verdict after it, and what the trial teaches the model.
 */

/**
 * Where the window before a change begins: the configuration in force measured for as long as it
 * has been in force (since the last trial ended and settled, and a rolled-back one's marks
 * faded), at least one window and at most `spanMs` (`evolution.baselineMs`), ending at `end`.
 * One window was too short a baseline: a
 * dependency that hangs now and then makes the swarm swing through a cycle longer than it (an
 * open circuit, then marks cutting the dependency off until they fade), and one window measures
 * one phase of the swing — a candidate twice as good as the average was rolled back against the
 * swing's best phase. The trial itself is still judged on one window after it settles.
 */
export function baselineFrom(options: {
  end: number;
  windowMs: number;
  spanMs: number;
  settleMs: number;
  lastTrial: Pick<Trial, 'endedAt' | 'outcome' | 'candidate'> | undefined;
  /** A self-started run's drop: since when it was seen (before it the swarm ran under other faults). */
  dropSince?: number | null;
}): number {
  const { end, windowMs, spanMs, settleMs, lastTrial, dropSince } = options;
  // A rolled-back trial's marks outlive it, up to its own mark lifetime (as the auto cool-down
  // counts): calls cut off by them are that trial's, not the configuration's in force.
  const marksMs = lastTrial?.outcome === 'rolledback' ? (lastTrial.candidate['stigmergy.markTtlMs'] ?? 0) : 0;
  const since = lastTrial?.endedAt === undefined ? Number.NEGATIVE_INFINITY : lastTrial.endedAt + settleMs + marksMs;
  return Math.min(
    end - windowMs,
    Math.max(end - Math.max(spanMs, windowMs), since, dropSince ?? Number.NEGATIVE_INFINITY),
  );
}

/** Before the change: the prediction, and a reason to skip the trial (null: try it). */
export function judgeBefore(options: {
  window: ObservationWindow;
  baseline: Measurement;
  config: Record<string, number>;
  candidate: Record<string, number>;
  by: string;
  trials: readonly ScoredTrial[];
  residuals: Residual[];
}): { predicted: Prediction; skip: string | null } {
  const { window, baseline, config, candidate, by, trials, residuals } = options;
  const cal = { ...window.calibration(baseline.from, baseline.to, config), residuals };
  const predicted = predictTrial(cal, candidate, baseline.fitness);
  // An operator's candidate is always tried; an evolution run's only when its predicted gain is
  // beyond what the model has recently got wrong.
  if (!by.startsWith('run ')) return { predicted, skip: null };
  const worth = worthTrying(predicted, predictionError(trials));
  return { predicted, skip: worth.worth ? null : worth.reason };
}

/** After the window: what was measured, the keep rule's reason, and what the trial teaches the model. */
export function judgeAfter(options: {
  window: ObservationWindow;
  from: number;
  windowMs: number;
  baseline: Measurement | null;
  predicted: Prediction | null | undefined;
  minGain: number;
}): { measured: Measurement; reason: string; keep: boolean; residual: Residual | null } {
  const { window, from, windowMs, baseline, predicted, minGain } = options;
  const measured = window.measure(from, from + windowMs);
  if (!baseline) return { measured, reason: 'no window before the change', keep: false, residual: null };
  const verdict = keepDecision(baseline, measured, minGain);
  const residual =
    measured.calls > 0 && baseline.calls > 0 ? residualOfTrial(predicted, baseline.measures, measured.measures) : null;
  return { measured, reason: verdict.reason, keep: verdict.keep, residual };
}
