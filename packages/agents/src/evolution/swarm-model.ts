import { type Answers, replayCalls } from './call-replay.js';
import { type CrashLoop, crashLoopTimeline, downShare, downtimesOf, restartSettingsOf } from './crash-loop.js';
import { edgeSetting, scopedOf } from './edge-settings.js';
import { type EdgeMeasures, worsenedComponents, worsenedEdges } from './keep-rule.js';
import { placementStretch } from './placement-load.js';
import { type SwarmMeasures, swarmFitness } from './swarm-fitness.js';
import type { SwarmCandidate } from './swarm-genes.js';
import { correctedMeasures, type Residual } from './trial-residuals.js';

/**
 * What the swarm model is calibrated on, from the collected metrics (the adaptive-config cell
 * builds it from node heartbeats): the recent calls between cells, in start order, and the
 * swarm's load and crash figures under the configuration in force.
 */
export interface SwarmCalibration {
  /** Recent calls, column-wise and sorted by `at`: dependency index, start (epoch millis), millis taken, CALL_OUTCOME. */
  calls: {
    dep: number[];
    at: number[];
    ms: number[];
    outcome: number[];
    /** Each call's edge, an index into `edges`; absent: every call is replayed under the swarm-wide settings. */
    edge?: number[];
  };
  /** The edges of the calls, `<caller type>:<callee type>` ('' for a type not known). */
  edges?: string[];
  /**
   * The edges whose own settings a run tunes, besides the swarm-wide ones (at most EDGE_SLOTS,
   * the edges with the most failed calls): the genome's edge slots, in order.
   */
  tunedEdges?: string[];
  /**
   * Scoped seeds for the run's first generation, each a candidate over the configuration in force
   * (cross-pollination: a setting kept for one edge offered to a similar one); default none.
   */
  seeds?: Array<Record<string, number>>;
  /** The configuration in force while the calls were recorded, scoped values (`key@edge:A:B`) included. */
  config: Record<string, number>;
  /** Mean event-loop utilization of the nodes, 0..1. */
  elu: number;
  nodes: number;
  /** Cells desired; the health term is the fraction of them running. */
  cells: number;
  /** Cells running now over cells desired, 0..1. */
  healthyFraction: number;
  /** Cell crashes per cell per second over the window. */
  crashRate: number;
  /**
   * Stigmergy avoidance assumed stronger than configured (the GA's doubt, {@link AVOIDANCE_DOUBT});
   * default none.
   */
  correction?: ModelCorrection;
  /**
   * What each dependency did when calls went through to it over a longer span than `calls`
   * (under any configuration, in start order): the stand-ins for calls rejected when recorded
   * (see {@link realCallsOf}). Default: the calls in `calls` that went through.
   */
  answers?: Answers;
  /** What measured trials taught the model, near the configurations tried (`trial-residuals.ts`); default none. */
  residuals?: Residual[];
  /**
   * Dependencies that crash again and again, with their crash figures (`crash-loop.ts`): their
   * calls are replayed against when each would be up under a candidate's restart settings;
   * default none.
   */
  crashLoops?: CrashLoop[];
}

/**
 * Stigmergy avoidance stronger than configured, which the replay may underestimate: live, cells
 * read the field through a view refreshed every 250 ms (slower under load), so a mark is sensed
 * at its last reading's strength. `markTtlScale`: the factor by which marks outlast
 * `stigmergy.markTtlMs`; `avoidScale`: the factor by which fewer marks than
 * `stigmergy.avoidStrength` already turn callers away. 1 and 1: as configured. (It was once
 * recalibrated swarm-wide from trials; trials now teach the model locally: `trial-residuals.ts`.)
 */
export interface ModelCorrection {
  markTtlScale: number;
  avoidScale: number;
  /** The factor by which fewer failures in a row than `breaker.failureThreshold` already open a breaker; default 1. */
  breakerScale?: number;
}

/** Event-loop millis a node spends per heartbeat it sends or receives, per cell it reports (an estimate). */
const HEARTBEAT_COST_MS = { base: 0.05, perCell: 0.002 } as const;
/**
 * The p99 latency that scores one half in the swarm's fitness, in millis. At 50 ms (the
 * fitness default) failing a 150 ms dependency outright would score better than waiting for
 * it; at 1 s, a request that fails costs more than one that is merely slow.
 */
export const SWARM_LATENCY_SCALE_MS = 1000;

/** The probability that a Poisson variable of mean `mean` exceeds `k`. */
function poissonAbove(mean: number, k: number): number {
  if (mean <= 0) return 0;
  let term = Math.exp(-mean);
  let cdf = term;
  for (let i = 1; i <= k; i++) {
    term *= mean / i;
    cdf += term;
  }
  return Math.max(0, 1 - cdf);
}

