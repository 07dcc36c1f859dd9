import { ValidationError } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { FITNESS_WEIGHTS, type SwarmMeasures, swarmFitness } from '../src/evolution/swarm-fitness.js';

const perfect: SwarmMeasures = { p99LatencyMs: 0, errorRate: 0, resourceUse: 0, healthyFraction: 1 };

describe('swarm fitness', () => {
  it('weighs response time 0.4, error rate 0.3, resource use 0.2 and health 0.1', () => {
    expect(Object.values(FITNESS_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(swarmFitness(perfect)).toBeCloseTo(1, 12);
    expect(swarmFitness({ ...perfect, p99LatencyMs: 50 })).toBeCloseTo(1 - 0.4 / 2, 12);
    expect(swarmFitness({ ...perfect, errorRate: 1 })).toBeCloseTo(0.7, 12);
    expect(swarmFitness({ ...perfect, resourceUse: 1 })).toBeCloseTo(0.8, 12);
    expect(swarmFitness({ ...perfect, healthyFraction: 0 })).toBeCloseTo(0.9, 12);
  });

  it('ranks a faster, more reliable swarm above a slower, flakier one', () => {
    const good = swarmFitness({ p99LatencyMs: 20, errorRate: 0.01, resourceUse: 0.4, healthyFraction: 1 });
    const bad = swarmFitness({ p99LatencyMs: 400, errorRate: 0.2, resourceUse: 0.4, healthyFraction: 0.9 });
    expect(good).toBeGreaterThan(bad);
  });

  it('still tells two very slow candidates apart (no flat region for the GA)', () => {
    expect(swarmFitness({ ...perfect, p99LatencyMs: 5000 })).toBeGreaterThan(
      swarmFitness({ ...perfect, p99LatencyMs: 6000 }),
    );
  });

  it.each([
    ['p99LatencyMs', -1],
    ['p99LatencyMs', Number.NaN],
    ['p99LatencyMs', Number.POSITIVE_INFINITY],
    ['errorRate', 1.5],
    ['resourceUse', -0.1],
    ['healthyFraction', undefined],
  ])('refuses %s = %s, naming the field', (field, value) => {
    const bad = { ...perfect, [field]: value } as SwarmMeasures;
    expect(() => swarmFitness(bad)).toThrow(ValidationError);
    expect(() => swarmFitness(bad)).toThrow(new RegExp(`^${field} must be`));
  });
});
