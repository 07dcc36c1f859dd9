import {
  createControlClient,
  createSilentLogger,
  createSubjects,
  defineCell,
  EVOLUTION_EVENT,
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
import { setup } from 'xstate';
import { builtinCells, type Trial } from '../../src/index.js';
import { faultPatternCells } from '../fixtures/fault-pattern.js';

const { flakyCell, slowCell, loadCell } = faultPatternCells();
/** Whether the `probe` cell calls the flaky cell now (else the slow one). */
const probing = { on: false };
/**
 * A second caller type: every 5 ms, the slow cell until `probing.on`, then the flaky one. Its
 * answered calls to the slow cell keep the swarm's error rate near 4% while load → flaky is tried,
 * where the keep rule's 1-point noise floor covers the window-to-window moves of the hung share
 * (at ~15% errors they moved 13–20% with the outages' phase, and the keep rule rolled back an
 * edge timeout that changed nothing about errors one run in three).
 */
const probeCell = defineCell({
  type: 'probe',
  description: 'calls the slow cell, or the flaky one when the test says so',
  machine: (cell) =>
    setup({ delays: { tick: 5 } }).createMachine({
      initial: 'on',
      states: {
        on: {
          after: {
            tick: {
              target: 'on',
              reenter: true,
              actions: () => cell.request(probing.on ? 'flaky-1' : 'slow-1', 'ping').catch(() => undefined),
            },
          },
        },
      },
    }),
});

describe('cross-pollination', () => {
  const swarm = uniqueSwarm('xp');
  let nodes: TestNode[];
  let client: Transport;

  beforeAll(async () => {
    // 6 s windows (four outages each): over 3 s windows (two outages) the share of hung calls moved
    // 15–21% from window to window by the outages' phase, and the keep rule took 19.0% → 21.4% for
    // a worse error rate and rolled back the edge timeout the test needs kept, one run in two.
    nodes = await startTestNodes(
      inject('natsUrl'),
      swarm,
      ['x1', 'x2'],
      [...builtinCells, flakyCell, slowCell, loadCell, probeCell],
    );
    client = await connectTestTransport(inject('natsUrl'), 'client');
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await control.systemStatus()).leader !== null, { what: 'a leader', timeoutMs: 15_000 });
    await control.createAgent({
      type: 'adaptive-config',
      id: 'tuner',
      config: { windowMs: 6000, settleMs: 500 },
      node: 'x1',
    });
    await control.createAgent({ type: 'flaky', id: 'flaky-1', node: 'x2' });
    await control.createAgent({ type: 'slow', id: 'slow-1', node: 'x2' });
    await control.createAgent({ type: 'load', id: 'load-1', node: 'x1' });
    await control.createAgent({ type: 'probe', id: 'probe-1', node: 'x1' });
  });
  afterAll(async () => {
    probing.on = false;
    await stopTestNodes(nodes);
    await client.close();
  });

  const tuner = async () =>
    (await client.request(createSubjects(swarm).cellInbox('tuner'), 'status')) as {
      trials: Trial[];
      measured: { calls: number; measures: { p99LatencyMs: number } };
    };

  it("offers an edge's kept timeout to another caller type's edge to the same callee, in the next run's first generation", async () => {
    const control = createControlClient(client, swarm);
    await waitFor(
      async () => {
        const { measured } = await tuner();
        // A whole window: load-1 makes ~67 calls a second (50 to flaky-1, 17 to slow-1), probe-1 ~200.
        return measured.measures.p99LatencyMs >= 5000 && measured.calls >= 1200;
      },
      { what: 'a whole window of hung calls of load → flaky measured', timeoutMs: 30_000, everyMs: 200 },
    );
    // The edge load → flaky cut short: its hung calls fail at 300 ms instead of 5 s, and neither
    // its breaker nor avoidance cuts the flaky cell off for its short outages. (With the defaults,
    // failing fast piles up marks until every call is avoided: errors 10% → 75%, rolled back; with
    // avoidance at 50, the ~15 marks of each outage on top of the ~36 left of the earlier ones
    // crossed it now and then: errors 10% → 35%, rolled back one run in two.)
    const edge = {
      'request.timeoutMs@edge:load:flaky': 300,
      'breaker.failureThreshold@edge:load:flaky': 100,
      'stigmergy.avoidStrength@edge:load:flaky': 500,
    };
    const trial = (await control.evolveApply(edge)) as unknown as Trial;
    await waitFor(async () => (await tuner()).trials.some((t) => t.id === trial.id), {
      what: 'the trial decided',
      timeoutMs: 20_000,
      everyMs: 200,
    });
    const decided = (await tuner()).trials.find((t) => t.id === trial.id);
    console.log(
      `trial: ${decided?.outcome} (${decided?.reason}) ${JSON.stringify(decided?.baseline?.measures)} → ${JSON.stringify(decided?.measured?.measures)}`,
    );
    expect(decided?.outcome).toBe('kept');
    // Now a second caller type calls the flaky cell, under the swarm-wide 5 s: its edge fails.
    probing.on = true;
    // A run is calibrated on calls made under the configuration in force, once a whole window of
    // them is reported (before that, on the kept trial's own window, when the probe was quiet):
    // wait until the calibration names the probe's edge as one worth its own genes.
    await waitFor(
      async () => {
        const cal = (await client.request(createSubjects(swarm).cellInbox('tuner'), 'calibration', undefined, {
          timeout: 5000,
        })) as { tunedEdges?: string[] };
        return cal.tunedEdges?.includes('probe:flaky') ?? false;
      },
      { what: 'the probe edge in the calibration', timeoutMs: 30_000, everyMs: 500 },
    );
    const run = (
      await control.evolveStart({
        islands: 1,
        island: { objective: 'swarm', population: 8, generations: 2, migrationInterval: 10 },
      })
    ).run;
    const log = await EventLog.open(client, swarm, EVOLUTION_LOG, createSilentLogger());
    let seeded: { run: string; seeds: Array<{ from: string; to: string; set: Record<string, number> }> } | undefined;
    await waitFor(
      async () => {
        const events = await log.recent(200);
        seeded = events.find((e) => e.type === EVOLUTION_EVENT.seeded)?.body as typeof seeded;
        return seeded !== undefined;
      },
      { what: 'evolve.seeded in the evolution stream', timeoutMs: 20_000, everyMs: 250 },
    );
    expect(seeded).toEqual({
      run,
      at: expect.any(Number),
      seeds: [
        {
          from: 'load:flaky',
          to: 'probe:flaky',
          set: {
            'request.timeoutMs@edge:probe:flaky': 300,
            'breaker.failureThreshold@edge:probe:flaky': 100,
            'stigmergy.avoidStrength@edge:probe:flaky': 500,
          },
        },
      ],
    });
  }, 90_000);
});
