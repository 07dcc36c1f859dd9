import { CALL_OUTCOME, defaultConfig, type NodeHeartbeat } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import type { Trial } from '../src/adaptive-config/adaptive-config-state.js';
import { crossPollinate } from '../src/adaptive-config/cross-pollination.js';
import { ObservationWindow } from '../src/adaptive-config/observation-window.js';
import { longestTimeout, previousValues } from '../src/adaptive-config/scoped-trial.js';
import { replayCalls } from '../src/evolution/call-replay.js';
import { edgeSetting } from '../src/evolution/edge-settings.js';
import {
  decodeSwarmGenome,
  EDGE_SLOTS,
  encodeSwarmGenome,
  SWARM_GENES,
  SWARM_GENOME_DIM,
} from '../src/evolution/swarm-genes.js';
import type { SwarmCalibration } from '../src/evolution/swarm-model.js';
import { seedIndividuals, swarmCandidateOf } from '../src/ga-island/swarm-objective.js';

type Calls = SwarmCalibration['calls'];
const EDGES = ['caller:flaky', 'caller:slow'];

/**
 * Calls every 10 ms from cells of type `caller`: even ones to a flaky dependency (dep 0, edge 0)
 * that answers in 2 ms but hangs (times out at 5 s) for 200 calls in every 1,000; odd ones to a
 * healthy but slow one (dep 1, edge 1) that answers in 400 ms.
 */
function twoDependencies(n: number): Calls {
  const calls: Calls = { dep: [], at: [], ms: [], outcome: [], edge: [] };
  for (let i = 0; i < n; i++) {
    const slow = i % 2 === 1;
    calls.dep.push(slow ? 1 : 0);
    calls.edge?.push(slow ? 1 : 0);
    calls.at.push(1_000_000 + i * 10);
    const hang = !slow && i % 1000 >= 800;
    calls.ms.push(hang ? 5000 : slow ? 400 : 2);
    calls.outcome.push(hang ? CALL_OUTCOME.timeout : CALL_OUTCOME.ok);
  }
  return calls;
}

function calibration(calls: Calls, tunedEdges = ['caller:flaky']): SwarmCalibration {
  return {
    calls,
    edges: EDGES,
    tunedEdges,
    config: {
      'request.timeoutMs': 5000,
      'breaker.failureThreshold': 5,
      'breaker.resetTimeoutMs': 2000,
      'stigmergy.avoidStrength': 3,
      'stigmergy.markTtlMs': 10_000,
      'health.heartbeatMs': 1000,
      'supervision.maxRestarts': 5,
      'supervision.backoffBaseMs': 5,
      'supervision.backoffShape': 0,
      'supervision.strategy': 0,
    },
    elu: 0.1,
    nodes: 2,
    cells: 10,
    healthyFraction: 1,
    crashRate: 0,
  };
}

/**
 * The replayed error rate of each dependency's calls (breakers and avoidance out of the way, the
 * dependencies are independent: each is replayed alone).
 */
function errorsByDep(calls: Calls, candidate: Record<string, number>): number[] {
  return [0, 1].map((d) => {
    const idx = calls.dep.map((x, i) => (x === d ? i : -1)).filter((i) => i >= 0);
    const pick = (col: number[]) => idx.map((i) => col[i] as number);
    const only: Calls = {
      dep: pick(calls.dep),
      at: pick(calls.at),
      ms: pick(calls.ms),
      outcome: pick(calls.outcome),
      edge: pick(calls.edge ?? []),
    };
    return replayCalls(only, candidate, undefined, undefined, only, EDGES).errorRate;
  });
}

