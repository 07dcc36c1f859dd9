import {
  CONTROL_COMMAND,
  createControlClient,
  createServiceRegistry,
  createSilentLogger,
  NotFoundError,
  type ServiceRegistry,
  type Transport,
} from '@hms/runtime';
import { connectTestTransport, startTestNodes, stopTestNodes, type TestNode, uniqueSwarm } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findNatsCli, runNats as runNatsCli } from '../fixtures/nats-cli.js';
import { runHms } from '../fixtures/run-hms.js';

const runNats = (bin: string, url: string, args: string[]) => runNatsCli(bin, url, ['--timeout', '1s', ...args]);

interface Row {
  name: string;
  id: string;
  node: string;
  swarm: string;
  endpoints: number;
  requests: number;
  errors: number;
}

/** One endpoint per control command (19 today: agent.*, node.*, system.*, heal.*, evolve.*, …). */
const CONTROL_ENDPOINTS = Object.keys(CONTROL_COMMAND).length;

describe('hms service list', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('svc');
  const calc = `calc-${swarm}`;
  const env = { NATS_URL: url, HMS_SWARM: swarm };
  let nodes: TestNode[] = [];
  let client: Transport;
  let registry: ServiceRegistry;
  const rows = async (): Promise<Row[]> => {
    const r = await runHms(['service', 'list', '--json', '--timeout-ms', '500'], env);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as Row[];
  };

  beforeAll(async () => {
    nodes = await startTestNodes(url, swarm, ['na', 'nb'], []);
    client = await connectTestTransport(url, 'plugin-host');
    registry = createServiceRegistry({ transport: client, logger: createSilentLogger(), nodeId: 'plugin-host' });
    await registry.register({
      name: calc,
      version: '1.0.0',
      description: 'adds',
      endpoints: [{ name: 'add', handler: ({ body }) => (body as { a: number }).a + (body as { b: number }).b }],
    });
  });
  afterAll(async () => {
    await registry.stop();
    await client.close();
    await stopTestNodes(nodes);
  });

  it("lists every node's control plane and the swarm's other services, with what they served", async () => {
    const control = createControlClient(client, swarm);
    await control.listNodes();
    await expect(control.agentStatus('nope')).rejects.toBeInstanceOf(NotFoundError);

    const listed = await rows();
    // Other test files' swarms run on this server too: only this swarm's and swarm-less services show.
    expect(listed.every((r) => r.swarm === swarm || r.swarm === '-')).toBe(true);
    const controls = listed.filter((r) => r.name === 'hms-control');
    expect(controls.map((r) => r.node).sort()).toEqual(['na', 'nb']);
    expect(controls.every((r) => r.endpoints === CONTROL_ENDPOINTS)).toBe(true);
    expect(controls.reduce((n, r) => n + r.requests, 0)).toBe(2);
    expect(controls.reduce((n, r) => n + r.errors, 0)).toBe(1);
    expect(listed.find((r) => r.name === calc)).toMatchObject({ node: 'plugin-host', swarm: '-', endpoints: 1 });

    const table = await runHms(['service', 'list', '--timeout-ms', '500'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual(['NAME', 'ID', 'VERSION', 'NODE', 'ENDPOINTS', 'REQUESTS', 'ERRORS']);
    expect(lines.filter((l) => l.startsWith('hms-control') && l.includes(`${swarm}/na`))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith(calc))).toHaveLength(1);
  });

  it('refuses a bad service name with one line and exit code 2', async () => {
    const r = await runHms(['service', 'list', 'a.b'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/invalid service name "a\.b"/);
  });

  const nats = findNatsCli();
  // The real NATS CLI: scripts/setup.mjs builds it when Go is present (required under CI).
  describe.runIf(nats)('seen by the real NATS CLI (natscli)', () => {
    const bin = nats as string;
    const ids = async () => {
      const controls = (await rows()).filter((r) => r.name === 'hms-control');
      return Object.fromEntries(controls.map((r) => [r.node, r.id])) as Record<'na' | 'nb', string>;
    };

    it('nats micro ls lists the control plane of both nodes and the registered service', async () => {
      const { na, nb } = await ids();
      const r = await runNats(bin, url, ['micro', 'ls']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('All Services');
      expect(r.stdout).toContain(na);
      expect(r.stdout).toContain(nb);
      expect(r.stdout).toContain(calc);
    });

    it('nats micro info hms-control shows its metadata and the ctl endpoints in the hms-ctl queue group', async () => {
      const { na } = await ids();
      const r = await runNats(bin, url, ['micro', 'info', 'hms-control', na]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`hms-control (${na})`);
      expect(r.stdout).toMatch(/node: na/);
      expect(r.stdout).toMatch(new RegExp(`swarm: ${swarm}`));
      expect(r.stdout).toContain(`hms.${swarm}.ctl.agent.list`);
      expect(r.stdout).toContain('Queue Group: hms-ctl');
      expect(r.stdout).toContain(`Statistics for ${CONTROL_ENDPOINTS} Endpoint(s)`);
    });

    it('nats micro stats hms-control reports the counters of both nodes, valid against the micro schema', async () => {
      const { na, nb } = await ids();
      const r = await runNats(bin, url, ['micro', 'stats', 'hms-control', '--json']);
      expect(r.code).toBe(0);
      const stats = (
        JSON.parse(r.stdout) as Array<{ id: string; endpoints: Array<{ name: string; num_requests: number }> }>
      ).filter((s) => s.id === na || s.id === nb);
      expect(stats).toHaveLength(2);
      const nodeList = stats.flatMap((s) => s.endpoints.filter((e) => e.name === 'node-list'));
      expect(nodeList.reduce((n, e) => n + e.num_requests, 0)).toBeGreaterThanOrEqual(1);
    });

    it('nats micro request reaches an HMS service endpoint with a plain JSON body', async () => {
      const r = await runNats(bin, url, ['micro', 'request', calc, 'add', '{"a":40,"b":2}', '--raw']);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('42');
    });
  });
});
