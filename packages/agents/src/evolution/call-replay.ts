import { CALL_OUTCOME } from '@hms/runtime/call-trace';
import type { Downtime } from './crash-loop.js';
import { edgeSettings } from './edge-settings.js';
import type { EdgeMeasures } from './keep-rule.js';
import { addMark, addOutcome, type Breaker, type Marks, senseMarks, settleBreaker } from './replay-guards.js';
import type { SwarmCandidate } from './swarm-genes.js';
import type { ModelCorrection, SwarmCalibration } from './swarm-model.js';

/**
 * The swarm model's replay of recorded calls under a candidate's call settings (timeout,
 * breaker, stigmergy avoidance): the latency and error terms of its prediction
 * (`swarm-model.ts` adds the rest).
 */

/**
 * A recorded answer time is stretched by this factor before it is compared with a candidate's
 * timeout: answer times jitter, and a timeout tuned to the edge of the recorded ones fails the
 * slower half of them live (then the failures mark the dependency and others avoid it).
 */
export const LATENCY_HEADROOM = 1.3;

/**
 * At most this many passes over the recorded calls before the measured one
 * ({@link replayCalls}' warm-up): enough to pile marks up towards their steady strength for a
 * mark lifetime several times the window, and a bound on the GA's work per candidate.
 */
export const MAX_WARMUP_PASSES = 8;

/** Latency of a call the breaker rejects, in millis. */
const REJECTED_MS = 0.05;

/**
 * What a dependency did when calls went through to it, in start order: the stand-in for the
 * calls that were rejected when recorded (its circuit open, or callers avoiding it), whose
 * answer nobody saw. A rejected call takes the next of these in turn, cycling, so the runs
 * the dependency shows (an outage's consecutive hangs between answers) are replayed as runs —
 * taking the previous call's outcome instead turned a whole avoided stretch into the one
 * answer (or hang) before it, and a model that had seen a dependency fail for a moment and
 * then be avoided predicted no errors at all under any candidate. A dependency with no call
 * that went through stays rejected. The answers may come from a longer span than the replayed
 * calls (`SwarmCalibration.answers`): what a dependency does when called does not depend on the
 * callers' settings, and a window in which callers avoided it all along says nothing of it. (A
 * call that timed out under a shorter timeout than a candidate's counts as a hang: pessimistic.)
 */
export type Answers = Pick<SwarmCalibration['calls'], 'dep' | 'ms' | 'outcome'>;

export function realCallsOf(calls: Answers): Map<number, { ms: number[]; outcome: number[] }> {
  const out = new Map<number, { ms: number[]; outcome: number[] }>();
  for (let i = 0; i < calls.dep.length; i++) {
    if (calls.outcome[i] === CALL_OUTCOME.rejected) continue;
    const dep = calls.dep[i] as number;
    let d = out.get(dep);
    if (!d) {
      d = { ms: [], outcome: [] };
      out.set(dep, d);
    }
    d.ms.push(calls.ms[i] as number);
    d.outcome.push(calls.outcome[i] as number);
  }
  return out;
}

/**
 * Replays the recorded calls under a candidate's request timeout, circuit breaker and stigmergy
 * settings: a call that took longer than the timeout (with {@link LATENCY_HEADROOM}) fails at
 * the timeout; one that hung (timed out) still hangs; each failure counts in the breaker and
 * marks the dependency in the field when it ends (marks halve every quarter of `stigmergy.markTtlMs`); an open circuit, or a
 * dependency marked `stigmergy.avoidStrength` times, rejects at once (one breaker per
 * dependency: the swarm's cells are taken together); a call that was rejected when recorded
 * is imputed by {@link realCallsOf}. Arrival times are
 * kept as recorded. A `correction` (the GA's doubt) stretches the marks' lifetime and lowers the strength that avoids.
 * `stretch` multiplies every answer time (the placement policy's queueing, `placementStretch`).
 * `warmupMs`: the window is first replayed back to back for this long (at most
 * {@link MAX_WARMUP_PASSES} passes) and only the pass after that is scored, so the marks and
 * breakers start as the candidate's own failures leave them; 0 scores the window from an empty
 * field. Returns the p99 latency and the error rate.
 */
