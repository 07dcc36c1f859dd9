import {
  createSilentLogger,
  createSubjects,
  type RunningCell,
  startCell,
  systemClock,
  type Transport,
} from '@hms/runtime';
import { connectTestTransport, uniqueSwarm, waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { counterCell, demoCellPlan, echoCell, pingerCell, pongerCell, tickerCell } from '../src/index.js';

const connectTest = (from: string) => connectTestTransport(inject('natsUrl'), from);

describe('demo cells', () => {
  const swarm = uniqueSwarm('demo');
  const subjects = createSubjects(swarm);
  let a: Transport;
  let b: Transport;
  const cells: RunningCell[] = [];
  /** Starts a cell and waits until the server has its subscriptions, so others can reach it. */
  const start = async (
    transport: Transport,
    definition: Parameters<typeof startCell>[0]['definition'],
    id: string,
    config: unknown = {},
  ) => {
    const cell = startCell({
      definition,
      id,
      config,
      node: 'n',
      transport,
      subjects,
      logger: createSilentLogger(),
      clock: systemClock,
      onCrash: () => {},
    });
    cells.push(cell);
    await transport.flush();
    return cell;
  };

  beforeAll(async () => {
    a = await connectTest('a');
    b = await connectTest('b');
  });
  afterAll(async () => {
    for (const c of cells) await c.stop();
    await a.close();
    await b.close();
  });

  it('counter adds increments (default 1), resets, and announces every change', async () => {
    await start(a, counterCell, 'counter-x');
    const changes: unknown[] = [];
    const stop = b.tap(subjects.event('counter.changed', 'counter-x'), (v) => changes.push(v.body));
    await b.flush();
    await b.request(subjects.cellInbox('counter-x'), 'increment', { by: 5 });
    await b.request(subjects.cellInbox('counter-x'), 'increment');
    expect(await b.request(subjects.cellInbox('counter-x'), 'increment', { by: 'x' })).toMatchObject({ count: 7 });
    expect(await b.request(subjects.cellInbox('counter-x'), 'reset')).toMatchObject({ count: 0 });
    await waitFor(() => changes.length === 4, { what: 'four counter.changed events' });
    stop();
    expect(changes).toEqual([{ count: 5 }, { count: 6 }, { count: 7 }, { count: 0 }]);
  });

  it('a ticker in one process drives a counter in another through tick events', async () => {
    await start(b, counterCell, 'counter-t');
    await start(a, tickerCell, 'ticker-t', { intervalMs: 20 });
    await waitFor(
      async () => ((await b.request(subjects.cellInbox('counter-t'), 'get')) as { ticks: number }).ticks >= 3,
      {
        what: 'three ticks counted',
      },
    );
  });

  it('a pinger pings a ponger through NATS and reports round-trip times', async () => {
    await start(a, pongerCell, 'ponger-p');
    await start(b, pingerCell, 'pinger-p', { target: 'ponger-p', intervalMs: 20 });
    const rtts: number[] = [];
    const stop = a.tap(subjects.event('pinger.rtt', 'pinger-p'), (v) => rtts.push((v.body as { ms: number }).ms));
    await waitFor(() => rtts.length >= 2, { what: 'two pinger.rtt events' });
    stop();
    const state = (await a.request(subjects.cellInbox('pinger-p'), 'get')) as { ok: number; failed: number };
    expect(state.failed).toBe(0);
    expect(state.ok).toBeGreaterThanOrEqual(2);
    for (const ms of rtts) expect(ms).toBeGreaterThan(0);
  });

  it('a pinger whose target does not exist reports failures and keeps running', async () => {
    await start(b, pingerCell, 'pinger-lost', { target: 'nobody-here', intervalMs: 20, timeoutMs: 200 });
    const failures: string[] = [];
    const stop = a.tap(subjects.event('pinger.failed', 'pinger-lost'), (v) =>
      failures.push((v.body as { error: string }).error),
    );
    await waitFor(() => failures.length >= 2, { what: 'two pinger.failed events' });
    stop();
    expect(failures[0]).toMatch(/nobody answers/);
  });

  it('echo answers with the body after its configured delay', async () => {
    await start(a, echoCell, 'echo-d', { delayMs: 50 });
    const t0 = Date.now();
    expect(await b.request(subjects.cellInbox('echo-d'), 'say', { hi: 1 })).toEqual({ echoed: { hi: 1 }, n: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it('echo takes a new delay from a delay event while it runs, and ignores an invalid one', async () => {
    await start(a, echoCell, 'echo-live');
    // A delay far longer than a loaded machine's round trip, so that "still delayed" and "no
    // longer delayed" cannot be mistaken for each other (a 75 ms bound on the undelayed answer
    // is a timing test the suite's own load can fail).
    await b.request(subjects.cellInbox('echo-live'), 'delay', { ms: 1500 });
    await b.request(subjects.cellInbox('echo-live'), 'delay', { ms: -5 });
    const t0 = Date.now();
    expect(await b.request(subjects.cellInbox('echo-live'), 'say', { hi: 2 })).toMatchObject({ echoed: { hi: 2 } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1495);
    await b.request(subjects.cellInbox('echo-live'), 'delay', { ms: 0 });
    const t1 = Date.now();
    await b.request(subjects.cellInbox('echo-live'), 'say', {});
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  const badConfigs: Array<[string, (raw: unknown) => unknown, unknown, string]> = [
    ['pinger without a target', pingerCell.config, {}, 'target'],
    ['pinger with a wildcard target', pingerCell.config, { target: 'a.*' }, 'target'],
    ['pinger with a 1 ms interval', pingerCell.config, { target: 'x', intervalMs: 1 }, 'intervalMs'],
    ['ticker with a string interval', tickerCell.config, { intervalMs: 'fast' }, 'intervalMs'],
    ['echo with a negative delay', echoCell.config, { delayMs: -1 }, 'delayMs'],
  ];
  it.each(badConfigs)('refuses %s, naming the field', (_what, parse, raw, field) => {
    expect(() => parse(raw)).toThrow(field);
  });

  it('plans a ponger and a pinger per node, each pinging the next node, plus a ticker and a counter', () => {
    const plan = demoCellPlan(['n1', 'n2', 'n3']);
    expect(
      plan.filter((p) => p.type === 'pinger').map((p) => [p.node, (p.config as { target: string }).target]),
    ).toEqual([
      ['n1', 'ponger-2'],
      ['n2', 'ponger-3'],
      ['n3', 'ponger-1'],
    ]);
    expect(plan.find((p) => p.type === 'ticker')?.node).toBe('n1');
    expect(plan.find((p) => p.type === 'counter')?.node).toBe('n3');
  });
});
