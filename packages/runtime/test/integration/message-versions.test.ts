import { headers as natsHeaders } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineCell } from '../../src/cell/define-cell.js';
import { startCell } from '../../src/cell/running-cell.js';
import { systemClock } from '../../src/clock.js';
import { MessageVersionError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { readHmsHeaders } from '../../src/transport/header-reader.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

/** A counter whose `add` is at version 2 (`{ amount }`; version 1 was `{ by }`). */
const adder = defineCell({
  type: 'adder',
  description: 'adds amounts',
  queries: ['get'],
  messages: {
    add: {
      version: 2,
      upcast: (body: { by?: number }, from: number) => {
        if (from !== 1) throw new Error(`no step from ${from}`);
        return { amount: body.by ?? 1 };
      },
    },
    'adder.added': { version: 2, upcast: (b: unknown) => b },
  },
  machine: () =>
    setup({ types: { context: {} as { total: number }, events: {} as { type: 'add'; amount: number } } }).createMachine(
      {
        context: { total: 0 },
        on: { add: { actions: assign({ total: ({ context, event }) => context.total + event.amount }) } },
      },
    ),
  reply: (s) => ({ total: s.context.total }),
});

describe('versioned messages over NATS', () => {
  const swarm = uniqueSwarm('msgv');
  const subjects = createSubjects(swarm);
  let node: Transport;
  let client: Transport;

  beforeAll(async () => {
    node = await connectTest('n1');
    client = await connectTest('client');
    startCell({
      definition: adder,
      id: 'a1',
      config: {},
      node: 'n1',
      transport: node,
      subjects,
      logger: createSilentLogger(),
      clock: systemClock,
      onCrash: () => {},
    });
    await node.flush();
  });
  afterAll(async () => {
    await node.close();
    await client.close();
  });

  const ask = (type: string, body: unknown, version?: number) =>
    client.request(subjects.cellInbox('a1'), type, body, { timeout: 2000, ...(version ? { version } : {}) });

  it('reads its own version, and the previous one through the upcaster', async () => {
    expect(await ask('add', { amount: 5 }, 2)).toEqual({ total: 5 });
    expect(await ask('add', { by: 2 }, 1)).toEqual({ total: 7 });
    expect(await ask('add', { by: 3 })).toEqual({ total: 10 });
  });

  it('refuses a newer version with a one-line error reply, counts it and keeps running', async () => {
    const before = node.stats.malformed;
    const err = await ask('add', { amount: 100, unit: 'kg' }, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessageVersionError);
    expect((err as Error).message).toBe(
      'message add has version 3, newer than version 2 this node reads; not handled (send version 2, or upgrade this node)',
    );
    expect(node.stats.malformed).toBe(before + 1);
    // A refused one-way message is counted and dropped too.
    client.publish(subjects.cellInbox('a1'), 'add', { amount: 100 }, { version: 9 });
    await waitFor(() => node.stats.malformed === before + 2, { what: 'the one-way refusal counted' });
    expect(await ask('get', undefined)).toEqual({ total: 10 });
  });

  it("writes hms-v at the version asked for, else the type's own (1 for types nobody declared)", async () => {
    const seen: Array<[string | undefined, number | undefined]> = [];
    const stop = client.tap('msgv.probe.>', (v) => seen.push([v.type, v.v]));
    await client.flush();
    node.publish('msgv.probe.a', 'adder.added', { total: 1 }, { version: 2 });
    node.publish('msgv.probe.b', 'ping', {});
    await waitFor(() => seen.length === 2, { what: 'two probes' });
    expect(seen).toEqual([
      ['adder.added', 2],
      ['ping', 1],
    ]);
    stop();
  });
});

describe('readHmsHeaders', () => {
  let t: Transport;
  beforeAll(async () => {
    t = await connectTest('hdr');
  });
  afterAll(async () => t.close());

  it('reads the HMS headers of a real message in one pass, whatever the order and spacing', async () => {
    const got = new Promise<ReturnType<typeof readHmsHeaders>>((resolve) => {
      const sub = t.nc.subscribe('hdr.test', {
        callback: (_e, m) => {
          resolve(readHmsHeaders(m));
          sub.unsubscribe();
        },
      });
    });
    await t.nc.flush();
    const h = natsHeaders();
    h.set('X-Other', 'x');
    h.set('Content-Type', 'application/json');
    h.set('hms-term', '42');
    h.set('hms-v', '3');
    h.set('hms-from', 'cell-ü');
    h.set('hms-type', 'counter.changed');
    t.nc.publish('hdr.test', new Uint8Array(0), { headers: h });
    expect(await got).toEqual({
      type: 'counter.changed',
      from: 'cell-ü',
      version: 3,
      term: 42,
      contentType: 'application/json',
      status: 0,
    });
  });

  it('gives the defaults for a message without headers', async () => {
    const plain = new Promise<ReturnType<typeof readHmsHeaders>>((resolve) => {
      const sub = t.nc.subscribe('hdr.plain', {
        callback: (_e, m) => {
          resolve(readHmsHeaders(m));
          sub.unsubscribe();
        },
      });
    });
    await t.nc.flush();
    t.nc.publish('hdr.plain', new Uint8Array([1]));
    expect(await plain).toEqual({ type: '', from: '', version: 1, term: undefined, contentType: undefined, status: 0 });
  });
});
