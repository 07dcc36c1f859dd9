import { type SwarmMeasures, swarmFitness } from './swarm-fitness.js';
import type { SwarmCandidate } from './swarm-genes.js';
import {
  type ModelCorrection,
  predictSwarm,
  replayCalls,
  SWARM_LATENCY_SCALE_MS,
  type SwarmCalibration,
} from './swarm-model.js';

/**
 * Keeping the swarm model honest: every trial records what the model predicted next to what was
 * measured; the recent pairs give the model's error (shown by `hms evolve status`), recalibrate
 * it, and decide which candidates are worth a live trial at all.
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
  /** The correction the model was calibrated with. */
  correction: ModelCorrection;
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
/** The corrections the recalibration chooses from: every mark-lifetime factor with every avoidance factor. */
export const CORRECTIONS: readonly ModelCorrection[] = [1, 1.5, 2, 3, 4, 6, 8].flatMap((avoidScale) =>
  [0.5, 1, 2, 3, 4, 8, 16].map((markTtlScale) => ({ markTtlScale, avoidScale })),
);

/** A trial as far as honesty needs it. */
export interface ScoredTrial {
  outcome: string;
  predicted?: Prediction | null;
  measured?: { fitness: number } | null;
  /** Per correction of {@link CORRECTIONS}: how far the replayed error rate missed the measured one. */
  fit?: number[] | null;
}

const fitnessOf = (m: SwarmMeasures) => swarmFitness(m, { latencyScaleMs: SWARM_LATENCY_SCALE_MS });

/** The model's prediction for `candidate` (merged over the configuration in force) from a calibration. */
export function predictTrial(cal: SwarmCalibration, candidate: SwarmCandidate, measuredBefore: number): Prediction {
  const reference = fitnessOf(predictSwarm(cal, cal.config as SwarmCandidate));
  const measures = predictSwarm(cal, { ...(cal.config as SwarmCandidate), ...candidate });
  const gain = fitnessOf(measures) - reference;
  return {
    fitness: Math.min(1, Math.max(0, measuredBefore + gain)),
    gain,
    measures,
    correction: cal.correction ?? { markTtlScale: 1, avoidScale: 1 },
  };
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

/**
 * Whether a candidate is worth a live trial: its predicted gain must exceed the model's recent
 * error (a gain within it may as well be the model's mistake); any gain is worth it while the
 * error is not known yet.
 */
export function worthTrying(prediction: Prediction, error: PredictionError): { worth: boolean; reason: string } {
  const gain = prediction.gain.toFixed(3);
  if (error.mae === null) return { worth: true, reason: `predicted gain ${gain}; model error not known yet` };
  const within = prediction.gain <= error.mae;
  return {
    worth: !within,
    reason: `predicted gain ${gain} is ${within ? 'within' : 'above'} the model's recent error ${error.mae.toFixed(3)} (${error.pairs} trials)`,
  };
}

/**
 * How far the model's replayed error rates miss the measured ones, for each correction of
 * {@link CORRECTIONS}: `before` is the calibration of the window before the trial (the calls
 * recorded then, under the configuration then in force, whose error rate was
 * `measuredBefore`), `candidate` the configuration tried, `measuredAfter` its error rate. A
 * correction must reproduce both: the model judges a candidate against its prediction for the
 * configuration in force.
 */
export function fitOfTrial(
  before: SwarmCalibration,
  candidate: SwarmCandidate,
  measuredBefore: number,
  measuredAfter: number,
): number[] {
  const config = before.config as SwarmCandidate;
  const full = { ...config, ...candidate };
  const scratch = new Float64Array(before.calls.at.length);
  return CORRECTIONS.map(
    (c) =>
      Math.abs(replayCalls(before.calls, config, scratch, c).errorRate - measuredBefore) +
      Math.abs(replayCalls(before.calls, full, scratch, c).errorRate - measuredAfter),
  );
}

const same = (a: ModelCorrection, b: ModelCorrection) =>
  a.markTtlScale === b.markTtlScale && a.avoidScale === b.avoidScale;

/**
 * The correction that best reproduces the recent trials' measured error rates (the least total
 * miss over their fits; of equal ones, the mildest); the current one unless another misses by
 * at least 0.01 less per trial (trials that do not depend on it change nothing).
 */
export function recalibrate(current: ModelCorrection, trials: readonly ScoredTrial[]): ModelCorrection {
  const fits = trials
    .filter((t) => Array.isArray(t.fit) && t.fit.length === CORRECTIONS.length)
    .slice(-RECENT_PAIRS)
    .map((t) => t.fit as number[]);
  if (fits.length === 0) return current;
  const total = CORRECTIONS.map((_, k) => fits.reduce((s, f) => s + (f[k] as number), 0));
  const mildness = (c: ModelCorrection) => Math.abs(Math.log(c.markTtlScale)) + Math.abs(Math.log(c.avoidScale));
  let best = 0;
  for (let k = 1; k < total.length; k++) {
    const d = (total[k] as number) - (total[best] as number);
    if (
      d < -1e-9 ||
      (d <= 1e-9 && mildness(CORRECTIONS[k] as ModelCorrection) < mildness(CORRECTIONS[best] as ModelCorrection))
    )
      best = k;
  }
  const at = CORRECTIONS.findIndex((c) => same(c, current));
  const currentMiss = at >= 0 ? (total[at] as number) : Number.POSITIVE_INFINITY;
  if ((total[best] as number) > currentMiss - 0.01 * fits.length) return current;
  return { ...(CORRECTIONS[best] as ModelCorrection) };
}
