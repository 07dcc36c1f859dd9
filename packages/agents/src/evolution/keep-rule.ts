import type { SwarmMeasures } from './swarm-fitness.js';

/**
 * When a configuration on trial is kept: its measured fitness beats the window before it (by
 * more than `minGain`), and none of the four components the fitness weighs got worse by more
 * than {@link MAX_COMPONENT_WORSENING} — a fitness gain bought by, say, a quarter of all calls
 * failing (the error rate of a kept trial once went from 15% to 74% for a faster p99) is not a
 * gain a user wants. Every other trial is rolled back.
 *
 * A component is worse by more than 10% when its measure moved the wrong way by more than 10% of
 * its value before, and by more than its noise floor (an absolute amount: from 0.4% to 0.6%
 * errors is +50% but only noise): p99 latency up, error rate up, resource use (event-loop
 * utilization) up, healthy fraction down. Resource use, a share of capacity, counts in points:
 * it must rise by more than 10 points of utilization (from 6% to 12% of a core is no resource
 * problem, and the in-process nodes' utilization swings by several points with the machine's
 * load). With the windows' call counts, the error rate's floor is also its sampling noise
 * ({@link errorRateNoise}).
 */
export const MAX_COMPONENT_WORSENING = 0.1;

/** Moves smaller than these are noise, whatever their share of the value before. */
export const COMPONENT_NOISE_FLOOR: Readonly<Record<keyof SwarmMeasures, number>> = {
  p99LatencyMs: 5,
  errorRate: 0.01,
  resourceUse: 0.1,
  healthyFraction: 0.01,
};

/**
 * Standard errors a measured error rate may move by as sampling noise: two windows of a few
 * hundred calls each measure the same 15% error rate as 13% and 15% often enough (a trial with a
 * 3 s window was rolled back for that), so a move within this many standard errors of the
 * difference of two proportions is not counted as worse.
 */
export const ERROR_RATE_NOISE_SE = 2;

/** The sampling noise of the difference of two measured error rates: {@link ERROR_RATE_NOISE_SE} standard errors. */
export function errorRateNoise(before: number, after: number, calls: { before: number; after: number }): number {
  if (calls.before <= 0 || calls.after <= 0) return 0;
  const pooled = (before * calls.before + after * calls.after) / (calls.before + calls.after);
  return ERROR_RATE_NOISE_SE * Math.sqrt(pooled * (1 - pooled) * (1 / calls.before + 1 / calls.after));
}

/** The component names used in reasons and tables. */
export const COMPONENT_NAME: Readonly<Record<keyof SwarmMeasures, string>> = {
  p99LatencyMs: 'latency',
  errorRate: 'errors',
  resourceUse: 'resources',
  healthyFraction: 'health',
};

/** A component that got worse beyond the rule. */
export interface Worsening {
  component: keyof SwarmMeasures;
  before: number;
  after: number;
  /** How much worse, as a share of the value before (Infinity from 0). */
  by: number;
  /** The edge (`<caller type>:<callee type>`) it got worse on; absent: the swarm's. */
  edge?: string;
}

/** The calls of one edge in a window: how many, their p99 latency (absent: not known) and their error rate. */
export interface EdgeMeasures {
  calls: number;
  p99LatencyMs?: number;
  errorRate: number;
}

/**
 * The fewest calls an edge must have in both windows for its own latency and errors to count:
 * the p99 of fewer is one or two calls, and their error rate is mostly noise.
 */
export const EDGE_MIN_CALLS = 50;

/** Whether higher is worse for each measure. */
const HIGHER_IS_WORSE: Readonly<Record<keyof SwarmMeasures, boolean>> = {
  p99LatencyMs: true,
  errorRate: true,
  resourceUse: true,
  healthyFraction: false,
};

/**
 * The components of `after` worse than `before` by more than `maxWorsening` (default 10%) of
 * their value and their noise floor.
 */
/** Component `key` moved from `b` to `a`: its worsening beyond the rule, or null. */
function worsening(
  key: keyof SwarmMeasures,
  b: number,
  a: number,
  maxWorsening: number,
  calls?: { before: number; after: number },
): Worsening | null {
  const worse = HIGHER_IS_WORSE[key] ? a - b : b - a;
  const floor =
    key === 'errorRate' && calls
      ? Math.max(COMPONENT_NOISE_FLOOR[key], errorRateNoise(b, a, calls))
      : COMPONENT_NOISE_FLOOR[key];
  if (worse <= floor) return null;
  if (worse <= maxWorsening * Math.abs(b) + 1e-12) return null;
  return { component: key, before: b, after: a, by: b === 0 ? Number.POSITIVE_INFINITY : worse / Math.abs(b) };
}

