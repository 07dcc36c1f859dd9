import { CALL_OUTCOME } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import {
  CORRECTIONS,
  fitOfTrial,
  type Prediction,
  predictionError,
  predictTrial,
  recalibrate,
  worthTrying,
} from '../src/evolution/model-honesty.js';
import { replayCalls, type SwarmCalibration } from '../src/evolution/swarm-model.js';

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
  correction: { markTtlScale: 1, avoidScale: 1 },
});

describe('an honest swarm model', () => {
  it('predicts a trial as the measured fitness before it plus the model’s gain', () => {
    const cal = flakyCalibration();
    const p = predictTrial(cal, { 'request.timeoutMs': 100, 'stigmergy.avoidStrength': 1000 }, 0.6);
    // Hung calls now fail at 100 ms instead of 5 s: the response-time term gains.
    expect(p.gain).toBeGreaterThan(0.1);
    expect(p.fitness).toBeCloseTo(0.6 + p.gain, 12);
    expect(p.measures.p99LatencyMs).toBeLessThanOrEqual(100);
    expect(predictTrial(cal, {}, 0.6).gain).toBe(0);
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
    expect(worthTrying(prediction(0.7, 0.001), predictionError(trials.slice(0, 1))).worth).toBe(true);
  });

  it('recalibrates the marks’ lifetime to the factor that reproduces the measured error rate', () => {
    const cal = flakyCalibration();
    const candidate = { 'request.timeoutMs': 90 };
    // Live, marks outlasted their lifetime four times over: the replay at factor 1 underestimates the errors.
    const measured = replayCalls(cal.calls, { ...cal.config, ...candidate }, undefined, {
      markTtlScale: 4,
      avoidScale: 1,
    }).errorRate;
    const plain = replayCalls(cal.calls, { ...cal.config, ...candidate }).errorRate;
    expect(measured).toBeGreaterThan(plain + 0.05);
    const measuredBefore = replayCalls(cal.calls, cal.config, undefined, { markTtlScale: 4, avoidScale: 1 }).errorRate;
    const fit = fitOfTrial(cal, candidate, measuredBefore, measured);
    expect(fit).toHaveLength(CORRECTIONS.length);
    expect(fit[CORRECTIONS.findIndex((c) => c.markTtlScale === 4 && c.avoidScale === 1)]).toBe(0);
    const trial = { outcome: 'rolledback', fit };
    const correction = recalibrate({ markTtlScale: 1, avoidScale: 1 }, [trial]);
    // The recalibrated model predicts what was measured (another correction may do as well).
    const after = predictTrial({ ...cal, correction }, candidate, 0.5);
    expect(after.measures.errorRate).toBeCloseTo(measured, 2);
    expect(correction).not.toEqual({ markTtlScale: 1, avoidScale: 1 });
    // A trial that does not depend on the correction changes nothing.
    const flat = { outcome: 'kept', fit: CORRECTIONS.map(() => 0.02) };
    expect(recalibrate({ markTtlScale: 2, avoidScale: 1.5 }, [flat])).toEqual({ markTtlScale: 2, avoidScale: 1.5 });
  });
});
