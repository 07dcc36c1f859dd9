import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { defineCell } from '../src/cell/define-cell.js';
import { HOST_MESSAGE, type RunningCell, startCell } from '../src/cell/running-cell.js';
import { systemClock } from '../src/clock.js';
import { CellFailedError, CellFencedError, ValidationError } from '../src/errors.js';
import { createSilentLogger } from '../src/logger.js';
import { createSubjects } from '../src/transport/subjects.js';
import type { Transport } from '../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from './fixtures/test-transport.js';

const tally = defineCell({
  type: 'tally',
  queries: ['get'],
  description: 'test cell',
  topics: () => [{ event: 'bump' }],
  machine: () =>
    setup({
      types: {
        context: {} as { n: number; bumps: number; lastFrom: string },
        events: {} as
          | { type: 'add'; by: number; from: string }
          | { type: 'bump'; from: string }
          | { type: 'boom'; from: string },
        emitted: {} as { type: 'tally.changed'; n: number },
      },
    }).createMachine({
      context: { n: 0, bumps: 0, lastFrom: '' },
      on: {
        add: {
          actions: [
            assign({ n: ({ context, event }) => context.n + event.by, lastFrom: ({ event }) => event.from }),
            emit(({ context }) => ({ type: 'tally.changed' as const, n: context.n })),
          ],
        },
        bump: { actions: assign({ bumps: ({ context }) => context.bumps + 1, lastFrom: ({ event }) => event.from }) },
        boom: {
          actions: () => {
            throw new Error('boom');
          },
        },
      },
    }),
  reply: (s) => ({ n: s.context.n, bumps: s.context.bumps, lastFrom: s.context.lastFrom }),
});

/** The machine a cell's actor runs. */
const logicOf = (cell: RunningCell) => (cell.actor as unknown as { logic: unknown }).logic;

