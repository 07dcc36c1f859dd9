import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAlive, runHms } from '../fixtures/run-hms.js';

interface Agent {
  id: string;
  type: string;
  node: string;
  status: string;
  handled: number;
}

interface HealStatus {
  totals: Record<string, number>;
  byCell: Record<string, { escalations: number }>;
  recent: Array<{ cell: string; action: string }>;
}

describe('a local swarm of node processes', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-home-'));
  const swarm = `it${process.pid}`;
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  let pids: number[] = [];

  beforeAll(async () => {
    const up = await runHms(['up', '--nodes', '2', '--detach'], env);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/swarm "it\d+" is up: 2 nodes/);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ pid: number }> };
    pids = state.nodes.map((n) => n.pid);
  }, 60_000);

  afterAll(async () => {
    await runHms(['down'], env);
    rmSync(home, { recursive: true, force: true });
  });

  it('lists every demo cell with id, type, node and status as JSON', async () => {
    const r = await runHms(['agent', 'list', '--json'], env);
    expect(r.code).toBe(0);
    const agents = JSON.parse(r.stdout) as Agent[];
    expect(agents.map((a) => a.id)).toEqual([
      'adaptive-config-1',
      'counter-1',
      'health-monitor-1',
      'metrics-collector-1',
      'pinger-1',
      'pinger-2',
      'ponger-1',
      'ponger-2',
      'recovery-manager-1',
      'ticker-1',
    ]);
    for (const a of agents) {
      expect(a).toMatchObject({ status: expect.stringMatching(/running|unplaced/) });
      expect(['node-1', 'node-2']).toContain(a.node);
    }
  });

  it('has cells in two processes exchanging requests and events through NATS', async () => {
    // pinger-1 on node-1 pings ponger-2 on node-2; counter-1 on node-2 counts ticker-1's ticks on node-1.
    const call = async (id: string) =>
      JSON.parse((await runHms(['agent', 'call', id, 'get', '--json'], env)).stdout) as Record<string, number>;
    await waitFor(async () => ((await call('pinger-1')).ok ?? 0) > 0 && ((await call('counter-1')).ticks ?? 0) > 0, {
      timeoutMs: 20_000,
      everyMs: 100,
      what: 'a pong and a tick',
    });
    const pinger = await call('pinger-1');
    expect(pinger.failed).toBe(0);
    expect(pinger.lastRttMs).toBeGreaterThan(0);
    const ponger = await call('ponger-2');
    expect(ponger.pong).toBeGreaterThanOrEqual(pinger.ok ?? 1);
  }, 30_000);

  it('creates, inspects and destroys a cell from another shell', async () => {
    const created = await runHms(['agent', 'create', 'counter', '--id', 'c-extra', '--node', 'node-2', '--json'], env);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'c-extra', type: 'counter', node: 'node-2' });
    const status = await runHms(['agent', 'status', 'c-extra', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 'c-extra', status: 'running', node: 'node-2' });
    const destroyed = await runHms(['agent', 'destroy', 'c-extra'], env);
    expect(destroyed).toMatchObject({ code: 0, stdout: 'destroyed c-extra\n' });
    const after = await runHms(['agent', 'status', 'c-extra'], env);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/unknown cell id c-extra/);
  });

  it('says an unknown id is unknown, with exit code 1', async () => {
    const r = await runHms(['agent', 'status', 'nope'], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('hms: unknown cell id nope');
  });

  it('shows the swarm traffic with readable headers on hms sub', async () => {
    const r = await runHms(['sub', `hms.${swarm}.>`, '--count', '5'], env, 20_000);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { subject: string; type?: string; from?: string });
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      expect(l.subject.startsWith(`hms.${swarm}.`)).toBe(true);
      expect(l.type).toBeTruthy();
      expect(l.from).toBeTruthy();
    }
  });

  it('changes the heartbeat of the running nodes with hms system configure, refusing a bad value by name', async () => {
    const bad = await runHms(['system', 'configure', '--set', 'health.heartbeatMs=-1'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/refused: health\.heartbeatMs must be a whole number/);
    // key=value as arguments: the same as --set.
    const ok = await runHms(['system', 'configure', 'health.heartbeatMs=500', '--json'], env);
    expect(ok.code).toBe(0);
    const { version } = JSON.parse(ok.stdout) as { version: number };
    await waitFor(
      async () => {
        const s = JSON.parse((await runHms(['system', 'status', '--json'], env)).stdout) as {
          nodes: Array<{ configVersion: number; intervalMs: number }>;
        };
        return s.nodes.length === 2 && s.nodes.every((n) => n.configVersion === version && n.intervalMs === 500);
      },
      { timeoutMs: 15_000, everyMs: 200, what: 'both nodes on 500 ms heartbeats' },
    );
    const status = await runHms(['system', 'status'], env);
    expect(status.stdout).toMatch(/health\.heartbeatMs\s+500/);
    expect((await runHms(['system', 'reset'], env)).code).toBe(2);
    expect((await runHms(['system', 'reset', '--yes'], env)).code).toBe(0);
  }, 30_000);

  it('sets a per-edge and a per-type setting with hms system configure, lists them under their key, and removes them with --unset', async () => {
    const set = await runHms(
      [
        'system',
        'configure',
        '--set',
        'request.timeoutMs@edge:pinger>ponger=1500',
        '--set',
        'supervision.maxRestarts@type:ponger=2',
      ],
      env,
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const listed = await runHms(['system', 'config'], env);
    expect(listed.code).toBe(0);
    // Under its swarm-wide key, in the stored spelling (edge:A:B), saying what it applies to.
    expect(listed.stdout).toMatch(
      /request\.timeoutMs\s+5000 .*\n\s+@edge:pinger:ponger\s+1500\s+calls from pinger to ponger/,
    );
    expect(listed.stdout).toMatch(/supervision\.maxRestarts\s+5 .*\n\s+@type:ponger\s+2\s+cells of type ponger/);
    const unset = await runHms(
      [
        'system',
        'configure',
        '--unset',
        'request.timeoutMs@edge:pinger:ponger',
        '--set',
        'supervision.maxRestarts@type:ponger=default',
        '--json',
      ],
      env,
    );
    expect(unset.code).toBe(0);
    expect(JSON.parse(unset.stdout)).toMatchObject({ scoped: {} });
    expect(JSON.parse((await runHms(['system', 'config', '--json'], env)).stdout)).toMatchObject({ scoped: {} });
  }, 30_000);

  it('escalates a cell that keeps crashing, and hms monitor alerts shows it', async () => {
    expect((await runHms(['agent', 'create', 'counter', '--id', 'crashy'], env)).code).toBe(0);
    for (let i = 0; i < 6; i++) {
      await waitFor(async () => (await runHms(['agent', 'call', 'crashy', 'get'], env)).code === 0, {
        timeoutMs: 10_000,
        everyMs: 50,
        what: `crashy answering (${i})`,
      });
      const crash = await runHms(['agent', 'call', 'crashy', 'crash'], env);
      expect(crash.stderr).toMatch(/cell crashy failed on crash/);
    }
    await waitFor(async () => (await runHms(['monitor', 'alerts', '--json'], env)).stdout.includes('"crashy"'), {
      timeoutMs: 10_000,
      everyMs: 200,
      what: 'the escalation alert',
    });
    const alerts = JSON.parse((await runHms(['monitor', 'alerts', '--json'], env)).stdout) as Array<{
      type: string;
      cell: string;
    }>;
    expect(alerts).toContainEqual(expect.objectContaining({ type: 'cell.escalated', cell: 'crashy' }));
    await waitFor(
      async () => /crashy\s+counter\s+node-\d\s+failed/.test((await runHms(['monitor', 'health'], env)).stdout),
      {
        timeoutMs: 5000,
        everyMs: 100,
        what: 'crashy failed in monitor health',
      },
    );
    await waitFor(
      async () => {
        const r = await runHms(['heal', 'status', '--json'], env);
        return r.code === 0 && (JSON.parse(r.stdout) as HealStatus).byCell.crashy?.escalations === 1;
      },
      { timeoutMs: 10_000, everyMs: 200, what: 'the escalation in the healing record' },
    );
    const record = JSON.parse((await runHms(['heal', 'status', '--json'], env)).stdout) as HealStatus;
    expect(record.totals.restart).toBeGreaterThanOrEqual(5);
    expect(record.recent.filter((a) => a.cell === 'crashy').map((a) => a.action)).toContain('escalate');
    const revived = await runHms(['heal', 'trigger', 'crashy'], env);
    expect(revived.stdout).toMatch(/crashy: manual-restart ok in [\d.]+ ms/);
    expect(JSON.parse((await runHms(['agent', 'call', 'crashy', 'get', '--json'], env)).stdout)).toMatchObject({
      count: 0,
    });
    expect((await runHms(['heal', 'configure', '--max-restarts', '-1'], env)).code).toBe(2);
    expect((await runHms(['heal', 'trigger', 'nope'], env)).stderr).toMatch(/unknown cell id nope/);
    expect((await runHms(['agent', 'destroy', 'crashy'], env)).code).toBe(0);
  }, 60_000);

  it('runs an island GA across the node processes with hms evolve, and shows each island with its sparkline', async () => {
    const started = await runHms(
      [
        'evolve',
        'start',
        '--objective',
        'rastrigin',
        '--dim',
        '10',
        '--islands',
        '3',
        '--generations',
        '300',
        '--wait',
      ],
      env,
    );
    expect(started.code).toBe(0);
    expect(started.stderr).toMatch(/100% generation 900\/900/);
    expect(started.stdout).toMatch(/run r[0-9a-f]{6}: 3 islands, objective rastrigin/);
    const status = JSON.parse((await runHms(['evolve', 'status', '--json'], env)).stdout) as {
      islands: Array<{ node: string; state: string; generation: number; best: number; migrantsIn: number }>;
    };
    expect(status.islands.map((i) => i.state)).toEqual(['done', 'done', 'done']);
    expect(new Set(status.islands.map((i) => i.node))).toEqual(new Set(['node-1', 'node-2']));
    for (const island of status.islands) {
      expect(island.generation).toBe(300);
      expect(island.best).toBeLessThan(1);
      expect(island.migrantsIn).toBeGreaterThan(0);
    }
    const table = await runHms(['evolve', 'status'], env);
    expect(table.stdout).toMatch(/ISLAND +NODE +STATE +GENERATION/);
    expect(table.stdout).toMatch(/done +300\/300 .*[▁▂▃▄▅▆▇█]/);
  });

  it("keeps every cell's state across hms down and hms up", async () => {
    const call = async (type: string, body?: string) =>
      JSON.parse(
        (await runHms(['agent', 'call', 'counter-1', type, ...(body ? [body] : []), '--json'], env)).stdout,
      ) as {
        count: number;
      };
    await call('reset');
    expect((await call('increment', '{"by":5}')).count).toBe(5);
    expect((await call('increment', '{"by":2}')).count).toBe(7);
    const cells = (JSON.parse((await runHms(['agent', 'list', '--json'], env)).stdout) as Agent[]).length;
    const down = await runHms(['down'], env);
    expect(down.code).toBe(0);
    const up = await runHms(['up', '--nodes', '2', '--detach'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`${cells} cells (0 created now)`);
    pids = (JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ pid: number }> }).nodes.map(
      (n) => n.pid,
    );
    expect((await call('get')).count).toBe(7);
  }, 60_000);

  it('leaves no process behind after hms down', async () => {
    expect(pids.every(isAlive)).toBe(true);
    const r = await runHms(['down'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node-1 \(pid \d+\): terminated/);
    expect(pids.some(isAlive)).toBe(false);
  });
});
