import { keepDecision } from '../evolution/keep-rule.js';
import {
  fitOfTrial,
  type Prediction,
  predictionError,
  predictTrial,
  type ScoredTrial,
  worthTrying,
} from '../evolution/model-honesty.js';
import type { ModelCorrection } from '../evolution/swarm-model.js';
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
  correction: ModelCorrection;
}): { predicted: Prediction; skip: string | null } {
  const { window, baseline, config, candidate, by, trials, correction } = options;
  const cal = { ...window.calibration(baseline.from, baseline.to, config), correction };
  const predicted = predictTrial(cal, candidate, baseline.fitness);
  // An operator's candidate is always tried; an evolution run's only when its predicted gain is
  // beyond what the model has recently got wrong.
  if (!by.startsWith('run ')) return { predicted, skip: null };
  const worth = worthTrying(predicted, predictionError(trials));
  return { predicted, skip: worth.worth ? null : worth.reason };
}

/** After the window: what was measured, the keep rule's reason, and the trial's fit for recalibration. */
export function judgeAfter(options: {
  window: ObservationWindow;
  from: number;
  windowMs: number;
  baseline: Measurement | null;
  previousConfig: Record<string, number>;
  candidate: Record<string, number>;
  minGain: number;
}): { measured: Measurement; reason: string; keep: boolean; fit: number[] | null } {
  const { window, from, windowMs, baseline, previousConfig, candidate, minGain } = options;
  const measured = window.measure(from, from + windowMs);
  if (!baseline) return { measured, reason: 'no window before the change', keep: false, fit: null };
  const verdict = keepDecision(baseline, measured, minGain);
  const before = window.calibration(baseline.from, baseline.to, previousConfig);
  const fit =
    before.calls.at.length > 0 && measured.calls > 0
      ? fitOfTrial(before, candidate, baseline.measures.errorRate, measured.measures.errorRate)
      : null;
  return { measured, reason: verdict.reason, keep: verdict.keep, fit };
}