/** The share of a node's event loop that heartbeats take at interval `heartbeatMs`. */
function heartbeatLoad(cal: SwarmCalibration, heartbeatMs: number): number {
  const cellsPerNode = cal.cells / Math.max(1, cal.nodes);
  const perBeat = HEARTBEAT_COST_MS.base + HEARTBEAT_COST_MS.perCell * cellsPerNode;
  // Each node sends one heartbeat and receives one from every node per interval.
  return (cal.nodes * perBeat) / heartbeatMs;
}

/**
 * The mean restart delay of a cell crashing `crashes` times in its restart-intensity window, in
 * millis, by backoff shape (`supervision.backoffShape`: 0 exponential, 1 constant, 2
 * decorrelated jitter; see the runtime's `backoff-shape.ts`): the expected delay of each restart
 * in the window, averaged.
 */
export function meanBackoffMs(shape: number, baseMs: number, maxMs: number, crashes: number): number {
  const n = Math.max(1, Math.round(crashes));
  let sum = 0;
  let previous = baseMs;
  for (let i = 1; i <= n; i++) {
    if (shape === 1) sum += 0.75 * Math.min(maxMs, baseMs);
    else if (shape === 2) {
      // Uniform between the base and three times the previous delay (the base at the first).
      const low = Math.min(maxMs, baseMs);
      const high = Math.min(maxMs, Math.max(low, 3 * previous));
      previous = (low + high) / 2;
      sum += previous;
    } else sum += 0.75 * Math.min(maxMs, baseMs * 2 ** (i - 1));
  }
  return sum / n;
}

/**
 * What the swarm would measure under `candidate`, predicted from the calibration: latency and
 * errors by replaying the recorded calls (`steady`, the default: after replaying them back to
 * back for a mark's lifetime first, so the marks the candidate's failures pile up over more than
 * one window count — the window a trial is judged on, and every one after it, has them; a
 * calibration window is a few seconds, a mark lasts up to minutes), resource use from the measured load with the
 * heartbeat share rescaled, health from the crash rate against restart intensity and the mean
 * restart delay of the backoff base and shape (the supervision strategy `escalate` leaves every
 * cell that crashes down; rest-for-one and one-for-one score alike, as the calibration does not
 * know which cells depend on which), answer times stretched by the placement policy's load on
 * the busiest node ({@link placementStretch}); errors and latency then corrected by what
 * measured trials near the candidate taught (`cal.residuals`).
 */
export function predictSwarm(
  cal: SwarmCalibration,
  candidate: SwarmCandidate,
  scratch?: Float64Array,
  steady = true,
): PredictedMeasures {
  // Scoped values in force still apply where the candidate has none (an edge not tuned by this run).
  const merged = cal.edges?.length ? { ...scopedOf(cal.config), ...candidate } : candidate;
  const stretch = placementStretch(cal, candidate['placement.policy'] ?? cal.config['placement.policy'] ?? 0);
  const loops = downtimesOf(cal.crashLoops, cal.calls, cal.answers ?? cal.calls, restartSettingsOf(cal.config, merged));
  // Steady: warmed up for a mark's lifetime, as marks that pile up beyond one window turn callers away too.
  const warmupMs = steady ? (merged['stigmergy.markTtlMs'] ?? 10_000) * (cal.correction?.markTtlScale ?? 1) : 0;
  const replayed = replayCalls(
    cal.calls,
    merged,
    scratch,
    cal.correction,
    cal.answers,
    cal.edges,
    stretch,
    loops,
    warmupMs,
  );
  const { p99LatencyMs, errorRate } = replayed;
  const hb0 = cal.config['health.heartbeatMs'] ?? 1000;
  const hb = candidate['health.heartbeatMs'] ?? hb0;
  const resourceUse = Math.min(1, Math.max(0, cal.elu - heartbeatLoad(cal, hb0) + heartbeatLoad(cal, hb)));
  // Health is the measured fraction moved by what the candidate changes: the share escalated
  // (crashes beyond the restart intensity) and the share restarting (the mean backoff delay);
  // for a crash-looping dependency, the share of the window its timeline has it down.
  const looping = cal.crashLoops ?? [];
  const span = [cal.calls.at[0] ?? 0, (cal.calls.at[cal.calls.at.length - 1] ?? 0) + 1] as const;
  // The crash loops' own crashes (one per life) are theirs: the rest of the measured rate is the other cells'.
  const loopRate = looping.reduce((r, l) => r + 1000 / (l.lifeMs + l.restartMs), 0) / Math.max(1, cal.cells);
  const crashRate = Math.max(0, cal.crashRate - loopRate);
  const unhealthy = (c: SwarmCandidate) => {
    const settings = restartSettingsOf(cal.config, c);
    const loopsDown = looping.reduce(
      (sum, l) => sum + downShare(crashLoopTimeline(l, settings, span[0], span[1]), span[0], span[1]),
      0,
    );
    const maxRestarts = c['supervision.maxRestarts'] ?? 5;
    const periodMs = cal.config['supervision.periodMs'] ?? 10_000;
    const backoffMs = meanBackoffMs(
      c['supervision.backoffShape'] ?? 0,
      c['supervision.backoffBaseMs'] ?? 5,
      cal.config['supervision.backoffMaxMs'] ?? 5000,
      Math.min((crashRate * periodMs) / 1000, maxRestarts),
    );
    const crashesPerWindow = (crashRate * periodMs) / 1000;
    const loops = loopsDown / Math.max(1, cal.cells);
    // Escalate at once: every cell that crashes in a window is left down (none restarts).
    if (c['supervision.strategy'] === 2) return loops + 1 - Math.exp(-crashesPerWindow);
    const escalated = poissonAbove(crashesPerWindow, maxRestarts);
    return loops + escalated + Math.min(1, crashRate * (backoffMs / 1000));
  };
  const inForce = { ...(cal.config as SwarmCandidate) };
  const healthyFraction = Math.min(
    1,
    Math.max(0, cal.healthyFraction + unhealthy(inForce) - unhealthy({ ...inForce, ...candidate })),
  );
  const measures: PredictedMeasures = { p99LatencyMs, errorRate, resourceUse, healthyFraction };
  if (replayed.edges) measures.edges = replayed.edges;
  return correctedMeasures(measures, cal.residuals, { ...(cal.config as SwarmCandidate), ...candidate });
}

