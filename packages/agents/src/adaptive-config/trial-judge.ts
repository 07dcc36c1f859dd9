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
import type { Measurement, ObservationWindow } from './observation-window.js';

/**
 * What the adaptive-config cell decides around a trial, apart from its timers: the model's
 * prediction before the change (and whether the candidate is worth trying at all), the keep
 * rule's verdict after it, and what the trial teaches the model.
 */

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
