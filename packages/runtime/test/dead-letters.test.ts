import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineCell } from '../src/cell/define-cell.js';
import { HOST_MESSAGE, type RunningCell, startCell } from '../src/cell/running-cell.js';
import { systemClock } from '../src/clock.js';
import { UnhandledEventError } from '../src/errors.js';
import { createSilentLogger } from '../src/logger.js';
import { LIFECYCLE_EVENT } from '../src/node/lifecycle-events.js';
import { createSubjects } from '../src/transport/subjects.js';
import type { Transport } from '../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from './fixtures/test-transport.js';

/** A door: `open` only when closed, `close` only when open; `get` is a query. */
const door = defineCell({
  type: 'door',
  description: 'opens and closes',
  queries: ['get'],
  topics: () => [{ event: 'knock' }],
  machine: () =>
    setup({ types: { context: {} as { opened: number } } }).createMachine({
      context: { opened: 0 },
      initial: 'closed',
      states: {
        closed: { on: { open: { target: 'open', actions: assign({ opened: ({ context }) => context.opened + 1 }) } } },
        open: { on: { close: 'closed' } },
      },
    }),
  reply: (s) => ({ state: s.value, opened: s.context.opened }),
});

describe('dead letters', () => {
  let t: Transport;
  const subjects = createSubjects(uniqueSwarm('dl'));
  let cell: RunningCell;
  const dead: Array<{ type: string; state: unknown; from: string }> = [];

  beforeAll(async () => {
    t = await connectTest('tester');
    t.subscribe(subjects.eventPattern(LIFECYCLE_EVENT.deadLetter), (m) => {
      dead.push(m.body as (typeof dead)[number]);
    });
    await t.flush();
    cell = startCell({
      definition: door,
      id: 'door-1',
      config: {},
      node: 'n1',
      transport: t,
      subjects,
      logger: createSilentLogger(),
      clock: systemClock,
      onCrash: () => undefined,
    });
  });
  afterAll(async () => {
    await cell.stop();
    await t.close();
  });

  it('answers an event its machine can take, and a declared query, as before', async () => {
    expect(await t.request(subjects.cellInbox('door-1'), 'open')).toEqual({ state: 'open', opened: 1 });
    expect(await t.request(subjects.cellInbox('door-1'), 'get')).toEqual({ state: 'open', opened: 1 });
  });

  it.each([
    ['an unknown type', 'fly', 'open'],
    ['a type its current state does not take', 'open', 'open'],
  ])(
    'refuses %s with UnhandledEventError naming the type and the state, changes nothing, counts and publishes it',
    async (_, type, state) => {
      const before = dead.length;
      const err = await t.request(subjects.cellInbox('door-1'), type).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnhandledEventError);
      expect((err as Error).message).toBe(`cell door-1 (door) cannot take ${type} in state "${state}"`);
      expect(await t.request(subjects.cellInbox('door-1'), 'get')).toEqual({ state: 'open', opened: 1 });
      await waitFor(() => dead.length > before, { what: 'the dead letter on its subject' });
      expect(dead[dead.length - 1]).toEqual({ type, state, from: 'tester' });
    },
  );

  it('counts dead letters in its health, and one-way messages it cannot take too', async () => {
    t.publish(subjects.cellInbox('door-1'), 'fly', {});
    await waitFor(
      async () => {
        const health = (await t.request(subjects.cellInbox('door-1'), HOST_MESSAGE.status)) as { unhandled?: number };
        return health.unhandled === 3;
      },
      { what: 'three dead letters counted' },
    );
  });

  it('does not count a topic event its state does not handle as a dead letter', async () => {
    const before = dead.length;
    t.publish(subjects.event('knock', 'visitor'), 'knock', {});
    await t.request(subjects.cellInbox('door-1'), 'close');
    const health = (await t.request(subjects.cellInbox('door-1'), HOST_MESSAGE.status)) as { unhandled?: number };
    expect(health.unhandled).toBe(3);
    expect(dead.length).toBe(before);
  });
});