/** A prediction: the swarm's measures, and each edge's calls and error rate in the replay (not its latency). */
export type PredictedMeasures = SwarmMeasures & { edges?: Record<string, EdgeMeasures> };

/** What a GA's cost adds for each component a candidate is predicted to make worse than allowed. */
export const WORSENING_PENALTY = 0.25;
/**
 * How much worse than the configuration in force a predicted component may be (beyond its noise
 * floor) without a penalty: none. The keep rule allows 10% live, but trials showed the model
 * underestimating how much more often callers avoid a dependency once its failures come faster
 * (predicted 48% errors, measured 74%), so a predicted worsening is taken as a larger real one.
 */
export const PREDICTED_WORSENING = 0;

/**
 * How much stronger than calibrated the GA assumes stigmergy avoidance may be: marks lasting
 * this much longer, and this many times fewer of them turning callers away.
 */
export const AVOIDANCE_DOUBT = 2;

/**
 * How many times fewer failures in a row than its threshold the GA assumes may open a breaker.
 * The replay orders a call's end exactly: after an outage of 15 hung calls at 20 ms, with a
 * 118 ms timeout, the first answer ends before the last six hangs time out, so it counts nine
 * failures in a row; live, timers fire late under load and a threshold of 10 opened the breaker
 * after one outage in two (measured: errors 15% → 48%, every call for 1.9 s after the outage
 * rejected). A threshold the replay clears by a hair is not counted on.
 */
export const BREAKER_DOUBT = 1.5;

/**
 * How much faster than measured the GA assumes a crash-looping dependency may crash (its life
 * per start this many times shorter). The timeline counts expected values: 33 crashes in 10 s
 * for a 300 ms life, so 34 restarts never give up on it; live, lives and restarts jitter, and
 * the GA, pulled towards the settings in force, chose exactly 34 twice (one trial measured no
 * better than the defaults). A restart limit the timeline clears by a hair is not counted on.
 */
export const CRASH_DOUBT = 1.25;

/**
 * The least time the GA assumes a restart leaves a crash-looping dependency unreachable, in
 * millis, whatever its lifecycle events show. Its crash and start are heard within a millisecond
 * of each other (a restart of ~0 ms beyond a 1 ms backoff), and 400 calls a second met each
 * restart for ~1.7 ms (14 finding nobody answering, 9 lost in flight, around 34 restarts); but
 * at 40 calls a second from periodic callers, 7 calls in 10 s met a restart against 1–2 expected
 * (timers of the callers and of the crashing cell firing in the same tick lock their phases:
 * for a second at a time every restart met a call). Enough to turn callers away at
 * `stigmergy.avoidStrength` 3, which the replay at the measured gap never showed: a candidate
 * kept for 0.953 predicted measured 0.836, and left 51% of the calls avoided. At 5 ms the GA
 * still kept avoidance at 6 with 9 s marks (0.949 predicted, 0.745 measured); at 15 ms (a
 * restart meeting one of the calls 25 ms apart three times in five) the doubt ranks the trials
 * measured so far as they measured: avoidance at 3 or 6 with 9–10 s marks cut off 72–73% of the
 * calls, at 8 with 1.2 s marks 14%, at 35 or off 6% (live: 0.745 and 0.836 against 0.944–0.948).
 */
