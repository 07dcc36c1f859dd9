import {
  createControlClient,
  createSilentLogger,
  createSubjects,
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
import { MAX_RUNS_PER_DROP } from '../../src/adaptive-config/auto-evolution.js';
import { type AutoEvolutionStatus, builtinCells, type HealingAction, type Trial } from '../../src/index.js';
import { faultPatternCells } from '../fixtures/fault-pattern.js';

/** Off until the test breaks it: then the dependency hangs 300 ms out of every 1,500 ms. */
const fault = { on: false };
const { flakyCell, slowCell, loadCell } = faultPatternCells(() => fault.on);

interface AutoEvent {
  decision: string;
  reason?: string;
  at: number;
}

describe('evolution that starts itself', () => {
  const swarm = uniqueSwarm('ae');
  const subjects = createSubjects(swarm);
  let nodes: TestNode[];
  let client: Transport;
  const auto: AutoEvent[] = [];
  const started: Array<{ run: string; by?: string; reason?: string; at: number }> = [];

  beforeAll(async () => {
    nodes = await startTestNodes(
      inject('natsUrl'),
      swarm,
      ['a1', 'a2'],
      [...builtinCells, flakyCell, slowCell, loadCell],
    );
    client = await connectTestTransport(inject('natsUrl'), 'client');
    client.subscribe(subjects.eventPattern(EVOLUTION_EVENT.auto), (m) => {
      auto.push(m.body as AutoEvent);
    });
    client.subscribe(subjects.eventPattern(EVOLUTION_EVENT.started), (m) => {
      started.push({ ...(m.body as { run: string; by?: string; reason?: string }), at: Date.now() });
    });
    await client.flush();
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await control.systemStatus()).leader !== null, { what: 'a leader', timeoutMs: 15_000 });
    // Short windows and a short baseline, so the test takes seconds; the run is the default size
    // (16 × 20 found the steady-state model's narrow best region for none of 20 seeds offline).
    await control.configure({
      'evolution.auto': 1,
      'evolution.autoDropPct': 20,
      'evolution.baselineMs': 8000,
      'evolution.cooldownMs': 2000,
      'evolution.autoPopulation': 32,
      'evolution.autoGenerations': 40,
    });
    await control.createAgent({
      type: 'adaptive-config',
      id: 'tuner',
      config: { windowMs: 3000, settleMs: 500 },
      node: 'a1',
    });
    await control.createAgent({ type: 'recovery-manager', id: 'recovery-manager-1', node: 'a1' });
    await control.createAgent({ type: 'flaky', id: 'flaky-1', node: 'a2' });
    await control.createAgent({ type: 'slow', id: 'slow-1', node: 'a2' });
    await control.createAgent({ type: 'load', id: 'load-1', node: 'a1' });
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  const tuner = async (id = 'tuner') =>
    (await client.request(subjects.cellInbox(id), 'status')) as {
      state: string;
      trials: Trial[];
      auto: AutoEvolutionStatus;
    };

  it('starts a run by itself when the measured fitness drops, and keeps the better configuration', async () => {
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await tuner()).auto.baseline !== null, {
      what: 'a baseline',
      timeoutMs: 25_000,
      everyMs: 200,
    });
    const { auto: before } = await tuner();
    expect(before.enabled).toBe(true);
    expect(started).toEqual([]);

    fault.on = true;
    const brokeAt = Date.now();
    await waitFor(() => started.some((s) => s.by === 'auto'), {
      what: 'a self-started run',
      timeoutMs: 25_000,
      everyMs: 100,
    });
    const first = started.find((s) => s.by === 'auto') as (typeof started)[number];
    expect(first.reason).toMatch(/^drop: fitness \d\.\d+ is \d+% below baseline/);
    // A run whose best the keep rule rolls back leaves the drop standing: another starts after the cool-down.
    const keptTrial = async () =>
      (await tuner()).trials.find((t) => t.by.startsWith('run ') && t.outcome === 'kept') ?? null;
    await waitFor(
      async () =>
        (await keptTrial()) !== null ||
        (await tuner()).trials.filter((t) => t.by.startsWith('run ')).length >= MAX_RUNS_PER_DROP,
      { what: 'a run best kept', timeoutMs: 80_000, everyMs: 200 },
    );
    const decidedAt = Date.now();
    const { trials, auto: after } = await tuner();
    const runTrials = trials.filter((t) => t.by.startsWith('run '));
    for (const t of runTrials) {
      console.log(
        `${t.by}: ${t.outcome} (${t.reason}) ${JSON.stringify(t.candidate)} predicted ${t.predicted?.fitness.toFixed(3)} measured ${t.measured?.fitness.toFixed(3)}`,
      );
    }
    const trial = runTrials[runTrials.length - 1] as Trial;
    const run = started.find((s) => `run ${s.run}` === trial.by) as (typeof started)[number];
    console.log(
      `drop → first run started in ${first.at - brokeAt} ms; → kept in ${decidedAt - brokeAt} ms after ${runTrials.length} runs; fitness ${trial.baseline?.fitness.toFixed(3)} → ${trial.measured?.fitness.toFixed(3)}; ${JSON.stringify(trial.baseline?.measures)} → ${JSON.stringify(trial.measured?.measures)}`,
    );
    expect(trial.outcome).toBe('kept');
    for (const t of runTrials.slice(0, -1)) expect(['rolledback', 'skipped']).toContain(t.outcome);
    expect((trial.measured?.fitness as number) - (trial.baseline?.fitness as number)).toBeGreaterThan(0.05);
    expect((await control.systemStatus()).config['request.timeoutMs']).toBe(trial.candidate['request.timeoutMs']);
    expect(after.last).toMatchObject({ run: run.run, outcome: 'kept' });

    // One run per unfixed trial: the trials' own effects started no other.
    const autoRuns = started.filter((s) => s.by === 'auto');
    expect(autoRuns).toHaveLength(runTrials.length);
    expect(auto.filter((a) => a.decision === 'start')).toHaveLength(runTrials.length);
    const heal = (await control.healStatus()) as { recent: HealingAction[] };
    const healAction = { kept: 'evolve-keep', rolledback: 'evolve-rollback', skipped: 'evolve-skip' } as const;
    expect(heal.recent.filter((a) => a.cell === 'tuner').map((a) => a.action)).toEqual(
      runTrials.flatMap((t) =>
        t.outcome === 'skipped'
          ? ['evolve-start', 'evolve-skip']
          : ['evolve-start', 'evolve-trial', healAction[t.outcome as 'kept' | 'rolledback']],
      ),
    );
    const log = await (await EventLog.open(client, swarm, EVOLUTION_LOG, createSilentLogger())).recent(500);
    const kinds = log
      .filter((e) => e.type.startsWith('evolve.') && e.type !== EVOLUTION_EVENT.recalibrated)
      .map((e) => (e.type === EVOLUTION_EVENT.auto ? `auto ${(e.body as unknown as AutoEvent).decision}` : e.type));
    const logged = { kept: 'evolve.kept', rolledback: 'evolve.rolledback', skipped: 'evolve.skipped' } as const;
    // After a rolled-back run the drop stands, and a tick that wants the next run during the
    // cool-down logs that it holds it; one that wants it while a run of its own is still
    // evolving (2 × 32 for 40 on the steady model takes longer than the drop's confirmation)
    // logs that it holds it for that run. Those holds, and only those, may come between them.
    const ownRuns = autoRuns.map((s) => s.run).join('|');
    expect(auto.filter((a) => a.decision === 'held').map((a) => a.reason)).toEqual(
      auto
        .filter((a) => a.decision === 'held')
        .map(() => expect.stringMatching(new RegExp(`^(cooling down for \\d+ ms|run (${ownRuns}) under way)$`))),
    );
    expect(kinds.filter((k) => k !== 'auto held')).toEqual([
      'auto on',
      ...runTrials.flatMap((t) =>
        t.outcome === 'skipped'
          ? ['auto start', 'evolve.started', 'evolve.skipped']
          : ['auto start', 'evolve.started', 'evolve.applied', logged[t.outcome as 'kept' | 'rolledback']],
      ),
    ]);
  }, 150_000);

  it('holds a scheduled run while another run is under way, and starts it when that one is stopped', async () => {
    const control = createControlClient(client, swarm);
    const autoBefore = started.filter((s) => s.by === 'auto').length;
    const operator = await control.evolveStart({
      islands: 1,
      island: { objective: 'sphere', dim: 4, population: 8, generations: 100_000_000 },
    });
    await waitFor(async () => (await tuner()).auto.run?.run === operator.run, { what: 'the run seen', everyMs: 100 });
    await control.configure({ 'evolution.scheduleMs': 1000 });
    await waitFor(() => auto.some((a) => a.decision === 'held' && a.reason === `run ${operator.run} under way`), {
      what: 'the scheduled run held',
      timeoutMs: 10_000,
      everyMs: 100,
    });
    expect(started.filter((s) => s.by === 'auto')).toHaveLength(autoBefore);

    await control.evolveStop();
    // A start replaces the stopped run's islands through the leader (destroys, then creates): in
    // the whole suite, with JetStream shared by every test, that took over 10 s (2 of 3 runs on
    // 2026-11-30; 4.7 s alone, also with the CPU saturated).
    await waitFor(() => started.some((s) => s.by === 'auto' && s.reason?.startsWith('schedule')), {
      what: 'the scheduled run started',
      timeoutMs: 25_000,
      everyMs: 100,
    }).catch((err: Error) => {
      // What the tuner decided meanwhile says why (held, refused, cooling down).
      throw new Error(`${err.message}; decisions: ${JSON.stringify(auto.slice(-6))}`);
    });
  }, 45_000);

  it('starts nothing once evolve auto is off', async () => {
    const control = createControlClient(client, swarm);
    await control.configure({ 'evolution.auto': 0 });
    await waitFor(() => auto.some((a) => a.decision === 'off'), { what: 'auto off', everyMs: 100 });
    const offAt = Date.now();
    const runs = started.length;
    const { auto: status } = await tuner();
    // Looked again past the schedule twice: nothing started.
    await waitFor(async () => (await tuner()).auto.checkedAt > offAt + 2 * status.scheduleMs, {
      what: 'the schedule passed twice',
      timeoutMs: 10_000,
      everyMs: 200,
    });
    expect((await tuner()).auto).toMatchObject({ enabled: false, nextScheduledAt: null });
    expect(started.length).toBe(runs);
  }, 20_000);

  it('holds a scheduled run while the leader moves cells (a drain), and starts it once they are moved', async () => {
    const control = createControlClient(client, swarm);
    await control.evolveStop();
    await waitFor(async () => (await tuner()).state === 'idle', {
      what: 'no trial under way',
      timeoutMs: 15_000,
      everyMs: 200,
    });
    // A tuner with no history (a cooling one reports that hold first: see the next test), due
    // every second; cells moved one at a time.
    await control.destroyAgent('tuner');
    await control.configure({
      'evolution.auto': 1,
      'evolution.scheduleMs': 1000,
      'evolution.cooldownMs': 0,
      'placement.rebalanceBatch': 1,
    });
    const ids = Array.from({ length: 60 }, (_, i) => `rb-${i}`);
    // As `hms agent create` does: a node refuses new cells while its snapshot writes are slow
    // (`store-latency`, p90 over 250 ms), and says to try again shortly. Right after the GA runs of
    // the tests before, both nodes refused for a moment in 2 of 6 runs of this file on 2026-12-01.
    for (const id of ids) await control.createAgent({ type: 'counter', id }, { overloadWaitMs: 15_000 });
    const decisions = auto.length;
    const runs = started.length;
    await control.drainNode('a2');
    await control.createAgent(
      { type: 'adaptive-config', id: 'tuner-rb', config: { windowMs: 3000, settleMs: 500 }, node: 'a1' },
      { overloadWaitMs: 15_000 },
    );
    await waitFor(() => auto.slice(decisions).some((a) => a.decision === 'held' && a.reason === 'rebalancing'), {
      what: 'the scheduled run held while cells move',
      timeoutMs: 20_000,
      everyMs: 100,
    }).catch((err: Error) => {
      throw new Error(`${err.message}; its last decisions: ${JSON.stringify(auto.slice(-6))}`);
    });
    expect(started.length).toBe(runs);
    // Once a2 is empty, the run held starts.
    await waitFor(() => started.slice(runs).some((s) => s.by === 'auto' && s.reason?.startsWith('schedule')), {
      what: 'the scheduled run started after the drain',
      timeoutMs: 40_000,
      everyMs: 100,
    });
    await control.evolveStop();
    await control.undrainNode('a2');
    await control.configure({ 'evolution.auto': 0 });
    for (const id of ids) await control.destroyAgent(id);
  }, 120_000);

  it('starts no run without a leader', async () => {
    const control = createControlClient(client, swarm);
    await control.evolveStop();
    // No trial left that would need the leader to end.
    await waitFor(async () => (await tuner('tuner-rb')).state === 'idle', {
      what: 'no trial under way',
      timeoutMs: 15_000,
      everyMs: 200,
    });
    // A tuner with no history: the one before is cooling down after the run it started (after a
    // rolled-back trial for as long as its marks last, up to the 60 s of the stigmergy.markTtlMs
    // gene), and a cooling tuner reports that hold first. Waiting it out took up to a minute.
    await control.destroyAgent('tuner-rb');
    await control.configure({ 'evolution.auto': 1, 'evolution.scheduleMs': 7000, 'evolution.cooldownMs': 0 });
    const fresh = 'tuner-fresh';
    const decisions = auto.length;
    await control.createAgent({
      type: 'adaptive-config',
      id: fresh,
      config: { windowMs: 3000, settleMs: 500 },
      node: 'a1',
    });
    const status = async () =>
      ((await client.request(subjects.cellInbox(fresh), 'status')) as { auto: AutoEvolutionStatus }).auto;
    // Due 7 s after it first looked: by then a2 is cut off.
    await waitFor(async () => (await status()).nextScheduledAt !== null, { what: 'its schedule set', everyMs: 100 });
    expect((await status()).quietUntil).toBeLessThanOrEqual(Date.now());
    const runs = started.length;
    // Cut a2 off: of the two voting members none has a majority, so no leader.
    const a2 = nodes.find((n) => n.node.nodeId === 'a2') as TestNode;
    await a2.transport.close();
    await waitFor(() => auto.slice(decisions).some((a) => a.decision === 'held' && a.reason === 'no leader'), {
      what: 'the scheduled run held for want of a leader',
      timeoutMs: 20_000,
      everyMs: 100,
    }).catch((err: Error) => {
      // What the tuner decided instead, at the deadline.
      throw new Error(`${err.message}; its last decisions: ${JSON.stringify(auto.slice(-6))}`);
    });
    expect(started.length).toBe(runs);
  }, 60_000);
});
