import type { SwarmMeasures } from './swarm-fitness.js';
import { SWARM_GENES, type SwarmCandidate } from './swarm-genes.js';

/**
 * What measured trials taught the swarm model, kept where it was learned. Each trial measured
 * live leaves a residual: how far the measured change of each component (errors, latency) was
 * from the change the model predicted, at the configuration tried. A later prediction adds the
 * residuals of the trials near the candidate, weighted by their closeness in gene space (none
 * far from every trial).
 *
 * Why local: the model used to be recalibrated by two swarm-wide factors (how long marks last,
 * how few avoid). One rolled-back trial — a 90 ms timeout whose faster failures turned callers
 * away from a flaky dependency for good, errors 15% → 40% — was explained by avoidance twice
 * as strong everywhere, which made the configuration in force (defaults) score best and every
 * later run come back `unchanged`. A residual learned at 90 ms makes that region (and a
 * region like it: same timeout, same breaker and avoidance) predict worse, and leaves a
 * configuration far from it — the defaults, or a 150 ms timeout with avoidance off — as the
 * replay predicts it.
 */
export interface Residual {
  /** Where the trial was: the whole configuration tried, by gene key. */
  at: Record<string, number>;
  /** Measured minus predicted change of the error rate (0..1 points). */
  errorRate: number;
  /** Measured minus predicted change of ln(1 + p99 millis). */
  logLatency: number;
}

/**
 * The width of a trial's neighbourhood, in normalised gene units (each gene's range is 1, on a
 * log scale): a 90 ms timeout's residual applies at 87% to 120 ms, at 65% to 150 ms, at 3% to
 * 400 ms.
 */
export const RESIDUAL_WIDTH = 0.1;
/** How many residuals are kept (the most recent). */
export const KEEP_RESIDUALS = 20;

/**
 * A gene's value as a coordinate in 0..1: on a log scale (the ranges span orders of magnitude:
 * 20 ms to 5 s of timeout), a strategy gene's choices apart by the whole range.
 */
function coordinate(key: string, value: number): number {
  const g = SWARM_GENES.find((x) => x.key === key);
  if (!g) return 0;
  if (g.choices) return value;
  const lo = Math.log(Math.max(1, g.min));
  const hi = Math.log(Math.max(1, g.max));
  const v = Math.log(Math.max(1, Math.min(g.max, Math.max(g.min, value))));
  return hi > lo ? (v - lo) / (hi - lo) : 0;
}

/** The squared distance between two configurations over the genes both set. */
export function geneDistance2(a: Record<string, number | undefined>, b: Record<string, number | undefined>): number {
  let d2 = 0;
  for (const g of SWARM_GENES) {
    const x = a[g.key];
    const y = b[g.key];
    if (x === undefined || y === undefined) continue;
    const d = g.choices ? (x === y ? 0 : 1) : coordinate(g.key, x) - coordinate(g.key, y);
    d2 += d * d;
  }
  return d2;
}

/**
 * The residual a measured trial leaves: its measured change (window after minus window before)
 * minus the change the model predicted (prediction for the candidate minus its prediction for
 * the configuration in force) — the model's own offset at the configuration in force cancels.
 */
export function residualOf(options: {
  at: SwarmCandidate;
  reference: SwarmMeasures;
  predicted: SwarmMeasures;
  before: SwarmMeasures;
  after: SwarmMeasures;
}): Residual {
  const { reference, predicted, before, after } = options;
  const ln = (m: SwarmMeasures) => Math.log1p(m.p99LatencyMs);
  return {
    at: Object.fromEntries(Object.entries(options.at).filter(([, v]) => v !== undefined)) as Record<string, number>,
    errorRate: after.errorRate - before.errorRate - (predicted.errorRate - reference.errorRate),
    logLatency: ln(after) - ln(before) - (ln(predicted) - ln(reference)),
  };
}

/**
 * The residual the trials near `at` say applies there: each trial's residual in full at its own
 * configuration, fading with the distance (a Gaussian of width {@link RESIDUAL_WIDTH}); where
 * trials overlap (weights adding up to more than one), their weighted mean.
 */
export function residualNear(
  residuals: readonly Residual[],
  at: SwarmCandidate,
): { errorRate: number; logLatency: number; weight: number } {
  let w = 0;
  let e = 0;
  let l = 0;
  for (const r of residuals) {
    const k = Math.exp(-geneDistance2(r.at, at) / (2 * RESIDUAL_WIDTH * RESIDUAL_WIDTH));
    w += k;
    e += k * r.errorRate;
    l += k * r.logLatency;
  }
  const n = Math.max(1, w);
  return { errorRate: e / n, logLatency: l / n, weight: w };
}

/** `measures` predicted by the replay at `at`, corrected by the residuals of the trials near it. */
export function correctedMeasures<M extends SwarmMeasures>(
  measures: M,
  residuals: readonly Residual[] | undefined,
  at: SwarmCandidate,
): M {
  if (!residuals || residuals.length === 0) return measures;
  const r = residualNear(residuals, at);
  if (r.weight < 1e-6) return measures;
  return {
    ...measures,
    errorRate: Math.min(1, Math.max(0, measures.errorRate + r.errorRate)),
    p99LatencyMs: Math.max(0, Math.expm1(Math.log1p(measures.p99LatencyMs) + r.logLatency)),
  };
}
