import { CALL_OUTCOME, type CellContext, createSilentLogger, systemClock } from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { encodeSwarmGenome, SWARM_GENOME_DIM } from '../src/evolution/swarm-genes.js';
import type { SwarmCalibration } from '../src/evolution/swarm-model.js';
import { createIslandMachine } from '../src/ga-island/ga-island.machine.js';
import { type IslandConfig, parseIslandConfig } from '../src/ga-island/island-config.js';
import { swarmObjective } from '../src/ga-island/swarm-objective.js';

function islandContext(config: IslandConfig): CellContext<IslandConfig> {
  return {
    id: `ga-${config.run}-${config.index}`,
    type: 'ga-island',
    swarm: 'test',
    node: 'n1',
    config,
    logger: createSilentLogger(),
    clock: systemClock,
    send: () => undefined,
    request: () => Promise.reject(new Error('no requests in this test')),
    publish: () => undefined,
    sendMigrants: () => undefined,
    control: () => Promise.reject(new Error('no control in this test')),
  };
}

/** `n` calls, one every 5 ms, to a dependency that hangs for 100 calls out of every 500. */
function hangingCalibration(n: number): SwarmCalibration {
  const calls: SwarmCalibration['calls'] = { dep: [], at: [], ms: [], outcome: [] };
  for (let i = 0; i < n; i++) {
    const hung = i % 500 >= 400;
    calls.dep.push(0);
    calls.at.push(1_000_000 + i * 5);
    calls.ms.push(hung ? 5000 : 3);
    calls.outcome.push(hung ? CALL_OUTCOME.timeout : CALL_OUTCOME.ok);
  }
  const config = { 'request.timeoutMs': 5000, 'breaker.failureThreshold': 5, 'breaker.resetTimeoutMs': 2000 };
  return { calls, config, elu: 0.2, nodes: 2, cells: 10, healthyFraction: 1, crashRate: 0 };
}

describe('ga-island machine', () => {
  it('explores more (a higher mutation rate) while the health monitor reports nodes or cells degraded', async () => {
    const config = parseIslandConfig({
      run: 'r1',
      islands: 1,
      objective: 'rastrigin',
      dim: 10,
      generations: 100_000_000,
      parameters: { adaptiveMutation: false, mutationRate: 0.1 },
    });
    const actor = createActor(createIslandMachine(islandContext(config))).start();
    const rate = () => actor.getSnapshot().context.mutationRate;
    const health = (id: string, to: string) => actor.send({ type: 'health.changed', kind: 'node', id, to });
    try {
      await waitFor(() => rate() !== null, { what: 'a progress report' });
      expect(rate()).toBeCloseTo(0.1, 12);
      health('n2', 'suspect');
      health('cell-7', 'failed');
      await waitFor(() => Math.abs((rate() as number) - 0.2) < 1e-9, { what: 'the boosted rate (1 + 2 × 0.5)' });
      health('n2', 'alive');
      health('cell-7', 'running');
      await waitFor(() => Math.abs((rate() as number) - 0.1) < 1e-9, { what: 'the rate back to normal' });
    } finally {
      actor.stop();
    }
  });

  it('keeps the population as a checkpoint that a new island resumes from', async () => {
    const config = parseIslandConfig({ run: 'r2', islands: 1, objective: 'sphere', dim: 5, generations: 300 });
    const first = createActor(createIslandMachine(islandContext(config))).start();
    await waitFor(() => first.getSnapshot().value === 'done', { what: 'the first island done' });
    const saved = first.getPersistedSnapshot();
    first.stop();
    const resumed = createActor(createIslandMachine(islandContext({ ...config, generations: 300 })), {
      snapshot: saved,
    }).start();
    expect(resumed.getSnapshot().value).toBe('done');
    expect(resumed.getSnapshot().context.generation).toBe(300);
    resumed.send({ type: 'ga.configure', set: { generations: 400 } });
    await waitFor(() => resumed.getSnapshot().value === 'done', { what: 'the resumed island done' });
    expect(resumed.getSnapshot().context.generation).toBe(400);
    expect(resumed.getSnapshot().context.best as number).toBeLessThanOrEqual(
      (saved as unknown as { context: { best: number } }).context.best,
    );
    resumed.stop();
  });

  it('refuses a bad settings change once finished, without the machine throwing', async () => {
    const config = parseIslandConfig({ run: 'r3', islands: 1, objective: 'sphere', dim: 5, generations: 50 });
    const actor = createActor(createIslandMachine(islandContext(config)));
    const errors: unknown[] = [];
    actor.subscribe({ error: (err) => errors.push(err) });
    actor.start();
    await waitFor(() => actor.getSnapshot().value === 'done', { what: 'the island done' });
    actor.send({ type: 'ga.configure', set: { bogus: 1 } });
    actor.send({ type: 'ga.configure', set: { generations: 'many' } });
    expect(errors).toEqual([]);
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('done');
    expect(actor.getSnapshot().context.generation).toBe(50);
    actor.stop();
  });

  it("evolves in a thread of its own: the node's event loop keeps turning through generations of the swarm objective that take hundreds of millis", async () => {
    const calibration = hangingCalibration(12_000);
    // What one generation of 32 costs, scored here once (it blocks this thread meanwhile).
    const genomes = Float64Array.from(Array.from({ length: 32 }, () => encodeSwarmGenome(calibration.config)).flat());
    const scoredAt = performance.now();
    swarmObjective(calibration, SWARM_GENOME_DIM)(genomes, 32);
    const generationMs = performance.now() - scoredAt;
    expect(generationMs).toBeGreaterThan(200);
    const config = parseIslandConfig({
      run: 'r4',
      islands: 1,
      objective: 'swarm',
      tuner: 'tuner',
      population: 32,
      generations: 2,
    });
    const actor = createActor(
      createIslandMachine({ ...islandContext(config), request: () => Promise.resolve(calibration) }),
    ).start();
    let last = performance.now();
    let longestGap = 0;
    const beat = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    try {
      await waitFor(() => actor.getSnapshot().value === 'done', { what: 'the island done', timeoutMs: 60_000 });
      expect(actor.getSnapshot().context.generation).toBe(2);
      expect(actor.getSnapshot().context.bestCandidate).toHaveProperty(['request.timeoutMs']);
      expect(longestGap).toBeLessThan(generationMs / 2);
    } finally {
      clearInterval(beat);
      actor.stop();
    }
  });
});