export function replayCalls(
  calls: SwarmCalibration['calls'],
  candidate: SwarmCandidate,
  scratch: Float64Array = new Float64Array(calls.at.length),
  correction?: ModelCorrection,
  answers: Answers = calls,
  edges: readonly string[] = [],
  stretch = 1,
  downtimes?: ReadonlyMap<number, Downtime>,
  warmupMs = 0,
): { p99LatencyMs: number; errorRate: number; edges?: Record<string, EdgeMeasures> } {
  const n = calls.at.length;
  if (n === 0) return { p99LatencyMs: 0, errorRate: 0 };
  // Calls and errors of the measured pass by edge index (for the GA's penalty per edge).
  const edgeCalls = new Float64Array(edges.length);
  const edgeErrors = new Float64Array(edges.length);
  const swarmWide = edgeSettings(candidate, undefined, correction);
  // Each edge's settings (its scoped values over the swarm-wide ones), resolved once per replay.
  const perEdge = edges.map((e) => edgeSettings(candidate, e, correction));
  const markTtl = (candidate['stigmergy.markTtlMs'] ?? 10_000) * (correction?.markTtlScale ?? 1);
  const breakers = new Map<number, Breaker>();
  const field = new Map<number, Marks>();
  const real = realCallsOf(answers);
  const taken = new Map<number, number>();
  /** Per crash-looping dependency: the next down interval to look at, and the up answers taken. */
  const downAt = new Map<number, { k: number; taken: number }>();
  let errors = 0;
  // The window replayed back to back: the first passes only build up the marks and breakers
  // the candidate's settings leave behind (its steady state), the last one is measured.
  const first = calls.at[0] as number;
  const period = ((calls.at[n - 1] as number) - first) * (1 + 1 / n);
  const passes = period > 0 ? Math.min(MAX_WARMUP_PASSES, Math.ceil(warmupMs / period)) + 1 : 1;
  for (let pass = 0; pass < passes; pass++) {
    downAt.clear();
    const measured = pass === passes - 1;
    for (let i = 0; i < n; i++) {
      const dep = calls.dep[i] as number;
      const recordedAt = calls.at[i] as number;
      const at = recordedAt + (pass - passes + 1) * period;
      // One breaker per dependency (the callers taken together) under the settings of this call's edge.
      const { timeout, threshold, reset, avoidAt } = perEdge[calls.edge?.[i] ?? -1] ?? swarmWide;
      let b = breakers.get(dep);
      if (!b) {
        b = { failures: 0, openUntil: 0, halfOpen: false, pending: [] };
        breakers.set(dep, b);
      }
      settleBreaker(b, at, threshold, reset);
      let marks = field.get(dep);
      if (!marks) {
        marks = { strength: 0, at, pending: [] };
        field.set(dep, marks);
      }
      const edge = calls.edge?.[i] ?? -1;
      if (measured && edge >= 0) edgeCalls[edge] = (edgeCalls[edge] as number) + 1;
      if (b.openUntil > at || b.halfOpen || senseMarks(marks, at, markTtl) >= avoidAt) {
        if (measured) {
          scratch[i] = REJECTED_MS;
          errors++;
          if (edge >= 0) edgeErrors[edge] = (edgeErrors[edge] as number) + 1;
        }
        continue;
      }
      // The open time is over: this call is the half-open trial; others are rejected until it ends.
      const trial = b.openUntil > 0;
      if (trial) {
        b.openUntil = 0;
        b.halfOpen = true;
      }
      let ms = (calls.ms[i] as number) * stretch;
      let outcome = calls.outcome[i] as number;
      const downtime = downtimes?.get(dep);
      if (downtime) {
        // Down or up by the candidate's restart timeline, whatever the call met when recorded.
        let d = downAt.get(dep);
        if (!d) {
          d = { k: 0, taken: 0 };
          downAt.set(dep, d);
        }
        const t = downtime.from + (recordedAt - downtime.from) * downtime.scale;
        while (d.k < downtime.down.length && (downtime.down[d.k + 1] as number) <= t) d.k += 2;
        if (d.k < downtime.down.length && (downtime.down[d.k] as number) <= t) {
          ms = downtime.failMs;
          outcome = CALL_OUTCOME.failed;
        } else {
          const j = d.taken++ % downtime.up.ms.length;
          ms = (downtime.up.ms[j] as number) * stretch;
          outcome = downtime.up.outcome[j] as number;
          // It crashes while the call is in flight: the call is lost and hangs until its timeout
          // (measured: 9 of 23 failed calls around 34 restarts, the rest finding nobody answering).
          const crashAt = downtime.down[d.k];
          if (crashAt !== undefined && crashAt < t + ms * downtime.scale) outcome = CALL_OUTCOME.timeout;
        }
      } else if (outcome === CALL_OUTCOME.rejected) {
        const seen = real.get(dep);
        if (!seen) {
          // Nothing went through to it in the window: nothing says it would answer now.
          if (measured) {
            scratch[i] = REJECTED_MS;
            errors++;
            if (edge >= 0) edgeErrors[edge] = (edgeErrors[edge] as number) + 1;
          }
          continue;
        }
        const k = taken.get(dep) ?? 0;
        taken.set(dep, k + 1);
        ms = (seen.ms[k % seen.ms.length] as number) * stretch;
        outcome = seen.outcome[k % seen.outcome.length] as number;
      }
      let failed: boolean;
      if (outcome === CALL_OUTCOME.timeout || (outcome === CALL_OUTCOME.ok && ms * LATENCY_HEADROOM > timeout)) {
        ms = timeout;
        failed = true;
      } else {
        failed = outcome !== CALL_OUTCOME.ok;
      }
      if (measured) {
        scratch[i] = ms;
        if (failed) {
          errors++;
          if (edge >= 0) edgeErrors[edge] = (edgeErrors[edge] as number) + 1;
        }
      }
      if (failed) addMark(marks, at + ms);
      addOutcome(b, { end: at + ms, failed, trial });
    }
  }
  const byEdge: Record<string, EdgeMeasures> = {};
  edges.forEach((name, e) => {
    const c = edgeCalls[e] as number;
    if (c > 0 && /^[^:]+:[^:]+$/.test(name)) byEdge[name] = { calls: c, errorRate: (edgeErrors[e] as number) / c };
  });
  return { p99LatencyMs: percentile(scratch.subarray(0, n), 0.99), errorRate: errors / n, edges: byEdge };
}

/** The `q` quantile (0..1) of `values` (sorted in place; nearest rank). */
export function percentile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  values.sort();
  const rank = Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1));
  return values[rank] as number;
}
