import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectTransport, createSilentLogger, SnapshotStore, type Transport } from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAlive, runHms } from '../fixtures/run-hms.js';

interface Status {
  leader: string | null;
  term: number;
  members: string[];
  nodes: Array<{ node: string; status: string; role: string; term: number }>;
}

describe('leader failover and re-placement in a 5-node swarm of processes', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-lf-'));
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: `lf${process.pid}` };
  const status = async () => JSON.parse((await runHms(['system', 'status', '--json'], env)).stdout) as Status;

  let client: Transport;

  beforeAll(async () => {
    expect((await runHms(['up', '--nodes', '5', '--detach'], env)).code).toBe(0);
    client = await connectTransport({
      servers: env.NATS_URL,
      from: 'test',
      logger: createSilentLogger(),
      reconnect: false,
    });
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await runHms(['down'], env);
    rmSync(home, { recursive: true, force: true });
  });

  it('elects a new leader with a higher term after kill -9 of the leader process', async () => {
    let before: Status = await status();
    // Five voting members too: a node's heartbeat can be seen before the answering node re-reads
    // the membership (every second), and a CI run once saw four (node-4 not yet in the view).
    await waitFor(
      async () => {
        before = await status();
        return before.leader !== null && before.nodes.length === 5 && before.members.length === 5;
      },
      { timeoutMs: 15_000, everyMs: 200, what: 'a leader of five nodes, all voting members' },
    );
    const nodes = (
      JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; pid: number }> }
    ).nodes;
    expect(before.members).toEqual(['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);
    const victim = nodes.find((n) => n.name === before.leader) as { name: string; pid: number };
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();
    let after: Status = before;
    await waitFor(
      async () => {
        after = await status();
        return after.leader !== null && after.leader !== victim.name && after.term > before.term;
      },
      { timeoutMs: 15_000, everyMs: 100, what: 'a new leader' },
    );
    // The new leader is seen within ~100 ms of the election (its own heartbeats), which can be
    // before the killed process is reaped (until then it is a zombie that signal 0 still finds).
    await waitFor(() => !isAlive(victim.pid), { timeoutMs: 5000, what: 'the killed leader gone' });
    expect(after.nodes.find((n) => n.node === after.leader)?.role).toBe('leader');
    // Informative, not asserted (timing lives in benchmarks): kill → new leader seen by the CLI.
    process.stdout.write(
      `kill -9 → new leader ${after.leader} (term ${after.term}) seen after ${Date.now() - killedAt} ms\n`,
    );
  }, 60_000);

  it('re-places every cell of a node killed with -9 on the survivors, with its state (a GA island from its checkpoint)', async () => {
    interface Agent {
      id: string;
      node: string;
      status: string;
    }
    const agents = async () => JSON.parse((await runHms(['agent', 'list', '--json'], env)).stdout) as Agent[];
    await waitFor(async () => (await agents()).every((a) => a.status === 'running'), {
      timeoutMs: 20_000,
      everyMs: 200,
      what: 'every cell running (after the first kill)',
    });
    interface Island {
      id: string;
      node: string;
      state: string;
      generation: number;
      resumedFrom: number | null;
    }
    const islands = async () =>
      (JSON.parse((await runHms(['evolve', 'status', '--json'], env)).stdout) as { islands: Island[] }).islands;
    const started = await runHms(
      ['evolve', 'start', '--islands', '4', '--population', '40', '--dim', '10', '--generations', '100000000'],
      env,
    );
    expect(started.code).toBe(0);
    await waitFor(async () => (await islands()).every((i) => i.generation > 200), {
      timeoutMs: 20_000,
      everyMs: 250,
      what: 'every island past generation 200',
    });
    // The victim is an island's node; a counter pinned there shows that state survives too.
    const before = (await islands())[0] as Island;
    const host = before.node;
    expect((await runHms(['agent', 'create', 'counter', '--id', 'lf-moved', '--node', host], env)).code).toBe(0);
    await runHms(['agent', 'call', 'lf-moved', 'increment', '{"by":5}'], env);
    const store = await SnapshotStore.open(client, env.HMS_SWARM);
    await waitFor(
      async () => ((await store.load('lf-moved'))?.snapshot as { context?: { count?: number } })?.context?.count === 5,
      { what: 'the count saved' },
    );
    const nodes = (
      JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; pid: number }> }
    ).nodes;
    const hosted = (await agents()).filter((a) => a.node === host).map((a) => a.id);
    const victimPid = (nodes.find((n) => n.name === host) as { pid: number }).pid;
    process.kill(victimPid, 'SIGKILL');
    // Reaped before the next test counts the live processes (a zombie still answers signal 0).
    await waitFor(() => !isAlive(victimPid), { timeoutMs: 5000, what: 'the killed node gone' });
    await waitFor(
      async () => {
        const now = await agents();
        return hosted.every((id) => now.some((a) => a.id === id && a.node !== host && a.status === 'running'));
      },
      { timeoutMs: 30_000, everyMs: 250, what: `the cells of ${host} running elsewhere` },
    );
    const count = JSON.parse((await runHms(['agent', 'call', 'lf-moved', 'get', '--json'], env)).stdout) as {
      count: number;
    };
    expect(count.count).toBe(5);
    // Running is not yet answering: until its restored copy answers, the status shows the island
    // `unreachable`.
    let resumed: Island | undefined;
    await waitFor(
      async () => {
        resumed = (await islands()).find((i) => i.id === before.id);
        return resumed !== undefined && resumed.state !== 'unreachable';
      },
      { timeoutMs: 15_000, everyMs: 250, what: `island ${before.id} reporting from its new node` },
    );
    resumed = resumed as Island;
    expect(resumed.node).not.toBe(host);
    expect(resumed.state).toBe('evolving');
    // Resumed from its last checkpoint before the kill, not started anew.
    expect(resumed.resumedFrom).toBeGreaterThan(100);
    expect((await runHms(['evolve', 'stop'], env)).code).toBe(0);
  }, 90_000);

  it('refuses swarm-wide changes once only a minority of the voting members is left, while its cells keep answering', async () => {
    interface Agent {
      id: string;
      node: string;
      status: string;
    }
    const agents = async () => JSON.parse((await runHms(['agent', 'list', '--json'], env)).stdout) as Agent[];
    const nodes = (
      JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; pid: number }> }
    ).nodes;
    const alive = nodes.filter((n) => isAlive(n.pid));
    expect(alive).toHaveLength(3);
    // A third kill leaves 2 of the 5 voting members: no majority, so no leader can be elected.
    const [victim, ...survivors] = alive as [(typeof alive)[number], ...typeof alive];
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(async () => (await status()).leader === null, {
      timeoutMs: 15_000,
      everyMs: 200,
      what: 'no leader',
    });

    const create = await runHms(['agent', 'create', 'counter', '--id', 'minority-1'], env);
    expect(create.code).toBe(1);
    expect(create.stderr.trim().split('\n')).toHaveLength(1);
    expect(create.stderr).toMatch(/no leader: swarm-wide changes need a leader elected by a majority of the 5 voting/);
    const configure = await runHms(['system', 'configure', '--set', 'breaker.failureThreshold=9'], env);
    expect(configure.code).toBe(1);
    expect(configure.stderr).toMatch(/no leader/);
    expect((await agents()).map((a) => a.id)).not.toContain('minority-1');

    // Cells on the survivors still run and answer their host's status requests.
    const local = (await agents()).filter((a) => survivors.some((n) => n.name === a.node));
    expect(local.length).toBeGreaterThan(0);
    for (const a of local) {
      const got = await runHms(['agent', 'status', a.id, '--json'], env);
      expect(got.code).toBe(0);
      expect((JSON.parse(got.stdout) as { status: string }).status).toBe('running');
    }
  }, 60_000);
});
