import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSilentLogger, createSubjects, Field, systemClock } from '@hms/runtime';
import { connectTestTransport, waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHms } from '../fixtures/run-hms.js';

const httpProbe = fileURLToPath(new URL('../../../../plugins/http-probe', import.meta.url));

interface ProbeStatus {
  id: string;
  healthy: boolean | null;
  checks: number;
  failures: number;
}

interface PluginList {
  plugins: Array<{ id: string; version: string; enabled: boolean }>;
  nodes: Array<{ node: string; plugins: Array<{ id: string; status: string; error?: string }> }>;
}

/** A plugin in a temp dir whose initialize throws. */
function failingPlugin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hms-bad-plugin-'));
  writeFileSync(
    join(dir, 'plugin.json'),
    JSON.stringify({ id: 'broken', name: 'broken', version: '1.0.0', hms: '^0.1.0', modules: [{ path: 'index.js' }] }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    `export default { id: 'broken', name: 'broken', version: '1.0.0',
      initialize(ctx) { if (ctx.host === 'node') throw new Error('cannot reach its database'); },
      shutdown() {}, getCommands: () => [], getAgentTypes: () => [], getEventHandlers: () => [] };`,
  );
  return dir;
}

describe('plugins in a swarm of node processes', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-home-'));
  const swarm = `pl${process.pid}`;
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  let server: Server;
  let url = '';

  const hms = (...args: string[]) => runHms(args, env);
  const probeStatus = async (): Promise<ProbeStatus | undefined> => {
    const r = await hms('http-probe', 'status', '--json');
    if (r.code !== 0) return undefined;
    return (JSON.parse(r.stdout) as ProbeStatus[]).find((p) => p.id === 'probe-1');
  };
  const list = async () => JSON.parse((await hms('plugin', 'list', '--json')).stdout) as PluginList;
  const types = async () =>
    (JSON.parse((await hms('agent', 'types', '--json')).stdout) as Array<{ type: string }>).map((t) => t.type);

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    const up = await hms('up', '--nodes', '2', '--detach');
    expect(up.code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await runHms(['down'], env);
    server.close();
    server.closeAllConnections();
    rmSync(home, { recursive: true, force: true });
  });

  it('adds http-probe live: every node loads it and hms agent types lists its type, without a restart', async () => {
    const added = await hms('plugin', 'add', httpProbe, '--config', '{"intervalMs":200,"timeoutMs":150}');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/http-probe\s+0\.1\.0\s+true\s+node-1\s+loaded/);
    const listed = await list();
    expect(listed.plugins.map((p) => p.id)).toEqual(['http-probe']);
    expect(listed.nodes.map((n) => [n.node, n.plugins.find((p) => p.id === 'http-probe')?.status])).toEqual([
      ['node-1', 'loaded'],
      ['node-2', 'loaded'],
    ]);
    expect(await types()).toContain('http-probe');
  }, 60_000);

  it('runs a probe cell on a local HTTP server; stopping the server degrades it, marks the field and raises an alert', async () => {
    const created = await hms(
      'http-probe',
      'add',
      url,
      '--id',
      'probe-1',
      '--interval-ms',
      '200',
      '--timeout-ms',
      '150',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    await waitFor(async () => ((await probeStatus())?.checks ?? 0) >= 2, { timeoutMs: 15_000, what: 'two probes' });
    expect(await probeStatus()).toMatchObject({ healthy: true, failures: 0 });

    server.close();
    server.closeAllConnections();
    await waitFor(async () => (await probeStatus())?.healthy === false, { timeoutMs: 15_000, what: 'probe down' });
    await waitFor(
      async () => {
        const alerts = JSON.parse((await hms('monitor', 'alerts', '--json')).stdout) as Array<{
          body: { id?: string; kind?: string; severity?: string };
        }>;
        return alerts.some((a) => a.body.id === 'probe-1' && a.body.kind === 'probe' && a.body.severity === 'warning');
      },
      { timeoutMs: 15_000, what: 'a warning about probe-1' },
    );
    const monitor = JSON.parse((await hms('agent', 'call', 'health-monitor-1', 'report', '--json')).stdout) as {
      degraded: Record<string, { reason: string }>;
    };
    expect(monitor.degraded['probe-1']?.reason).toMatch(/health: /);
    const transport = await connectTestTransport(inject('natsUrl'), 'plugin-test');
    try {
      const field = await Field.open(transport, swarm, {
        clock: systemClock,
        by: 'test',
        logger: createSilentLogger(),
      });
      await waitFor(async () => ((await field.sense('unhealthy')).get('probe-1') ?? 0) > 0, {
        what: 'probe-1 marked unhealthy in the field',
      });
    } finally {
      await transport.close();
    }
  }, 60_000);

  it('serves the probes as a NATS service on every node, found through $SRV.INFO beside the control planes', async () => {
    const services = JSON.parse((await hms('service', 'list', '--json')).stdout) as Array<{
      name: string;
      metadata: Record<string, string>;
    }>;
    const probes = services.filter((s) => s.name === 'http-probe');
    expect(probes.map((s) => s.metadata.node).sort()).toEqual(['node-1', 'node-2']);
    expect(probes.every((s) => s.metadata.plugin === 'http-probe')).toBe(true);
    expect(
      services
        .filter((s) => s.name === 'hms-control')
        .map((s) => s.metadata.node)
        .sort(),
    ).toEqual(['node-1', 'node-2']);
    const transport = await connectTestTransport(inject('natsUrl'), 'service-test');
    try {
      const rows = (await transport.request(createSubjects(swarm).service('http-probe', 'status'), 'status')) as Array<{
        id: string;
      }>;
      expect(rows.map((r) => r.id)).toContain('probe-1');
    } finally {
      await transport.close();
    }
  });

  it('removes http-probe: its cell stops, its type and commands go; adding it again restores the cell with its state', async () => {
    const before = await probeStatus();
    expect(before?.checks).toBeGreaterThan(2);
    const removed = await hms('plugin', 'remove', 'http-probe');
    expect(removed.code).toBe(0);
    expect(await types()).not.toContain('http-probe');
    await waitFor(
      async () => {
        const agents = JSON.parse((await hms('agent', 'list', '--json')).stdout) as Array<{
          id: string;
          status: string;
        }>;
        return agents.find((a) => a.id === 'probe-1')?.status === 'stopped';
      },
      { what: 'probe-1 stopped, waiting for its type' },
    );
    const gone = await hms('http-probe', 'status');
    expect(gone.code).toBe(2);

    expect((await hms('plugin', 'add', httpProbe, '--config', '{"intervalMs":200,"timeoutMs":150}')).code).toBe(0);
    expect(await types()).toContain('http-probe');
    await waitFor(async () => (await probeStatus()) !== undefined, { timeoutMs: 15_000, what: 'probe-1 back' });
    const after = await probeStatus();
    expect(after?.checks).toBeGreaterThanOrEqual(before?.checks ?? 0);
    expect(after?.failures).toBeGreaterThanOrEqual(before?.failures ?? 0);
  }, 90_000);

  it('reports a plugin whose initialize throws as failed on every node, in one line, and keeps the others', async () => {
    const r = await hms('plugin', 'add', failingPlugin());
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('hms: plugin broken failed on node-1, node-2 (see above)');
    expect(r.stdout).toMatch(
      /broken\s+1\.0\.0\s+true\s+node-1\s+failed\s+-\s+plugin broken: initialize failed: cannot reach its database/,
    );
    const listed = await list();
    for (const n of listed.nodes) {
      expect(n.plugins.find((p) => p.id === 'broken')).toMatchObject({ status: 'failed' });
      expect(n.plugins.find((p) => p.id === 'http-probe')).toMatchObject({ status: 'loaded' });
    }
    expect((await hms('plugin', 'remove', 'broken')).code).toBe(0);
  }, 60_000);

  it.each([
    [['plugin', 'add'], 2, "error: missing required argument 'source'"],
    [
      ['plugin', 'add', '/no/such/dir'],
      1,
      'hms: plugin /no/such/dir: no such directory, nor an npm package installed here',
    ],
    [['plugin', 'remove', 'nope'], 1, 'hms: no plugin nope in this swarm (plugins: http-probe)'],
    [
      ['plugin', 'add', httpProbe, '--config', '{"colour":1}'],
      1,
      'hms: plugin http-probe: config "colour": is not a setting of this plugin',
    ],
    [['plugin', 'add', httpProbe, '--config', 'nope'], 2, "error: option '--config <json>' argument 'nope' is invalid"],
    [['http-probe', 'add', 'not-a-url'], 2, "error: command-argument value 'not-a-url' is invalid for argument 'url'"],
  ])('refuses hms %j with exit %i and one line', async (args, code, line) => {
    const r = await hms(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(line);
  });

  it('refuses a plugin.json with a bad version, naming the file and field', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hms-plugins-')), 'x');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'plugin.json'),
      JSON.stringify({ id: 'x', name: 'x', version: 'one', hms: '*', modules: [{ path: 'i.js' }] }),
    );
    const r = await runHms(['plugin', 'add', dir], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^hms: .*x\/plugin\.json: "version": must be semver, got "one"$/);
  });
});
