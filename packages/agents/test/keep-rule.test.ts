import { describe, expect, it } from 'vitest';
import {
  EDGE_MIN_CALLS,
  errorRateNoise,
  keepDecision,
  worsenedComponents,
  worsenedEdges,
} from '../src/evolution/keep-rule.js';
import type { SwarmMeasures } from '../src/evolution/swarm-fitness.js';

const BEFORE: SwarmMeasures = { p99LatencyMs: 5001, errorRate: 0.147, resourceUse: 0.18, healthyFraction: 1 };

describe('the keep rule', () => {
  it('rolls back the trial that bought a faster p99 with errors going from 15% to 74%', () => {
    // The kept trial recorded in the evolution work (bench/RESULTS.md, swarm self-tuning).
    const after: SwarmMeasures = { p99LatencyMs: 62, errorRate: 0.74, resourceUse: 0.06, healthyFraction: 1 };
    const d = keepDecision({ fitness: 0.587, measures: BEFORE }, { fitness: 0.742, measures: after, calls: 900 });
    expect(d.keep).toBe(false);
    expect(d.worsened.map((w) => w.component)).toEqual(['errorRate']);
    expect(d.reason).toBe('fitness 0.587 → 0.742, but errors 14.7% → 74.0% (worse by more than 10%)');
  });

  it('keeps a better fitness when no component is worse by more than 10%', () => {
    const after: SwarmMeasures = { p99LatencyMs: 300, errorRate: 0.16, resourceUse: 0.19, healthyFraction: 1 };
    const d = keepDecision({ fitness: 0.587, measures: BEFORE }, { fitness: 0.79, measures: after, calls: 900 });
    expect(d).toMatchObject({ keep: true, worsened: [] });
  });

  it('rolls back a swarm-wide gain bought on one edge: a healthy dependency turned away to fix a flaky one', () => {
    // The two-deps trial kept on 2026-12-01: the flaky edge fixed, the slow healthy one cut off
    // by avoidance, the swarm's errors down overall.
    const before = {
      fitness: 0.513,
      measures: { p99LatencyMs: 5001, errorRate: 0.398, resourceUse: 0.17, healthyFraction: 1 },
      calls: 2076,
      edges: {
        'caller:dep': { calls: 1038, p99LatencyMs: 5001, errorRate: 0.788 },
        'caller:slowdep': { calls: 1038, p99LatencyMs: 646, errorRate: 0.01 },
      },
    };
    const after = {
      fitness: 0.791,
      measures: { p99LatencyMs: 402, errorRate: 0.279, resourceUse: 0.05, healthyFraction: 1 },
      calls: 1988,
      edges: {
        'caller:dep': { calls: 994, p99LatencyMs: 334, errorRate: 0.193 },
        'caller:slowdep': { calls: 994, p99LatencyMs: 403, errorRate: 0.365 },
      },
    };
    const d = keepDecision(before, after);
    expect(d.keep).toBe(false);
    expect(d.worsened).toEqual([expect.objectContaining({ edge: 'caller:slowdep', component: 'errorRate' })]);
    expect(d.reason).toBe(
      'fitness 0.513 → 0.791, but edge caller:slowdep errors 1.0% → 36.5% (worse by more than 10%)',
    );
    // Without the slow edge's loss it is kept.
    const fixedOnly = { ...after, edges: { ...after.edges, 'caller:slowdep': before.edges['caller:slowdep'] } };
    expect(keepDecision(before, fixedOnly).keep).toBe(true);
  });

  it('judges an edge on its own only with enough calls in both windows, and its latency only where known', () => {
    const few = { calls: EDGE_MIN_CALLS - 1, errorRate: 0.5, p99LatencyMs: 900 };
    expect(worsenedEdges({ 'a:b': { calls: 500, errorRate: 0 } }, { 'a:b': few })).toEqual([]);
    expect(worsenedEdges({ 'a:b': { calls: 500, errorRate: 0 } }, { 'a:b': { ...few, calls: 500 } })).toEqual([
      expect.objectContaining({ edge: 'a:b', component: 'errorRate' }),
    ]);
    const slower = worsenedEdges(
      { 'a:b': { calls: 500, errorRate: 0, p99LatencyMs: 100 } },
      { 'a:b': { calls: 500, errorRate: 0, p99LatencyMs: 200 } },
    );
    expect(slower).toEqual([
      expect.objectContaining({ edge: 'a:b', component: 'p99LatencyMs', before: 100, after: 200 }),
    ]);
    expect(worsenedEdges(undefined, { 'a:b': few })).toEqual([]);
  });

  it('rolls back a fitness that is not better, whatever the components', () => {
    expect(keepDecision({ fitness: 0.8, measures: BEFORE }, { fitness: 0.8, measures: BEFORE }).keep).toBe(false);
    expect(keepDecision({ fitness: 0.8, measures: BEFORE }, { fitness: 0.81, measures: BEFORE }, 0.02).keep).toBe(
      false,
    );
  });

  it('rolls back a trial that measured no calls', () => {
    const d = keepDecision({ fitness: 0.5, measures: BEFORE }, { fitness: 0.9, measures: BEFORE, calls: 0 });
    expect(d).toMatchObject({ keep: false, reason: 'no calls measured after the change' });
  });

  it("takes an error rate's move within the windows' sampling noise as no worsening", () => {
    // The rollback seen in a 3 s window of ~200 calls each: 13.3% → 15.3% is under one standard error.
    const before = { fitness: 0.599, measures: { ...BEFORE, errorRate: 0.133 }, calls: 218 };
    const after: SwarmMeasures = { p99LatencyMs: 64, errorRate: 0.153, resourceUse: 0.09, healthyFraction: 1 };
    expect(keepDecision(before, { fitness: 0.913, measures: after, calls: 196 }).keep).toBe(true);
    // Without the counts (a prediction), or with many calls, the same move is worse by more than 10%.
    expect(worsenedComponents(before.measures, after).map((w) => w.component)).toEqual(['errorRate']);
    expect(keepDecision({ ...before, calls: 20_000 }, { fitness: 0.913, measures: after, calls: 20_000 }).reason).toBe(
      'fitness 0.599 → 0.913, but errors 13.3% → 15.3% (worse by more than 10%)',
    );
    // Two standard errors of the difference at 15% and 200 calls each: about 7 points.
    expect(errorRateNoise(0.15, 0.15, { before: 200, after: 200 })).toBeCloseTo(0.0714, 3);
  });

  it('counts each component in its direction, beyond 10% of its value and its noise floor', () => {
    const base: SwarmMeasures = { p99LatencyMs: 100, errorRate: 0.004, resourceUse: 0.1, healthyFraction: 1 };
    // +12 ms latency (12%), errors 0.4% → 1.2% (below the 1-point floor), resources 0.1 → 0.19 (below 10 points).
    const w = worsenedComponents(base, { ...base, p99LatencyMs: 112, errorRate: 0.012, resourceUse: 0.19 });
    expect(w.map((x) => x.component)).toEqual(['p99LatencyMs']);
    expect(w[0]?.by).toBeCloseTo(0.12);
    // Health falls from 1 to 0.85 (15%); resource use 0.1 → 0.25 (15 points).
    const h = worsenedComponents(base, { ...base, healthyFraction: 0.85, resourceUse: 0.25 });
    expect(h.map((x) => x.component)).toEqual(['resourceUse', 'healthyFraction']);
    // Better in every way: nothing.
    expect(worsenedComponents(base, { p99LatencyMs: 10, errorRate: 0, resourceUse: 0, healthyFraction: 1 })).toEqual(
      [],
    );
    // Exactly 10% worse is allowed.
    expect(worsenedComponents({ ...base, p99LatencyMs: 1000 }, { ...base, p99LatencyMs: 1100 })).toEqual([]);
  });
});