export const RESTART_GAP_DOUBT_MS = 15;

/**
 * A candidate's prediction as the GA scores it: the worse (by fitness) of the prediction under
 * the calibration and under avoidance {@link AVOIDANCE_DOUBT} times stronger with breakers
 * {@link BREAKER_DOUBT} times quicker to open and crash loops {@link CRASH_DOUBT} times faster. Trials
 * showed the model underestimating avoidance once failures come faster (predicted 17% errors,
 * measured 60%), so a gain that hinges on callers not avoiding a failing dependency is not
 * counted on.
 */
function cautious(cal: SwarmCalibration, candidate: SwarmCandidate, scratch?: Float64Array): PredictedMeasures {
  const c = cal.correction ?? { markTtlScale: 1, avoidScale: 1 };
  const plain = predictSwarm(cal, candidate, scratch);
  const doubt = predictSwarm(
    {
      ...cal,
      correction: {
        markTtlScale: c.markTtlScale * AVOIDANCE_DOUBT,
        avoidScale: c.avoidScale * AVOIDANCE_DOUBT,
        breakerScale: (c.breakerScale ?? 1) * BREAKER_DOUBT,
      },
      ...(cal.crashLoops
        ? {
            crashLoops: cal.crashLoops.map((l) => ({
              ...l,
              lifeMs: l.lifeMs / CRASH_DOUBT,
              restartMs: Math.max(l.restartMs, RESTART_GAP_DOUBT_MS),
            })),
          }
        : {}),
    },
    candidate,
    scratch,
  );
  const fit = (m: SwarmMeasures) => swarmFitness(m, { latencyScaleMs: SWARM_LATENCY_SCALE_MS });
  return fit(doubt) < fit(plain) ? doubt : plain;
}

/** The model's replay of the window the calibration recorded, once per calibration. */
const references = new WeakMap<SwarmCalibration, PredictedMeasures>();

/**
 * The cost a GA minimises for a candidate: 1 − its predicted fitness (the cautious one: see
 * {@link AVOIDANCE_DOUBT}), plus
 * {@link WORSENING_PENALTY} for each component, and each edge's error rate (the keep rule's
 * `worsenedEdges`), predicted worse than the configuration in force (beyond
 * {@link PREDICTED_WORSENING}: such a candidate is likely rolled back live), plus a small
 * pull towards the configuration in force (1e-4 per gene, by the share of its range moved), so
 * settings the model is indifferent to stay where they are.
 */
export function swarmCost(
  cal: SwarmCalibration,
  candidate: SwarmCandidate,
  ranges: ReadonlyArray<{ key: string; min: number; max: number }>,
  scratch?: Float64Array,
): number {
  let drift = 0;
  for (const g of ranges) {
    // An edge gene's value in force is the edge's resolved one (its scoped value, else the swarm's).
    const at = g.key.indexOf('@edge:');
    const now =
      at < 0 ? cal.config[g.key] : edgeSetting(cal.config, g.key.slice(0, at), g.key.slice(at + 6), Number.NaN);
    const v = candidate[g.key as keyof SwarmCandidate];
    if (now !== undefined && Number.isFinite(now) && v !== undefined) drift += Math.abs(v - now) / (g.max - g.min);
  }
  let reference = references.get(cal);
  if (!reference) {
    // What the keep rule will hold a trial against is the window measured before it, as it is
    // (replayed without the warm-up: marks may still be on their way to their steady strength).
    reference = predictSwarm(cal, cal.config as SwarmCandidate, scratch, false);
    references.set(cal, reference);
  }
  const predicted = cautious(cal, candidate, scratch);
  // Each component, and each edge's errors (a gain on one dependency must not cost another's callers).
  const worsened =
    worsenedComponents(reference, predicted, PREDICTED_WORSENING).length +
    worsenedEdges(reference.edges, predicted.edges, PREDICTED_WORSENING).length;
  const penalty = WORSENING_PENALTY * worsened;
  return 1 - swarmFitness(predicted, { latencyScaleMs: SWARM_LATENCY_SCALE_MS }) + penalty + 1e-4 * drift;
}
