import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHms } from '../fixtures/run-hms.js';

interface Status {
  leader: string | null;
  nodes: Array<{ node: string; status: string }>;
}
interface Agent {
  id: string;
  node: string;
  status: string;
}

/**
 * Regression: `hms agent list` failed (non-zero exit, no output) for the whole of a node's 3 s
 * SIGSTOP in the loaded suite. A control request could be routed (queue group `hms-ctl`) to the
 * paused node and wait out the CLI's whole timeout there, and the node that did answer asked
 * every node for its cells' health and waited 5 s for the paused one. A listing answers from the
 * desired cells and the health of the nodes that answer, and marks the paused node's cells.
 */
describe('hms agent list while a node is paused (SIGSTOP)', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-paused-list-'));
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: `pl${process.pid}` };
  const hms = (...args: string[]) => runHms(args, env);
  const pidOf = (name: string) =>
    (
      JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; pid: number }> }
    ).nodes.find((n) => n.name === name)?.pid as number;
  let nodes: string[] = [];
  let paused: string | undefined;

  beforeAll(async () => {
    expect((await hms('up', '--nodes', '3', '--detach')).code).toBe(0);
    // Only the probe of a gone process may move cells in this test's time, and a paused one still listens.
    expect((await hms('system', 'configure', '--set', 'placement.downAfterMs=600000')).code).toBe(0);
    let status: Status = { leader: null, nodes: [] };
    await waitFor(
      async () => {
        const r = await hms('system', 'status', '--json');
        if (r.code === 0) status = JSON.parse(r.stdout) as Status;
        return status.leader !== null && status.nodes.filter((n) => n.status === 'alive').length === 3;
      },
      { timeoutMs: 20_000, everyMs: 200, what: 'a leader and three live nodes' },
    );
    nodes = status.nodes.map((n) => n.node).sort();
    for (const node of nodes) {
      for (const i of [1, 2]) {
        expect((await hms('agent', 'create', 'counter', '--id', `${node}-c${i}`, '--node', node)).code).toBe(0);
      }
    }
  }, 90_000);
  afterAll(async () => {
    if (paused) process.kill(pidOf(paused), 'SIGCONT');
    await hms('down');
    rmSync(home, { recursive: true, force: true });
  });

  it('lists every cell each time during the pause, the paused node’s cells as unknown', async () => {
    const before = await hms('agent', 'list', '--json');
    expect(before.code).toBe(0);
    const wanted = (JSON.parse(before.stdout) as Agent[]).map((a) => a.id).sort();
    for (const node of nodes) expect(wanted).toEqual(expect.arrayContaining([`${node}-c1`, `${node}-c2`]));
    const status = JSON.parse((await hms('system', 'status', '--json')).stdout) as Status;
    const pausedName = nodes.find((n) => n !== status.leader) as string;
    paused = pausedName;
    const pid = pidOf(pausedName);
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    const listings: Array<{ code: number; stderr: string; agents?: Agent[] }> = [];
    // At least 3 s of pause and three listings, each its own `hms` process.
    while (Date.now() - stoppedAt < 3000 || listings.length < 3) {
      const r = await hms('agent', 'list', '--json');
      listings.push({ code: r.code, stderr: r.stderr, ...(r.code === 0 ? { agents: JSON.parse(r.stdout) } : {}) });
    }
    process.kill(pid, 'SIGCONT');
    paused = undefined;
    for (const l of listings) {
      expect(l, l.stderr).toMatchObject({ code: 0 });
      const agents = l.agents as Agent[];
      expect(agents.map((a) => a.id).sort()).toEqual(wanted);
      for (const a of agents.filter((x) => x.node === pausedName)) expect(a.status).toBe('unknown');
      for (const node of nodes) {
        for (const id of [`${node}-c1`, `${node}-c2`]) {
          expect(agents.find((a) => a.id === id)).toMatchObject({
            node,
            status: node === pausedName ? 'unknown' : 'running',
          });
        }
      }
    }
  }, 90_000);
});