describe('cell', () => {
  let t: Transport;
  const swarm = uniqueSwarm();
  const subjects = createSubjects(swarm);
  const crashes: unknown[] = [];
  let cell: RunningCell;

  beforeAll(async () => {
    t = await connectTest('tester');
    cell = startCell({
      definition: tally,
      id: 'tally-1',
      config: {},
      node: 'n1',
      transport: t,
      subjects,
      logger: createSilentLogger(),
      clock: systemClock,
      onCrash: (_c, err) => crashes.push(err),
    });
  });
  afterAll(async () => {
    await cell.stop();
    await t.close();
  });

  it('turns inbox requests into machine events and answers from the new snapshot', async () => {
    await t.request(subjects.cellInbox('tally-1'), 'add', { by: 2 });
    const reply = await t.request(subjects.cellInbox('tally-1'), 'add', { by: 3 });
    expect(reply).toEqual({ n: 5, bumps: 0, lastFrom: 'tester' });
  });

  it('publishes what the machine emits on the cell event subject, with readable headers', async () => {
    const seen: Array<{ type?: string; from?: string; body?: unknown }> = [];
    const stop = t.tap(subjects.event('tally.changed', 'tally-1'), (v) => seen.push(v));
    await t.flush();
    await t.request(subjects.cellInbox('tally-1'), 'add', { by: 1 });
    await waitFor(() => seen.length === 1, { what: 'tally.changed' });
    stop();
    expect(seen[0]).toMatchObject({ type: 'tally.changed', from: 'tally-1', body: { n: 6 } });
  });

  it('turns subscribed topic events into machine events with the sender as from', async () => {
    t.publish(subjects.event('bump', 'elsewhere-7'), 'bump', {});
    await waitFor(
      async () => ((await t.request(subjects.cellInbox('tally-1'), 'get')) as { bumps: number }).bumps === 1,
    );
    const reply = (await t.request(subjects.cellInbox('tally-1'), 'get')) as { lastFrom: string };
    expect(reply.lastFrom).toBe('elsewhere-7');
  });

  it('answers hms.status with its health whatever the machine is', async () => {
    const status = await t.request(subjects.cellInbox('tally-1'), HOST_MESSAGE.status);
    expect(status).toMatchObject({ id: 'tally-1', type: 'tally', node: 'n1', status: 'running', restarts: 0 });
  });

  it('counts and drops random bytes sent to its inbox, answers them with a CodecError, and keeps working', async () => {
    const before = t.stats.malformed;
    t.publishRaw(subjects.cellInbox('tally-1'), new Uint8Array([0xc1, 0x00, 0xff]));
    await expect(t.request(subjects.cellInbox('tally-1'), 'get')).resolves.toBeDefined();
    await waitFor(() => t.stats.malformed > before, { what: 'malformed count' });
    const health = (await t.request(subjects.cellInbox('tally-1'), HOST_MESSAGE.status)) as { errors: number };
    expect(health.errors).toBeGreaterThanOrEqual(1);
    const raw = await t.nc.request(subjects.cellInbox('tally-1'), new Uint8Array([1, 2, 3]), { timeout: 2000 });
    expect(raw.headers?.get('hms-type')).toBe('error');
    expect(((await t.request(subjects.cellInbox('tally-1'), 'get')) as { n: number }).n).toBe(6);
  });

  it('reports a crash when an action throws, and fails the request with CellFailedError', async () => {
    await expect(t.request(subjects.cellInbox('tally-1'), 'boom')).rejects.toBeInstanceOf(CellFailedError);
    expect(crashes).toHaveLength(1);
    expect(cell.status()).toBe('crashed');
  });

  it('shares one machine between copies of a type whose factory takes no context, each copy with its own state', async () => {
    const start = (id: string, definition: typeof tally) =>
      startCell({
        definition,
        id,
        config: {},
        node: 'n1',
        transport: t,
        subjects,
        logger: createSilentLogger(),
        clock: systemClock,
        onCrash: () => undefined,
      });
    const a = start('tally-a', tally);
    const b = start('tally-b', tally);
    try {
      expect(logicOf(a)).toBe(logicOf(b));
      await t.request(subjects.cellInbox('tally-a'), 'add', { by: 4 });
      expect(await t.request(subjects.cellInbox('tally-a'), 'get')).toMatchObject({ n: 4 });
      expect(await t.request(subjects.cellInbox('tally-b'), 'get')).toMatchObject({ n: 0 });
    } finally {
      await a.stop();
      await b.stop();
    }
    // A factory that takes the cell context may build something per cell: called for every copy.
    const ids: string[] = [];
    const perCell = defineCell({
      type: 'per-cell',
      description: 'x',
      machine: (cellContext) => {
        ids.push(cellContext.id);
        return setup({}).createMachine({});
      },
    });
    const c = start('per-cell-1', perCell as unknown as typeof tally);
    const d = start('per-cell-2', perCell as unknown as typeof tally);
    await c.stop();
    await d.stop();
    expect(ids).toEqual(['per-cell-1', 'per-cell-2']);
    expect(logicOf(c)).not.toBe(logicOf(d));
    // A default value makes the factory's length 0, yet it still reads the context.
    const defaulted = defineCell({
      type: 'defaulted',
      description: 'x',
      machine: (cellContext: { id: string } = { id: 'none' }) => {
        ids.push(cellContext.id);
        return setup({}).createMachine({});
      },
    });
    expect(defaulted.machine.length).toBe(0);
    const e = start('defaulted-1', defaulted as unknown as typeof tally);
    const f = start('defaulted-2', defaulted as unknown as typeof tally);
    await e.stop();
    await f.stop();
    expect(ids.slice(2)).toEqual(['defaulted-1', 'defaulted-2']);
  });

  it('validates its config through the definition', () => {
    const strict = defineCell({
      type: 'strict',
      description: 'x',
      config: (raw) => {
        if (typeof (raw as { n?: unknown })?.n !== 'number')
          throw new ValidationError('n must be a number', { data: { field: 'n' } });
        return raw as { n: number };
      },
      machine: () => setup({}).createMachine({}),
    });
    expect(() => strict.config({})).toThrow(/n must be a number/);
    expect(strict.config({ n: 1 })).toEqual({ n: 1 });
  });
  it('refuses what its draining subscriptions still deliver once stopped without saving (a copy that moved away takes nothing beside the live one)', async () => {
    const copy = startCell({
      definition: tally,
      id: 'tally-moved',
      config: {},
      node: 'n1',
      transport: t,
      subjects,
      logger: createSilentLogger(),
      clock: systemClock,
      onCrash: () => undefined,
    });
    await t.request(subjects.cellInbox('tally-moved'), 'add', { by: 1 });
    // Written to the connection before the stop's unsubscribe: the server delivers all of them
    // back while the subscription drains.
    const late = Array.from({ length: 20 }, () =>
      t.request(subjects.cellInbox('tally-moved'), 'add', { by: 1 }).then(
        () => 'taken',
        (err: unknown) => err,
      ),
    );
    await copy.stop({ discard: true });
    const outcomes = await Promise.all(late);
    expect(outcomes.filter((o) => o === 'taken')).toEqual([]);
    for (const o of outcomes) expect(o).toBeInstanceOf(CellFencedError);
    expect((copy.actor.getSnapshot() as { context: { n: number } }).context.n).toBe(1);
  });
});
