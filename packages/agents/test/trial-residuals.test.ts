import { describe, expect, it } from 'vitest';
import { correctedMeasures, geneDistance2, residualNear, residualOf } from '../src/evolution/trial-residuals.js';

const m = (errorRate: number, p99LatencyMs: number) => ({
  p99LatencyMs,
  errorRate,
  resourceUse: 0.1,
  healthyFraction: 1,
});

describe('trial residuals', () => {
  it('is the measured change minus the predicted change, so the model’s offset at the configuration in force cancels', () => {
    const r = residualOf({
      at: { 'request.timeoutMs': 90 },
      reference: m(0.05, 5000),
      predicted: m(0.1, 90),
      before: m(0.15, 5000),
      after: m(0.4, 90),
    });
    expect(r.errorRate).toBeCloseTo(0.25 - 0.05, 12);
    expect(r.logLatency).toBeCloseTo(0, 12);
  });

  it('applies near the configuration tried, shrunk, and fades with the distance in log-scaled genes', () => {
    const residuals = [
      { at: { 'request.timeoutMs': 90, 'stigmergy.avoidStrength': 3 }, errorRate: 0.3, logLatency: 0 },
    ];
    const here = residualNear(residuals, { 'request.timeoutMs': 90, 'stigmergy.avoidStrength': 3 });
    expect(here.errorRate).toBeCloseTo(0.3, 12);
    const near = residualNear(residuals, { 'request.timeoutMs': 110, 'stigmergy.avoidStrength': 3 }).errorRate;
    const far = residualNear(residuals, { 'request.timeoutMs': 5000, 'stigmergy.avoidStrength': 3 }).errorRate;
    const avoidanceOff = residualNear(residuals, { 'request.timeoutMs': 90, 'stigmergy.avoidStrength': 50 }).errorRate;
    expect(near).toBeGreaterThan(0.1);
    expect(far).toBeLessThan(1e-6);
    expect(avoidanceOff).toBeLessThan(0.01);
    // A strategy gene's other choice is a whole range away.
    expect(geneDistance2({ 'supervision.backoffShape': 0 }, { 'supervision.backoffShape': 2 })).toBe(1);
  });

  it('corrects errors within 0..1 and leaves measures alone without residuals', () => {
    const residuals = [{ at: { 'request.timeoutMs': 90 }, errorRate: 0.9, logLatency: Math.log(2) }];
    const c = correctedMeasures(m(0.5, 99), residuals, { 'request.timeoutMs': 90 });
    expect(c.errorRate).toBe(1);
    expect(c.p99LatencyMs).toBeGreaterThan(99);
    expect(correctedMeasures(m(0.5, 99), [], { 'request.timeoutMs': 90 })).toEqual(m(0.5, 99));
  });
});
