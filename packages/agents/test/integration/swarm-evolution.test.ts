import {
  createControlClient,
  createSilentLogger,
  createSubjects,
  EVOLUTION_LOG,
  EventLog,
  type Transport,
} from '@hms/runtime';
import {
  connectTestTransport,
  startTestNodes,
  stopTestNodes,
  type TestNode,
  uniqueSwarm,
  waitFor,
} from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { builtinCells, type Trial } from '../../src/index.js';
import { faultPatternCells, SLOW_MS } from '../fixtures/fault-pattern.js';

const { flakyCell, slowCell, loadCell } = faultPatternCells();

describe('swarm evolution', () => {
  const swarm = uniqueSwarm('se');
  let nodes: TestNode[];
  let client: Transport;

  beforeAll(async () => {
    nodes = await startTestNodes(
      inject('natsUrl'),
      swarm,
      ['s1', 's2'],
      [...builtinCells, flakyCell, slowCell, loadCell],
    );
    client = await connectTestTransport(inject('natsUrl'), 'client');
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await control.systemStatus()).leader !== null, { what: 'a leader', timeoutMs: 15_000 });
    await control.createAgent({
      type: 'adaptive-config',
      id: 'tuner',
      config: { windowMs: 3000, settleMs: 500 },
      node: 's1',
    });
    await control.createAgent({ type: 'flaky', id: 'flaky-1', node: 's2' });
    await control.createAgent({ type: 'slow', id: 'slow-1', node: 's2' });
    await control.createAgent({ type: 'load', id: 'load-1', node: 's1' });
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  const tuner = async () =>
    (await client.request(createSubjects(swarm).cellInbox('tuner'), 'status')) as {
      state: string;
      current: Trial | null;
      trials: Trial[];
      measured: { fitness: number; calls: number; measures: { p99LatencyMs: number } };
    };

  it('improves the fitness of a swarm with a flaky and a slow dependency by an evolve run applied live', async () => {
    const control = createControlClient(client, swarm);
    // A full window of the fault pattern under the default 5 s request timeout.
    await waitFor(
      async () => {
        const { measured } = await tuner();
        return measured.measures.p99LatencyMs >= 5000 && measured.calls >= 150;
      },
      {
        what: 'hung calls measured',
        timeoutMs: 15_000,
        everyMs: 200,
      },
    );
    const started = await control.evolveStart({
      islands: 2,
      island: { objective: 'swarm', population: 24, generations: 40, migrationInterval: 10 },
    });
    await waitFor(async () => (await tuner()).trials.some((t) => t.by === `run ${started.run}`), {
      what: 'the run best tried live and decided',
      timeoutMs: 30_000,
      everyMs: 200,
    });
    const trial = (await tuner()).trials.find((t) => t.by === `run ${started.run}`) as Trial;
    expect(trial.outcome).toBe('kept');
    expect((trial.measured?.fitness as number) - (trial.baseline?.fitness as number)).toBeGreaterThan(0.1);
    const timeout = trial.candidate['request.timeoutMs'] as number;
    expect(timeout).toBeGreaterThan(SLOW_MS);
    expect(timeout).toBeLessThan(1000);
    const { config } = await control.systemStatus();
    expect(config['request.timeoutMs']).toBe(timeout);
  });

  it('rolls back a candidate that makes the swarm worse, restoring the settings before it', async () => {
    const control = createControlClient(client, swarm);
    const before = (await control.systemStatus()).config;
    // Back to waiting 5 s for the flaky cell's hung calls.
    const trial = (await control.evolveApply({ 'request.timeoutMs': 5000 })) as unknown as Trial;
    await waitFor(async () => (await tuner()).trials.some((t) => t.id === trial.id), {
      what: 'the trial decided',
      timeoutMs: 15_000,
      everyMs: 200,
    });
    const decided = (await tuner()).trials.find((t) => t.id === trial.id) as Trial;
    expect(decided.outcome).toBe('rolledback');
    expect(decided.measured?.fitness as number).toBeLessThan(decided.baseline?.fitness as number);
    expect(decided.measured?.measures.p99LatencyMs as number).toBeGreaterThan(
      decided.baseline?.measures.p99LatencyMs as number,
    );
    expect(decided.previous).toEqual({ 'request.timeoutMs': before['request.timeoutMs'] });
    expect((await control.systemStatus()).config).toEqual(before);

    const events = await (await EventLog.open(client, swarm, EVOLUTION_LOG, createSilentLogger())).recent(500);
    const kinds = events.filter((e) => e.type.startsWith('evolve.')).map((e) => e.type);
    expect(kinds).toEqual(['evolve.started', 'evolve.applied', 'evolve.kept', 'evolve.applied', 'evolve.rolledback']);
  });

  it('tries nothing when the candidate is the configuration in force', async () => {
    const control = createControlClient(client, swarm);
    const { config, configVersion } = await control.systemStatus();
    const trial = (await control.evolveApply({ 'request.timeoutMs': config['request.timeoutMs'] })) as unknown as Trial;
    await waitFor(async () => (await tuner()).trials.some((t) => t.id === trial.id), { what: 'the trial decided' });
    expect((await tuner()).trials.find((t) => t.id === trial.id)?.outcome).toBe('unchanged');
    expect((await control.systemStatus()).configVersion).toBe(configVersion);
  });

  it('refuses a second trial while one is under way, and a setting out of range naming it', async () => {
    const control = createControlClient(client, swarm);
    await expect(control.evolveApply({ 'request.timeoutMs': 1 })).rejects.toThrow(/request.timeoutMs/);
    await control.evolveApply({ 'breaker.resetTimeoutMs': 2500 });
    await expect(control.evolveApply({ 'breaker.resetTimeoutMs': 3000 })).rejects.toThrow(/trial is under way/);
  });
});
