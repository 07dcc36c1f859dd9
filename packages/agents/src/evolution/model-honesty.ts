import { type SwarmMeasures, swarmFitness } from './swarm-fitness.js';
import type { SwarmCandidate } from './swarm-genes.js';
import { predictSwarm, SWARM_LATENCY_SCALE_MS, type SwarmCalibration } from './swarm-model.js';
import { type Residual, residualOf } from './trial-residuals.js';

/**
 * Keeping the swarm model honest: every trial records what the model predicted next to what was
 * measured; the recent pairs give the model's error (shown by `hms evolve status`) and decide
 * which candidates are worth a live trial at all, and each measured trial leaves a residual the
 * model corrects its later predictions with near that configuration (`trial-residuals.ts`).
 */

/** What the model predicted for a trial. */
export interface Prediction {
  /**
   * The fitness predicted for the candidate: the measured fitness before the change plus the
   * predicted gain (the model's own offset at the configuration in force cancels out).
   */
  fitness: number;
  /** The model's fitness for the candidate minus its fitness for the configuration in force. */
  gain: number;
  /** The measures the model predicts for the candidate. */
  measures: SwarmMeasures;
  /** The model's prediction for the configuration in force (what the gain is measured from). */
  reference: SwarmMeasures;
  /** The whole configuration tried: the configuration in force with the candidate over it. */
  at: SwarmCandidate;
}

/** The model's recent error, from trials that were measured. */
export interface PredictionError {
  /** Mean absolute difference of measured and predicted fitness; null with fewer than {@link MIN_PAIRS} pairs. */
  mae: number | null;
  /** Mean of measured − predicted (positive: the model is pessimistic); null as `mae`. */
  bias: number | null;
  /** Pairs it is computed from (the most recent, at most {@link RECENT_PAIRS}). */
  pairs: number;
}

/** How many recent predicted–measured pairs count. */
export const RECENT_PAIRS = 10;
/** The fewest pairs that make an error estimate (and let a candidate be skipped). */
export const MIN_PAIRS = 2;

/** A trial as far as honesty needs it. */
export interface ScoredTrial {
  outcome: string;
  predicted?: Prediction | null;
  measured?: { fitness: number } | null;
}

const fitnessOf = (m: SwarmMeasures) => swarmFitness(m, { latencyScaleMs: SWARM_LATENCY_SCALE_MS });

/** The model's prediction for `candidate` (merged over the configuration in force) from a calibration. */
export function predictTrial(cal: SwarmCalibration, candidate: SwarmCandidate, measuredBefore: number): Prediction {
  // Against the window before the change as it was (see swarmCost): the gain to the steady state.
  const reference = predictSwarm(cal, cal.config as SwarmCandidate, undefined, false);
  const at = { ...(cal.config as SwarmCandidate), ...candidate };
  const measures = predictSwarm(cal, at);
  const gain = fitnessOf(measures) - fitnessOf(reference);
  return { fitness: Math.min(1, Math.max(0, measuredBefore + gain)), gain, measures, reference, at };
}

/** What a measured trial teaches the model: its residual at the configuration tried (null without a prediction). */
export function residualOfTrial(
  predicted: Prediction | null | undefined,
  before: SwarmMeasures,
  after: SwarmMeasures,
): Residual | null {
  if (!predicted?.reference || !predicted.at) return null;
  return residualOf({ at: predicted.at, reference: predicted.reference, predicted: predicted.measures, before, after });
}

/** Trials measured after a prediction (kept or rolled back), newest last. */
function pairsOf(trials: readonly ScoredTrial[]): Array<{ predicted: number; measured: number }> {
  return trials
    .filter((t) => (t.outcome === 'kept' || t.outcome === 'rolledback') && t.predicted && t.measured)
    .slice(-RECENT_PAIRS)
    .map((t) => ({
      predicted: (t.predicted as Prediction).fitness,
      measured: (t.measured as { fitness: number }).fitness,
    }));
}

/** The model's error over the most recent measured trials. */
export function predictionError(trials: readonly ScoredTrial[]): PredictionError {
  const pairs = pairsOf(trials);
  if (pairs.length < MIN_PAIRS) return { mae: null, bias: null, pairs: pairs.length };
  const mae = pairs.reduce((s, p) => s + Math.abs(p.measured - p.predicted), 0) / pairs.length;
  const bias = pairs.reduce((s, p) => s + (p.measured - p.predicted), 0) / pairs.length;
  return { mae, bias, pairs: pairs.length };
}

/** A run's best predicted to gain less fitness than this (0..1) is not tried live. */
export const MIN_PREDICTED_GAIN = 0.005;

/**
 * Whether a candidate is worth a live trial: its predicted gain must reach
 * {@link MIN_PREDICTED_GAIN} and exceed the model's recent error (a gain within it may as well be
 * the model's mistake); while the error is not known yet, the first is enough.
 */
export function worthTrying(prediction: Prediction, error: PredictionError): { worth: boolean; reason: string } {
  const gain = prediction.gain.toFixed(3);
  // A run on a swarm with nothing to fix returns the settings in force give or take a hair
  // (resetTimeoutMs 2011 for 2000): the model sees no gain, and a trial would only measure noise
  // (it once kept such a candidate for 0.990 → 0.996).
  if (prediction.gain < MIN_PREDICTED_GAIN)
    return { worth: false, reason: `predicted gain ${gain} is below ${MIN_PREDICTED_GAIN}` };
  if (error.mae === null) return { worth: true, reason: `predicted gain ${gain}; model error not known yet` };
  const within = prediction.gain <= error.mae;
  return {
    worth: !within,
    reason: `predicted gain ${gain} is ${within ? 'within' : 'above'} the model's recent error ${error.mae.toFixed(3)} (${error.pairs} trials)`,
  };
}
