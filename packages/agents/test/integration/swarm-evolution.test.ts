import {
  createControlClient,
  createSilentLogger,
  createSubjects,
  defaultConfig,
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
import { MAX_COMPONENT_WORSENING, worsenedComponents } from '../../src/evolution/keep-rule.js';
import { builtinCells, SWARM_GENES, type SwarmMeasures, type Trial } from '../../src/index.js';
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

  /**
   * A full window of the fault pattern under the default 5 s request timeout. After a rolled-back
   * trial, its marks must fade first: a trial with a 62 ms timeout on the flaky edge and
   * `stigmergy.markTtlMs` 20276 piled up marks of strength ~100, which halve every quarter of
   * the mark TTL, so callers avoided the flaky cell for ~27 s after the roll-back and no hung call
   * was measured within the 25 s the wait allowed. It allows twice the trial's TTL more (eight
   * halvings).
   */
  const hungCallsMeasured = async () => {
    const last = (await tuner()).trials.at(-1);
    const fadeMs = last?.outcome === 'rolledback' ? 2 * (last.candidate['stigmergy.markTtlMs'] ?? 0) : 0;
    return waitFor(
      async () => {
        const { measured } = await tuner();
        return measured.measures.p99LatencyMs >= 5000 && measured.calls >= 150;
      },
      {
        what: 'hung calls measured',
        // After a trial, the window must refill under the restored 5 s timeout (3 s window, 7.5 s report lag).
        timeoutMs: 25_000 + fadeMs,
        everyMs: 200,
      },
    );
  };

  it('improves the fitness of a swarm with a flaky and a slow dependency by evolve runs applied live', async () => {
    const control = createControlClient(client, swarm);
    // A run's best that breaks the keep rule live is rolled back and teaches the model a residual there; the next run learns from it.
    // Up to 5 runs (3 until 2026-11-30): in one CI run all three bests set the load → flaky edge's
    // timeout to 63–125 ms, predicted at ~15% errors and measured at 37–38% (the failures' marks
    // then turn the callers away), and each was rightly rolled back; the residual learned from one
    // did not reach the next run's candidate, which sat elsewhere. Passing runs kept at run 1–3.
    let trial: Trial | undefined;
    const tried: Trial[] = [];
    for (let runs = 0; runs < 5 && trial?.outcome !== 'kept'; runs++) {
      await hungCallsMeasured();
      const started = await control.evolveStart({
        islands: 2,
        island: { objective: 'swarm', population: 24, generations: 40, migrationInterval: 10 },
      });
      await waitFor(async () => (await tuner()).trials.some((t) => t.by === `run ${started.run}`), {
        what: 'the run best tried live and decided',
        timeoutMs: 30_000,
        everyMs: 200,
      });
      trial = (await tuner()).trials.find((t) => t.by === `run ${started.run}`) as Trial;
      tried.push(trial);
      console.log(
        `run ${runs + 1}: ${trial.outcome} (${trial.reason}) ${JSON.stringify(trial.candidate)}; predicted ${JSON.stringify(trial.predicted?.measures)}, measured ${JSON.stringify(trial.measured?.measures)}`,
      );
    }
    // Every run's best was tried (or skipped with a reason), and every one not kept was rolled back.
    for (const t of tried.slice(0, -1)) expect(['rolledback', 'skipped']).toContain(t.outcome);
    trial = trial as Trial;
    expect(trial.outcome).toBe('kept');
    expect((trial.measured?.fitness as number) - (trial.baseline?.fitness as number)).toBeGreaterThan(0.1);
    // The keep rule as it judged: an error rate's move within the windows' sampling noise is none.
    const calls = { before: trial.baseline?.calls as number, after: trial.measured?.calls as number };
    expect(
      worsenedComponents(
        trial.baseline?.measures as SwarmMeasures,
        trial.measured?.measures as SwarmMeasures,
        MAX_COMPONENT_WORSENING,
        calls,
      ),
    ).toEqual([]);
    // The run may fix the flaky edge on its own (a scoped timeout: load → flaky) or swarm-wide;
    // either way calls to the flaky cell are cut off fast and the slow cell still answers.
    const { config, scoped } = await control.systemStatus();
    const inForce: Record<string, number> = { ...config, ...scoped };
    const timeoutTo = (callee: string) =>
      inForce[`request.timeoutMs@edge:load:${callee}`] ??
      inForce[`request.timeoutMs@to:${callee}`] ??
      (inForce['request.timeoutMs'] as number);
    expect(timeoutTo('slow')).toBeGreaterThan(SLOW_MS);
    expect(timeoutTo('flaky')).toBeLessThan(1000);
    for (const [key, value] of Object.entries(trial.candidate)) expect(inForce[key], key).toBe(value);
  }, 200_000);

  it('rolls back a candidate that makes the swarm worse, restoring the settings before it, scoped ones included', async () => {
    const control = createControlClient(client, swarm);
    const { config: before, scoped: scopedBefore = {} } = await control.systemStatus();
    // Back to waiting 5 s for the flaky cell's hung calls, swarm-wide and on the edge to it.
    const edge = 'request.timeoutMs@edge:load:flaky';
    const trial = (await control.evolveApply({ 'request.timeoutMs': 5000, [edge]: 5000 })) as unknown as Trial;
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
    // A scoped key not in force before is removed by the roll-back (null), one in force restored.
    expect(decided.previous).toEqual({
      'request.timeoutMs': before['request.timeoutMs'],
      [edge]: scopedBefore[edge] ?? null,
    });
    const after = await control.systemStatus();
    expect(after.config).toEqual(before);
    expect(after.scoped).toEqual(scopedBefore);

    const events = await (await EventLog.open(client, swarm, EVOLUTION_LOG, createSilentLogger())).recent(500);
    const kinds = events
      .filter((e) => e.type.startsWith('evolve.') && e.type !== 'evolve.recalibrated')
      .map((e) => e.type);
    // Each measured trial taught the model a residual where it was tried.
    const learned = events
      .filter((e) => e.type === 'evolve.recalibrated')
      .map((e) => (e.body as { trial: number }).trial);
    expect(learned).toContain(decided.id);
    // Each run's start and its best's trial, the last one kept; then this rolled-back trial.
    expect(kinds.slice(-5)).toEqual([
      'evolve.started',
      'evolve.applied',
      'evolve.kept',
      'evolve.applied',
      'evolve.rolledback',
    ]);
  });

  it('tries nothing when the candidate is the configuration in force', async () => {
    const control = createControlClient(client, swarm);
    const { config, configVersion } = await control.systemStatus();
    const trial = (await control.evolveApply({ 'request.timeoutMs': config['request.timeoutMs'] })) as unknown as Trial;
    await waitFor(async () => (await tuner()).trials.some((t) => t.id === trial.id), { what: 'the trial decided' });
    expect((await tuner()).trials.find((t) => t.id === trial.id)?.outcome).toBe('unchanged');
    expect((await control.systemStatus()).configVersion).toBe(configVersion);
  });

  it('rolls back a faster p99 bought with many more errors, though the fitness is higher (the keep rule)', async () => {
    const control = createControlClient(client, swarm);
    // Back to the defaults, measured for a full window.
    const defaults = defaultConfig();
    const { scoped } = await control.systemStatus();
    await control.configure({
      ...Object.fromEntries(SWARM_GENES.map((g) => [g.key, defaults[g.key as keyof typeof defaults]])),
      ...Object.fromEntries(Object.keys(scoped ?? {}).map((k) => [k, 'default'])),
    });
    await hungCallsMeasured();
    // The trial once kept: hung calls fail after 90 ms, their marks then steer callers away from the flaky cell.
    const trial = (await control.evolveApply({ 'request.timeoutMs': 90 })) as unknown as Trial;
    await waitFor(async () => (await tuner()).trials.some((t) => t.id === trial.id), {
      what: 'the trial decided',
      timeoutMs: 20_000,
      everyMs: 200,
    });
    const decided = (await tuner()).trials.find((t) => t.id === trial.id) as Trial;
    const before = decided.baseline?.measures as { errorRate: number };
    const after = decided.measured?.measures as { errorRate: number };
    console.log(
      `keep rule: fitness ${decided.baseline?.fitness.toFixed(3)} → ${decided.measured?.fitness.toFixed(3)}, errors ${before.errorRate.toFixed(3)} → ${after.errorRate.toFixed(3)}: ${decided.outcome} (${decided.reason})`,
    );
    expect(decided.measured?.fitness as number).toBeGreaterThan(decided.baseline?.fitness as number);
    expect(after.errorRate).toBeGreaterThan(before.errorRate * 1.1);
    expect(decided.outcome).toBe('rolledback');
    // The swarm's errors, and the flaky edge's own (the only edge with enough calls) after them.
    expect(decided.reason).toMatch(
      /but errors \d+\.\d% → \d+\.\d%(, edge load:flaky errors [^,]+)? \(worse by more than 10%\)$/,
    );
    expect((await control.systemStatus()).config['request.timeoutMs']).toBe(5000);
  });

  it('refuses a second trial while one is under way, and a setting out of range naming it', async () => {
    const control = createControlClient(client, swarm);
    await expect(control.evolveApply({ 'request.timeoutMs': 1 })).rejects.toThrow(/request.timeoutMs/);
    await control.evolveApply({ 'breaker.resetTimeoutMs': 2500 });
    await expect(control.evolveApply({ 'breaker.resetTimeoutMs': 3000 })).rejects.toThrow(/trial is under way/);
  });
});