describe('edge evolution', () => {
  const alone = { 'breaker.failureThreshold': 1000, 'stigmergy.avoidStrength': 1000 };

  it('replays each call under its own edge: a short timeout on the flaky edge leaves the slow one answering', () => {
    const calls = twoDependencies(4000);
    const swarmWide = errorsByDep(calls, { ...alone, 'request.timeoutMs': 300 });
    const perEdge = errorsByDep(calls, {
      ...alone,
      'request.timeoutMs': 5000,
      'request.timeoutMs@edge:caller:flaky': 300,
    });
    // A 300 ms swarm-wide timeout cuts off every 400 ms answer of the slow dependency too.
    expect(swarmWide[1]).toBe(1);
    expect(perEdge[1]).toBe(0);
    expect(perEdge[0]).toBeCloseTo(0.2, 2);
    const p99 = replayCalls(
      calls,
      { ...alone, 'request.timeoutMs': 5000, 'request.timeoutMs@edge:caller:flaky': 300 },
      undefined,
      undefined,
      calls,
      EDGES,
    ).p99LatencyMs;
    expect(p99).toBe(400);
  });

  it('resolves an edge setting as the nodes do: edge, then callee type, then swarm-wide', () => {
    const c = { 'request.timeoutMs': 5000, 'request.timeoutMs@to:slow': 900, 'request.timeoutMs@edge:a:slow': 700 };
    expect(edgeSetting(c, 'request.timeoutMs', 'a:slow', 1)).toBe(700);
    expect(edgeSetting(c, 'request.timeoutMs', 'b:slow', 1)).toBe(900);
    expect(edgeSetting(c, 'request.timeoutMs', ':slow', 1)).toBe(900);
    expect(edgeSetting(c, 'request.timeoutMs', 'a:flaky', 1)).toBe(5000);
    expect(edgeSetting({}, 'request.timeoutMs', undefined, 1)).toBe(1);
  });

  it('decodes the edge slots of a genome into scoped keys of the edges named, and ignores empty slots', () => {
    const genome = [...encodeSwarmGenome({ 'request.timeoutMs': 5000 })];
    expect(genome).toHaveLength(SWARM_GENOME_DIM);
    genome[SWARM_GENES.length] = 250;
    const one = decodeSwarmGenome(genome, 0, ['caller:flaky']);
    expect(one['request.timeoutMs@edge:caller:flaky']).toBe(250);
    expect(Object.keys(one).filter((k) => k.includes('@'))).toHaveLength(4);
    expect(Object.keys(decodeSwarmGenome(genome)).some((k) => k.includes('@'))).toBe(false);
    expect(EDGE_SLOTS).toBeGreaterThanOrEqual(1);
    // An edge slot's genes start from the edge's value in force: its own, else its callee type's.
    const encoded = encodeSwarmGenome(
      { 'request.timeoutMs': 5000, 'request.timeoutMs@to:flaky': 800, 'breaker.failureThreshold': 5 },
      ['caller:flaky'],
    );
    expect(encoded[SWARM_GENES.length]).toBe(800);
  });

  it("keeps a run's edge setting only where the model scores it better, so a candidate adds no scoped value for nothing", () => {
    const cal = calibration(twoDependencies(4000));
    const genome = encodeSwarmGenome({ ...cal.config }, ['caller:flaky']);
    // The flaky edge's timeout at 300 ms helps; its reset timeout left at the swarm's value does not.
    genome[SWARM_GENES.length] = 300;
    const candidate = swarmCandidateOf(cal, genome);
    expect(candidate['request.timeoutMs@edge:caller:flaky']).toBe(300);
    expect(candidate['breaker.resetTimeoutMs@edge:caller:flaky']).toBeUndefined();
    expect(candidate['request.timeoutMs']).toBe(5000);
  });

  it('names as edges worth genes those between known types with the most failed calls, at most two', () => {
    const window = new ObservationWindow();
    const batch = {
      to: ['flaky-1', 'slow-1', 'ghost'],
      toType: ['flaky', 'slow', ''],
      dep: [] as number[],
      from: ['caller-1'],
      fromType: ['caller'],
      src: [] as number[],
      at: [] as number[],
      ms: [] as number[],
      outcome: [] as number[],
      dropped: 0,
    };
    for (let i = 0; i < 60; i++) {
      const dep = i % 3;
      batch.dep.push(dep);
      batch.src.push(0);
      batch.at.push(1000 + i);
      batch.ms.push(1);
      // flaky fails 15 times, ghost (a type not known) 20 times, slow twice.
      const fails = dep === 0 ? i < 45 : dep === 2 ? true : i < 6;
      batch.outcome.push(fails ? CALL_OUTCOME.timeout : CALL_OUTCOME.ok);
    }
    window.add({ type: 'heartbeat', node: 'n1', ts: 2000, calls: batch } as unknown as NodeHeartbeat);
    const cal = window.calibration(0, 3000, {});
    expect(cal.tunedEdges).toEqual(['caller:flaky']);
    expect(cal.edges?.[cal.calls.edge?.[0] as number]).toBe('caller:flaky');
    expect(cal.edges?.[cal.calls.edge?.[2] as number]).toBe('caller:');
  });

  it('restores a scoped key that was not in force by removing it, and waits for the longest timeout in force', () => {
    const config = { 'request.timeoutMs': 5000, 'request.timeoutMs@to:slow': 900 };
    expect(
      previousValues(config, ['request.timeoutMs', 'request.timeoutMs@to:slow', 'request.timeoutMs@edge:a:b']),
    ).toEqual({
      'request.timeoutMs': 5000,
      'request.timeoutMs@to:slow': 900,
      'request.timeoutMs@edge:a:b': null,
    });
    expect(longestTimeout({ 'request.timeoutMs': 200, 'request.timeoutMs@edge:a:b': 900 }, 5000)).toBe(900);
    expect(longestTimeout({ 'breaker.failureThreshold': 2 }, 5000)).toBe(5000);
  });

  it('rolls back every strategy gene a candidate carries, the placement policy among them', () => {
    const candidate = decodeSwarmGenome(encodeSwarmGenome({ 'placement.policy': 1, 'supervision.strategy': 1 }));
    const inForce = { ...defaultConfig(), 'placement.policy': 2 };
    const previous = previousValues(inForce, Object.keys(candidate));
    expect(candidate['placement.policy']).toBe(1);
    expect(previous).toMatchObject({ 'placement.policy': 2, 'supervision.strategy': 0, 'supervision.backoffShape': 0 });
  });

  const kept = (candidate: Record<string, number>, outcome: Trial['outcome'] = 'kept'): Trial =>
    ({ id: 1, by: 'run r1', candidate, previous: {}, baseline: null, measured: null, outcome, at: 0 }) as Trial;

  it('offers the settings kept for one edge to the edges a run tunes that call the same callee type from another caller', () => {
    const inForce = {
      'request.timeoutMs': 5000,
      'request.timeoutMs@edge:a:dep': 250,
      'breaker.failureThreshold@edge:a:dep': 20,
    };
    const trials = [
      kept({ 'request.timeoutMs@edge:a:dep': 250, 'breaker.failureThreshold@edge:a:dep': 20 }),
      kept({ 'request.timeoutMs@edge:a:other': 100 }, 'rolledback'),
    ];
    expect(crossPollinate(trials, ['b:dep', 'a:dep', 'b:other'], inForce)).toEqual([
      {
        from: 'a:dep',
        to: 'b:dep',
        set: { 'request.timeoutMs@edge:b:dep': 250, 'breaker.failureThreshold@edge:b:dep': 20 },
      },
    ]);
    // Not once the kept value is no longer in force, nor to an edge with a value of its own.
    expect(crossPollinate(trials, ['b:dep'], { ...inForce, 'request.timeoutMs@edge:a:dep': 300 })).toEqual([
      { from: 'a:dep', to: 'b:dep', set: { 'breaker.failureThreshold@edge:b:dep': 20 } },
    ]);
    expect(crossPollinate(trials, ['b:dep'], { ...inForce, 'request.timeoutMs@edge:b:dep': 400 })).toEqual([]);
  });
});

