import { CALL_OUTCOME } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import {
  type Prediction,
  predictionError,
  predictTrial,
  residualOfTrial,
  worthTrying,
} from '../src/evolution/model-honesty.js';
import { swarmFitness } from '../src/evolution/swarm-fitness.js';
import { SWARM_GENES } from '../src/evolution/swarm-genes.js';
import {
  predictSwarm,
  SWARM_LATENCY_SCALE_MS,
  type SwarmCalibration,
  swarmCost,
} from '../src/evolution/swarm-model.js';

/** Calls every 10 ms to one dependency that hangs (until the 5 s timeout) 300 ms out of every 1,500 ms. */
function flakyCalibration(): SwarmCalibration {
  const calls: SwarmCalibration['calls'] = { dep: [], at: [], ms: [], outcome: [] };
  for (let i = 0; i < 3000; i++) {
    const at = 1_000_000 + i * 10;
    const down = at % 1500 < 300;
    calls.dep.push(0);
    calls.at.push(at);
    calls.ms.push(down ? 5000 : 2);
    calls.outcome.push(down ? CALL_OUTCOME.timeout : CALL_OUTCOME.ok);
  }
  return {
    calls,
    config: {
      'request.timeoutMs': 5000,
      'breaker.failureThreshold': 1000,
      'breaker.resetTimeoutMs': 2000,
      'stigmergy.avoidStrength': 3,
      'stigmergy.markTtlMs': 200,
      'health.heartbeatMs': 1000,
    },
    elu: 0.2,
    nodes: 2,
    cells: 4,
    healthyFraction: 1,
    crashRate: 0,
  };
}

const prediction = (fitness: number, gain: number): Prediction => ({
  fitness,
  gain,
  measures: { p99LatencyMs: 0, errorRate: 0, resourceUse: 0, healthyFraction: 1 },
  reference: { p99LatencyMs: 0, errorRate: 0, resourceUse: 0, healthyFraction: 1 },
  at: {},
});

describe('an honest swarm model', () => {
  it('predicts a trial as the measured fitness before it plus the model’s gain', () => {
    const cal = flakyCalibration();
    const p = predictTrial(cal, { 'request.timeoutMs': 100, 'stigmergy.avoidStrength': 1000 }, 0.6);
    // Hung calls now fail at 100 ms instead of 5 s: the response-time term gains.
    expect(p.gain).toBeGreaterThan(0.1);
    expect(p.fitness).toBeCloseTo(0.6 + p.gain, 12);
    expect(p.measures.p99LatencyMs).toBeLessThanOrEqual(100);
    // Against the window before the change as measured: the configuration in force predicts where
    // it drifts to once its marks have piled up (default lifetime 10 s, avoided at 3).
    const fit = (steady: boolean) =>
      swarmFitness(predictSwarm(cal, cal.config, undefined, steady), { latencyScaleMs: SWARM_LATENCY_SCALE_MS });
    expect(fit(true)).not.toBeCloseTo(fit(false), 3);
    expect(predictTrial(cal, {}, 0.6).gain).toBeCloseTo(fit(true) - fit(false), 12);
  });

  it('reports the mean absolute error of measured trials, and skips a gain within it', () => {
    const trials = [
      { outcome: 'kept', predicted: prediction(0.8, 0.2), measured: { fitness: 0.7 } },
      { outcome: 'unchanged', predicted: null, measured: null },
      { outcome: 'rolledback', predicted: prediction(0.6, 0.05), measured: { fitness: 0.64 } },
    ];
    const error = predictionError(trials);
    expect(error.pairs).toBe(2);
    expect(error.mae).toBeCloseTo(0.07, 12);
    expect(error.bias).toBeCloseTo(-0.03, 12);
    expect(worthTrying(prediction(0.7, 0.05), error)).toEqual({
      worth: false,
      reason: "predicted gain 0.050 is within the model's recent error 0.070 (2 trials)",
    });
    expect(worthTrying(prediction(0.7, 0.08), error).worth).toBe(true);
    // One pair is no estimate: anything is tried.
    expect(predictionError(trials.slice(0, 1))).toEqual({ mae: null, bias: null, pairs: 1 });
    expect(worthTrying(prediction(0.7, 0.01), predictionError(trials.slice(0, 1))).worth).toBe(true);
    // But a candidate the model sees no gain in is not tried, error known or not.
    expect(worthTrying(prediction(0.7, 0.001), predictionError(trials.slice(0, 1)))).toEqual({
      worth: false,
      reason: 'predicted gain 0.001 is below 0.005',
    });
  });

  it('learns from a rolled-back trial that its region is worse, and leaves the configuration in force and regions far from it as they were', () => {
    const cal = flakyCalibration();
    const bad = { 'request.timeoutMs': 90 };
    const good = { 'request.timeoutMs': 400 };
    const before = predictTrial(cal, bad, 0.6);
    const goodBefore = predictTrial(cal, good, 0.6);
    // Live, the 90 ms timeout's faster failures turned callers away: errors 15% → 40%, far above the replay.
    const measuredBefore = { p99LatencyMs: 5000, errorRate: 0.15, resourceUse: 0.1, healthyFraction: 1 };
    const measuredAfter = { p99LatencyMs: 90, errorRate: 0.4, resourceUse: 0.1, healthyFraction: 1 };
    expect(measuredAfter.errorRate).toBeGreaterThan(before.measures.errorRate + 0.1);
    const residual = residualOfTrial(before, measuredBefore, measuredAfter);
    expect(residual?.errorRate).toBeGreaterThan(0.1);
    const learned = { ...cal, residuals: [residual as NonNullable<typeof residual>] };
    const after = predictTrial(learned, bad, 0.6);
    // At the configuration tried, the model now predicts most of the errors measured there ...
    expect(after.measures.errorRate).toBeGreaterThan(
      before.measures.errorRate + 0.8 * (residual?.errorRate ?? 0) - 1e-9,
    );
    expect(after.gain).toBeLessThan(before.gain);
    // ... while the configuration in force, and a timeout far above the bad one, predict as before.
    expect(predictTrial(learned, {}, 0.6).measures.errorRate).toBeCloseTo(
      predictTrial(cal, {}, 0.6).measures.errorRate,
      6,
    );
    expect(predictTrial(learned, good, 0.6).measures.errorRate).toBeCloseTo(goodBefore.measures.errorRate, 1);
    // So the GA's cost still ranks the far candidate above the configuration in force.
    const full = (c: Record<string, number>) => ({ ...cal.config, ...c });
    expect(swarmCost(learned, full(good), SWARM_GENES)).toBeLessThan(swarmCost(learned, full({}), SWARM_GENES));
    expect(swarmCost(learned, full(bad), SWARM_GENES)).toBeGreaterThan(swarmCost(cal, full(bad), SWARM_GENES));
  });
});
