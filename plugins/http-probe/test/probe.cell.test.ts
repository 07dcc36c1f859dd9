import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@hms/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createProbeMachine, type ProbeContext, parseProbeConfig, probeReply } from '../src/probe.cell.js';

const defaults = { intervalMs: 5000, timeoutMs: 2000 };

async function serve(status: number): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.statusCode = status;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health` };
}

describe('http-probe cell', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it.each([
    [{ url: 'http://x:1/a' }, { url: 'http://x:1/a', intervalMs: 5000, timeoutMs: 2000 }],
    [
      { url: 'https://x', intervalMs: 200, timeoutMs: 100 },
      { url: 'https://x/', intervalMs: 200, timeoutMs: 100 },
    ],
  ])('accepts the config %j', (raw, parsed) => {
    expect(parseProbeConfig(raw, defaults)).toEqual(parsed);
  });

  it.each([
    [{}, 'config.url must be an http(s) URL, got undefined'],
    [{ url: 'ftp://x' }, 'config.url must be an http(s) URL'],
    [{ url: 'http://x', intervalMs: 5 }, 'config.intervalMs must be'],
    [{ url: 'http://x', intervalMs: 200, timeoutMs: 500 }, 'config.timeoutMs must be'],
  ])('refuses the config %j', (raw, message) => {
    expect(() => parseProbeConfig(raw, defaults)).toThrow(message);
  });

  it('records latency and status, and reports the endpoint degraded when it fails, recovered when it answers', async () => {
    let status = 200;
    const server = createServer((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const actor = createActor(createProbeMachine({ url, intervalMs: 100, timeoutMs: 50 })).start();
    const emitted: string[] = [];
    actor.on('*', (e) => emitted.push(e.type));
    await waitFor(() => actor.getSnapshot().context.checks >= 2, { what: 'two probes' });
    const ok = probeReply(actor.getSnapshot().context as ProbeContext);
    expect(ok).toMatchObject({ healthy: true, failures: 0, last: { ok: true, status: 200 } });
    expect(ok.avgLatencyMs).toBeGreaterThan(0);

    status = 503;
    await waitFor(() => emitted.includes('health.degraded'), { what: 'degraded once the endpoint fails' });
    expect(emitted).toContain('http-probe.failed');
    expect(actor.getSnapshot().context.healthy).toBe(false);

    status = 200;
    await waitFor(() => emitted.includes('health.recovered'), { what: 'recovered once it answers again' });
    expect(emitted.filter((t) => t === 'health.degraded')).toHaveLength(1);
    actor.stop();
  });

  it('counts a 500 answer as a failure', async () => {
    const bad = await serve(500);
    servers.push(bad.server);
    const actor = createActor(createProbeMachine({ url: bad.url, intervalMs: 100, timeoutMs: 50 })).start();
    await waitFor(() => actor.getSnapshot().context.checks >= 1, { what: 'a probe' });
    expect(actor.getSnapshot().context.last).toMatchObject({ ok: false, status: 500, error: 'HTTP 500' });
    actor.stop();
  });
});
