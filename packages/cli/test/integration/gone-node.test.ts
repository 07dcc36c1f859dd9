import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectTransport, createSilentLogger, DesiredCells, type Transport } from '@hms/runtime';
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
 * The leader tells a dead node from a paused one by asking whether its process still listens
 * (a dead process's connections are closed: NATS answers "no responders"). With
 * `placement.downAfterMs` at ten minutes, only that probe can move cells in this test's time.
 */
describe('a dead node is told from a paused one', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-gone-'));
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: `gone${process.pid}` };
  const hms = (...args: string[]) => runHms(args, env);
  /** The listing, or undefined when `hms agent list` failed (it can time out in the loaded suite). */
  const agents = async (): Promise<Agent[] | undefined> => {
    const r = await hms('agent', 'list', '--json');
    return r.code === 0 ? (JSON.parse(r.stdout) as Agent[]) : undefined;
  };
  const pidOf = (name: string) =>
    (
      JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; pid: number }> }
    ).nodes.find((n) => n.name === name)?.pid as number;
  let followers: string[] = [];
  let client: Transport;

  beforeAll(async () => {
    expect((await hms('up', '--nodes', '3', '--detach')).code).toBe(0);
    client = await connectTransport({
      servers: env.NATS_URL,
      from: 'test',
      logger: createSilentLogger(),
      reconnect: false,
    });
    expect((await hms('system', 'configure', '--set', 'placement.downAfterMs=600000')).code).toBe(0);
    let status: Status = { leader: null, nodes: [] };
    await waitFor(
      async () => {
        status = JSON.parse((await hms('system', 'status', '--json')).stdout) as Status;
        return status.leader !== null && status.nodes.filter((n) => n.status === 'alive').length === 3;
      },
      { timeoutMs: 20_000, everyMs: 200, what: 'a leader and three live nodes' },
    );
    followers = status.nodes.map((n) => n.node).filter((n) => n !== status.leader);
    for (const [i, node] of followers.entries()) {
      expect((await hms('agent', 'create', 'counter', '--id', `gone-${i}`, '--node', node)).code).toBe(0);
      expect((await hms('agent', 'call', `gone-${i}`, 'increment', '{"by":3}')).code).toBe(0);
    }
  }, 90_000);
  afterAll(async () => {
    for (const node of followers) {
      try {
        process.kill(pidOf(node), 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await client?.close();
    await hms('down');
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps the cells of a node stopped (SIGSTOP) for 3 s where they are', async () => {
    const paused = followers[1] as string;
    const pid = pidOf(paused);
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    // Watched in the store while it is stopped: three times the time after which a gone node's
    // cells move. (Not with `hms agent list`, which asks the nodes and failed throughout a pause in
    // the loaded suite.)
    const desired = await DesiredCells.open(client, env.HMS_SWARM, createSilentLogger());
    const seen: string[] = [];
    while (Date.now() - stoppedAt < 3000) seen.push((await desired.get('gone-1'))?.node ?? 'none');
    process.kill(pid, 'SIGCONT');
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([paused]));
    let count: number | undefined;
    await waitFor(
      async () => {
        const r = await hms('agent', 'call', 'gone-1', 'get', '--json');
        if (r.code === 0) count = (JSON.parse(r.stdout) as { count: number }).count;
        return count !== undefined;
      },
      // Placement is what this test is about, not speed: once resumed, the node confirms its
      // cells against the store before they answer, which takes seconds in the loaded suite.
      { timeoutMs: 30_000, everyMs: 200, what: 'gone-1 answering again' },
    );
    expect(count).toBe(3);
    expect((await desired.get('gone-1'))?.node).toBe(paused);
  }, 60_000);

  it('re-places the cells of a node killed with -9, with their state, long before placement.downAfterMs', async () => {
    const victim = followers[0] as string;
    process.kill(pidOf(victim), 'SIGKILL');
    await waitFor(
      async () => {
        const cell = (await agents())?.find((a) => a.id === 'gone-0');
        return cell !== undefined && cell.node !== victim && cell.status === 'running';
      },
      { timeoutMs: 20_000, everyMs: 100, what: `gone-0 running on a node other than ${victim}` },
    );
    // Running is not yet answering: the restored copy answers once its first fenced save is in.
    let count: number | undefined;
    await waitFor(
      async () => {
        const r = await hms('agent', 'call', 'gone-0', 'get', '--json');
        if (r.code === 0) count = (JSON.parse(r.stdout) as { count: number }).count;
        return count !== undefined;
      },
      { timeoutMs: 20_000, everyMs: 200, what: 'gone-0 answering on its new node' },
    );
    expect(count).toBe(3);
  }, 60_000);
});
