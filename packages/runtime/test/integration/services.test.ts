import { connect as connectPlainNats, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NoRespondersError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import type { ServiceChange } from '../../src/services/service-client.js';
import { createServiceRegistry, type ServiceRegistry } from '../../src/services/service-registry.js';
import { SERVICE_ERROR_HEADER } from '../../src/transport/headers.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const adder = (name: string, version = '1.0.0') => ({
  name,
  version,
  description: 'adds two numbers',
  endpoints: [
    {
      name: 'add',
      handler: ({ body }: { body: unknown }) => {
        const { a, b } = (body ?? {}) as { a?: unknown; b?: unknown };
        if (typeof a !== 'number' || typeof b !== 'number') {
          throw new ValidationError('a and b must be numbers', { data: { field: 'a' } });
        }
        return a + b;
      },
    },
  ],
});

describe('service registry', () => {
  // The test server is shared with other test files running now: every name here is unique.
  const suffix = uniqueSwarm('s');
  const calc = `calc-${suffix}`;
  const echo = `echo-${suffix}`;
  let a: Transport;
  let b: Transport;
  let regA: ServiceRegistry;
  let regB: ServiceRegistry;

  beforeAll(async () => {
    a = await connectTest('node-a');
    b = await connectTest('node-b', 'json');
    regA = createServiceRegistry({ transport: a, logger: createSilentLogger(), nodeId: 'node-a' });
    regB = createServiceRegistry({ transport: b, logger: createSilentLogger(), nodeId: 'node-b' });
    await regA.register(adder(calc));
    await regB.register({
      name: echo,
      version: '0.2.0-beta.1',
      metadata: { team: 'tools' },
      endpoints: [{ name: 'say', subject: `echo.${suffix}.say`, queueGroup: 'echoes', handler: ({ body }) => body }],
    });
  });
  afterAll(async () => {
    await regA.stop();
    await regB.stop();
    await a.close();
    await b.close();
  });

  it('finds two services registered on two connections through $SRV.INFO, $SRV.PING and $SRV.STATS', async () => {
    const infos = (await regA.discover(undefined, { timeoutMs: 500 })).filter((i) => [calc, echo].includes(i.name));
    expect(infos.map((i) => [i.name, i.version, i.metadata])).toEqual([
      [calc, '1.0.0', { node: 'node-a' }],
      [echo, '0.2.0-beta.1', { node: 'node-b', team: 'tools' }],
    ]);
    expect(infos[0]?.description).toBe('adds two numbers');
    expect(infos[0]?.endpoints).toEqual([
      { name: 'add', subject: `hms.svc.${calc}.add`, queue_group: 'q', metadata: {} },
    ]);
    expect(infos[1]?.endpoints).toEqual([
      { name: 'say', subject: `echo.${suffix}.say`, queue_group: 'echoes', metadata: {} },
    ]);

    const pings = await regB.ping(calc, { timeoutMs: 300 });
    expect(pings).toEqual([
      {
        type: 'io.nats.micro.v1.ping_response',
        name: calc,
        id: infos[0]?.id,
        version: '1.0.0',
        metadata: { node: 'node-a' },
      },
    ]);
    const byId = await regB.discover(echo, { id: infos[1]?.id as string, timeoutMs: 300 });
    expect(byId.map((i) => i.id)).toEqual([infos[1]?.id]);
    const [stats] = await regA.stats(echo, { timeoutMs: 300 });
    expect(stats).toMatchObject({ type: 'io.nats.micro.v1.stats_response', name: echo, id: infos[1]?.id });
    expect(Date.parse(stats?.started ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('reaches a service through its client from another connection, in either codec, and counts what it served', async () => {
    const [before] = await regA.stats(calc, { timeoutMs: 300 });
    const calcClient = regB.client(calc);
    expect(await calcClient.request('add', { a: 2, b: 3 })).toBe(5);
    expect(await regA.client(echo).request('say', { list: [1, 2], deep: { x: 'y' } })).toEqual({
      list: [1, 2],
      deep: { x: 'y' },
    });
    await expect(calcClient.request('add', { a: 'two' })).rejects.toBeInstanceOf(ValidationError);
    await expect(calcClient.request('subtract', { a: 1 })).rejects.toThrow(/has no endpoint subtract \(it has: add\)/);
    await expect(calcClient.request('subtract')).rejects.toBeInstanceOf(NotFoundError);

    const [after] = await regA.stats(calc, { timeoutMs: 300 });
    const e = after?.endpoints[0];
    expect(e).toMatchObject({
      name: 'add',
      num_requests: (before?.endpoints[0]?.num_requests ?? 0) + 2,
      num_errors: 1,
      last_error: 'a and b must be numbers',
    });
    expect(Number.isInteger(e?.processing_time)).toBe(true);
    expect(e?.processing_time).toBeGreaterThan(0);
    expect(e?.average_processing_time).toBe(Math.round((e?.processing_time ?? 0) / (e?.num_requests ?? 1)));
  });

  it('answers a plain NATS client in JSON, with Nats-Service-Error headers on failure', async () => {
    const plain: NatsConnection = await connectPlainNats({ servers: inject('natsUrl') });
    try {
      const enc = new TextEncoder();
      const ok = await plain.request(`hms.svc.${calc}.add`, enc.encode('{"a":40,"b":2}'), { timeout: 2000 });
      expect(new TextDecoder().decode(ok.data)).toBe('42');
      expect(ok.headers?.get(SERVICE_ERROR_HEADER.code) ?? '').toBe('');
      const bad = await plain.request(`hms.svc.${calc}.add`, enc.encode('{"a":1}'), { timeout: 2000 });
      expect(bad.headers?.get(SERVICE_ERROR_HEADER.code)).toBe('400');
      expect(bad.headers?.get(SERVICE_ERROR_HEADER.message)).toBe('a and b must be numbers');
      expect(JSON.parse(new TextDecoder().decode(bad.data))).toMatchObject({ name: 'ValidationError' });
    } finally {
      await plain.close();
    }
  });

  it('forgets a stopped service: discovery no longer finds it, its client notices, and finds a new instance', async () => {
    const name = `gone-${suffix}`;
    const first = await regA.register({ name, version: '1.0.0', endpoints: [{ name: 'hi', handler: () => 'from a' }] });
    const client = regB.client(name);
    expect(await client.request('hi')).toBe('from a');
    const changes: ServiceChange[] = [];
    let goneAt = 0;
    client.watch((c) => changes.push(c), { intervalMs: 100, timeoutMs: 100 });
    client.onGone(
      () => {
        goneAt = Date.now();
      },
      { intervalMs: 100, timeoutMs: 100 },
    );
    await waitFor(() => changes.some((c) => c.appeared.some((p) => p.id === first.identity.id)), {
      what: 'the watch to see the instance',
    });

    const stoppedAt = Date.now();
    await first.stop();
    expect(await regB.discover(name, { timeoutMs: 300 })).toEqual([]);
    await waitFor(() => goneAt > 0, { what: 'onGone' });
    // A PING every 100 ms, and NATS says at once that nobody listens: noticed well within a second.
    expect(goneAt - stoppedAt).toBeLessThan(1000);
    expect(changes.at(-1)?.gone.map((p) => p.id)).toEqual([first.identity.id]);
    expect(await client.alive(200)).toBe(false);
    await expect(client.request('hi')).rejects.toBeInstanceOf(NoRespondersError);

    const second = await regB.register({
      name,
      version: '1.0.1',
      endpoints: [{ name: 'hi', handler: () => 'from b' }],
    });
    expect(await client.request('hi')).toBe('from b');
    await waitFor(() => changes.some((c) => c.appeared.some((p) => p.id === second.identity.id)), {
      what: 'the watch to see the new instance',
    });
    client.close();
  });

  it('finds an endpoint again when its subject answers no more because the service moved', async () => {
    const name = `moving-${suffix}`;
    const old = await regA.register({
      name,
      version: '1.0.0',
      endpoints: [{ name: 'where', subject: `old.${suffix}.where`, handler: () => 'old' }],
    });
    const client = regB.client(name);
    expect(await client.request('where')).toBe('old');
    await old.stop();
    await regA.register({
      name,
      version: '2.0.0',
      endpoints: [{ name: 'where', subject: `new.${suffix}.where`, handler: () => 'new' }],
    });
    expect(await client.request('where')).toBe('new');
  });

  it('refuses a bad definition before serving anything, naming the field', async () => {
    await expect(regA.register({ ...adder(`bad-${suffix}`), version: 'v1' })).rejects.toThrow(
      /version "v1" must be a semantic version/,
    );
    expect(await regA.discover(`bad-${suffix}`, { timeoutMs: 200 })).toEqual([]);
  });
});