describe('seeds of a run', () => {
  it('turns each seed into a scored genome whose edge slot holds the seeded values', () => {
    const cal: SwarmCalibration = {
      calls: { dep: [0, 0], at: [1, 2], ms: [2, 5000], outcome: [CALL_OUTCOME.ok, CALL_OUTCOME.timeout], edge: [0, 0] },
      edges: ['b:dep'],
      tunedEdges: ['b:dep'],
      seeds: [{ 'request.timeoutMs@edge:b:dep': 250, 'breaker.failureThreshold@edge:b:dep': 20 }],
      config: { 'request.timeoutMs': 5000, 'breaker.failureThreshold': 5, 'breaker.resetTimeoutMs': 2000 },
      elu: 0.1,
      nodes: 1,
      cells: 2,
      healthyFraction: 1,
      crashRate: 0,
    };
    const seeds = seedIndividuals(cal, SWARM_GENOME_DIM);
    expect(seeds?.genomes).toHaveLength(SWARM_GENOME_DIM);
    expect(Number.isFinite(seeds?.fitness[0])).toBe(true);
    const decoded = decodeSwarmGenome(seeds?.genomes as Float64Array, 0, ['b:dep']);
    expect(decoded).toMatchObject({
      'request.timeoutMs': 5000,
      'request.timeoutMs@edge:b:dep': 250,
      'breaker.failureThreshold@edge:b:dep': 20,
    });
    expect(seedIndividuals({ ...cal, seeds: [] }, SWARM_GENOME_DIM)).toBeUndefined();
  });
});
