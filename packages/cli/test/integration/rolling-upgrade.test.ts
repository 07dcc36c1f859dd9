import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createControlClient,
  createSubjects,
  MessageVersionError,
  NoRespondersError,
  type Transport,
} from '@hms/runtime';
import { connectTestTransport, uniqueSwarm, waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHms } from '../fixtures/run-hms.js';

const nodeScript = fileURLToPath(new URL('../fixtures/upgrade-node.mjs', import.meta.url));
const NAMES = ['u1', 'u2', 'u3'] as const;
const V2 = 'counter:increment/2';

/**
 * Issue 14's rolling upgrade: three real node processes under steady client load are replaced
 * one at a time (drain, stop, start the newer build, undrain) by a build whose counter speaks
 * version 2 of `increment` and keeps state version 2. No client request may fail, every count
 * must be intact, and mid-way old and new nodes must serve the same swarm.
 */
describe('rolling upgrade under load', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('upg');
  const env = { NATS_URL: url, HMS_SWARM: swarm };
  const subjects = createSubjects(swarm);
  const dataRoot = mkdtempSync(join(tmpdir(), 'hms-upgrade-'));
  const procs = new Map<string, ChildProcess>();
  let client: Transport;
  /** Set when the test passed; otherwise the nodes' logs (<dataRoot>/<name>.log) are kept. */
  let passed = false;

  /** Starts node `name` (the newer build with `v2`) and resolves once it is up. */
  const startNode = (name: string, v2: boolean): Promise<number> => {
    const args = [nodeScript, url, swarm, name, join(dataRoot, name), ...(v2 ? ['--counter', '2'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.set(name, child);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready\n')) resolve(child.pid as number);
      });
      child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code} before it was ready`)));
    });
  };
  const stopNode = async (name: string): Promise<void> => {
    const child = procs.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const nodes = () => createControlClient(client, swarm).listNodes();
  const count = async (id: string) =>
    ((await client.request(subjects.cellInbox(id), 'get', undefined, { timeout: 3000 })) as { count: number }).count;

  beforeAll(async () => {
    client = await connectTestTransport(url, 'upgrade-client');
    await Promise.all(NAMES.map((n) => startNode(n, false)));
    await waitFor(
      async () => (await nodes()).filter((n) => n.status === 'alive' && n.role !== 'candidate').length === 3,
      {
        what: 'three nodes and a leader',
        timeoutMs: 15_000,
        everyMs: 200,
      },
    );
  });
  afterAll(async () => {
    for (const name of procs.keys()) await stopNode(name);
    await client.close();
    if (passed) rmSync(dataRoot, { recursive: true, force: true });
    else console.error(`rolling upgrade: node logs kept in ${dataRoot}`);
  });

  it('replaces every node under load: no failed request, every count intact, old and new nodes together', async () => {
    const control = createControlClient(client, swarm, { timeoutMs: 20_000 });
    const ids = Array.from({ length: 6 }, (_, i) => `load-${i}`);
    for (const id of ids) await control.createAgent({ type: 'counter', id });
    const migrated: string[] = [];
    const stopTap = client.tap(subjects.eventPattern('cell.migrated'), (v) => migrated.push(v.subject));

    // The steady load: each counter in turn, every few millis. A NoRespondersError reached no copy
    // (the cell was between nodes) and is sent again; anything else is a failed request.
    const sent = new Map(ids.map((id) => [id, 0]));
    const failures: string[] = [];
    let requests = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        for (const id of ids) {
          for (;;) {
            try {
              await client.request(subjects.cellInbox(id), 'increment', { by: 1 }, { timeout: 5000 });
              sent.set(id, (sent.get(id) ?? 0) + 1);
              requests++;
              break;
            } catch (err) {
              if (!(err instanceof NoRespondersError)) {
                failures.push(`${id}: ${(err as Error).message}`);
                break;
              }
              await new Promise((r) => setTimeout(r, 2));
            }
          }
        }
        await new Promise((r) => setTimeout(r, 3));
      }
    })();

    for (const [i, name] of NAMES.entries()) {
      const drain = await runHms(['node', 'drain', name, '--timeout', '20'], env);
      expect(drain.stderr).toBe('');
      expect(drain.code).toBe(0);
      await stopNode(name);
      const pid = await startNode(name, true);
      await waitFor(
        async () => (await nodes()).some((n) => n.node === name && n.pid === pid && n.protocol?.includes(V2)),
        { what: `${name} back as the newer build`, timeoutMs: 15_000, everyMs: 100 },
      );
      expect((await runHms(['node', 'undrain', name], env)).code).toBe(0);

      if (i === 0) {
        // Mid-way: one new node and two old ones in one swarm, each answering in its own version.
        const list = await nodes();
        expect(list.find((n) => n.node === 'u1')?.protocol).toEqual(['hms/1', V2]);
        expect(list.find((n) => n.node === 'u2')?.protocol).toEqual(['hms/1']);
        const listed = (await runHms(['node', 'list'], env)).stdout;
        expect(listed).toMatch(/\bPROTOCOL\b/);
        expect(listed).toMatch(/^u1\b.*\bhms\/1 counter:increment\/2\b/m);
        await control.createAgent({ type: 'counter', id: 'on-new', node: 'u1' });
        await control.createAgent({ type: 'counter', id: 'on-old', node: 'u2' });
        const v2 = { version: 2, timeout: 3000 };
        // The new counter reads version 2, and version 1 through its upcaster.
        await client.request(subjects.cellInbox('on-new'), 'increment', { amount: 5 }, v2);
        await client.request(subjects.cellInbox('on-new'), 'increment', { by: 2 }, { timeout: 3000 });
        expect(await count('on-new')).toBe(7);
        // The old counter refuses version 2 in one line rather than misread it.
        const refused = await client.request(subjects.cellInbox('on-old'), 'increment', { amount: 5 }, v2).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refused).toBeInstanceOf(MessageVersionError);
        expect((refused as Error).message).toBe(
          'message increment has version 2, newer than version 1 this node reads; not handled (send version 1, or upgrade this node)',
        );
        expect(await count('on-old')).toBe(0);
      }
    }
    running = false;
    await load;
    stopTap();

    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    for (const id of ids) expect({ id, count: await count(id) }).toEqual({ id, count: sent.get(id) });
    expect(await count('on-new')).toBe(7);
    // Every node runs the newer build, and old snapshots were migrated on the way.
    const list = await nodes();
    expect(
      list
        .filter((n) => n.status === 'alive' && n.protocol?.includes(V2))
        .map((n) => n.node)
        .sort(),
    ).toEqual([...NAMES]);
    expect(migrated.length).toBeGreaterThan(0);
    passed = true;
  }, 90_000);
});