export function worsenedComponents(
  before: SwarmMeasures,
  after: SwarmMeasures,
  maxWorsening = MAX_COMPONENT_WORSENING,
  calls?: { before: number; after: number },
): Worsening[] {
  const out: Worsening[] = [];
  for (const key of Object.keys(HIGHER_IS_WORSE) as Array<keyof SwarmMeasures>) {
    const w = worsening(key, before[key], after[key], maxWorsening, calls);
    if (w) out.push(w);
  }
  return out;
}

/**
 * The edges whose own p99 latency or error rate got worse beyond the rule, among those with at
 * least {@link EDGE_MIN_CALLS} calls in both windows: a swarm-wide gain must not be bought by
 * one dependency's callers (a kept trial once fixed a flaky edge, errors 78.8% → 19.3%, and
 * turned callers away from a healthy slow one, 1.0% → 36.5%: the swarm's errors fell overall).
 */
export function worsenedEdges(
  before: Readonly<Record<string, EdgeMeasures>> | undefined,
  after: Readonly<Record<string, EdgeMeasures>> | undefined,
  maxWorsening = MAX_COMPONENT_WORSENING,
): Worsening[] {
  const out: Worsening[] = [];
  if (!before || !after) return out;
  for (const [edge, b] of Object.entries(before)) {
    const a = after[edge];
    if (!a || b.calls < EDGE_MIN_CALLS || a.calls < EDGE_MIN_CALLS) continue;
    const calls = { before: b.calls, after: a.calls };
    const errors = worsening('errorRate', b.errorRate, a.errorRate, maxWorsening, calls);
    if (errors) out.push({ ...errors, edge });
    if (b.p99LatencyMs === undefined || a.p99LatencyMs === undefined) continue;
    const latency = worsening('p99LatencyMs', b.p99LatencyMs, a.p99LatencyMs, maxWorsening);
    if (latency) out.push({ ...latency, edge });
  }
  return out;
}

/** The keep decision of a trial, with its reason (for the evolution log and `hms evolve status`). */
export interface KeepDecision {
  keep: boolean;
  reason: string;
  worsened: Worsening[];
}

const fmt = (key: keyof SwarmMeasures, v: number) =>
  key === 'p99LatencyMs' ? `${Math.round(v)} ms` : key === 'resourceUse' ? v.toFixed(2) : `${(v * 100).toFixed(1)}%`;

/** Applies the keep rule to a trial's window before and window after. */
export function keepDecision(
  before: { fitness: number; measures: SwarmMeasures; calls?: number; edges?: Record<string, EdgeMeasures> },
  after: { fitness: number; measures: SwarmMeasures; calls?: number; edges?: Record<string, EdgeMeasures> },
  minGain = 0,
): KeepDecision {
  const calls =
    before.calls !== undefined && after.calls !== undefined ? { before: before.calls, after: after.calls } : undefined;
  const worsened = [
    ...worsenedComponents(before.measures, after.measures, MAX_COMPONENT_WORSENING, calls),
    ...worsenedEdges(before.edges, after.edges),
  ];
  const gain = after.fitness - before.fitness;
  const fitness = `fitness ${before.fitness.toFixed(3)} → ${after.fitness.toFixed(3)}`;
  if (after.calls === 0) return { keep: false, reason: 'no calls measured after the change', worsened };
  if (!(gain > minGain)) {
    return { keep: false, reason: `${fitness}: not better${minGain > 0 ? ` by more than ${minGain}` : ''}`, worsened };
  }
  if (worsened.length > 0) {
    const what = worsened
      .map(
        (w) =>
          `${w.edge ? `edge ${w.edge} ` : ''}${COMPONENT_NAME[w.component]} ${fmt(w.component, w.before)} → ${fmt(w.component, w.after)}`,
      )
      .join(', ');
    return { keep: false, reason: `${fitness}, but ${what} (worse by more than 10%)`, worsened };
  }
  return { keep: true, reason: `${fitness}, no component worse by more than 10%`, worsened };
}
