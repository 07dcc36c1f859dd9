import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectTransport,
  createControlClient,
  createSilentLogger,
  createSubjects,
  freePort,
  HOST_MESSAGE,
  type LocalNatsServer,
  startNatsServer,
  type Transport,
} from '@hms/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmsBin } from '../fixtures/run-hms.js';

const swarm = 'faults';
const subjects = createSubjects(swarm);

/** Resolves with the exit code of `child`. */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function retry<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('faults', () => {
  const store = mkdtempSync(join(tmpdir(), 'hms-faults-'));
  let port: number;
  let server: LocalNatsServer;
  let client: Transport;
  const startNode = (name: string) =>
    spawn(process.execPath, [hmsBin, 'node', 'start', '--name', name, '--nats', server.url, '--swarm', swarm], {
      stdio: 'ignore',
    });

  beforeAll(async () => {
    port = await freePort();
    server = await startNatsServer({ storeDir: store, port });
    client = await connectTransport({
      servers: server.url,
      from: 'test',
      logger: createSilentLogger(),
      reconnect: true,
    });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
    rmSync(store, { recursive: true, force: true });
  });

  it('sends every in-flight reply before a node stops on SIGTERM', async () => {
    const node = startNode('drainer');
    const control = createControlClient(client, swarm);
    await retry(() =>
      control.createAgent({ type: 'echo', id: 'slow-echo', node: 'drainer', config: { delayMs: 500 } }),
    );
    const slow = client.request(subjects.cellInbox('slow-echo'), 'ask', { q: 42 }, { timeout: 5000 });
    // Messages of one sender are handled in order: once status answers, the slow request is in hand.
    await client.request(subjects.cellInbox('slow-echo'), HOST_MESSAGE.status);
    node.kill('SIGTERM');
    await expect(slow).resolves.toEqual({ echoed: { q: 42 }, n: 1 });
    expect(await exitOf(node)).toBe(0);
  });

  it('reconnects a node to a nats-server that was killed with -9 and restarted, keeping its cells', async () => {
    const node = startNode('survivor');
    try {
      const control = createControlClient(client, swarm);
      await retry(() => control.createAgent({ type: 'echo', id: 'echo-s', node: 'survivor' }));
      expect(await client.request(subjects.cellInbox('echo-s'), 'ask', 1)).toEqual({ echoed: { value: 1 }, n: 1 });
      server.process.kill('SIGKILL');
      await exitOf(server.process);
      server = await startNatsServer({ storeDir: store, port });
      const after = await retry(() => client.request(subjects.cellInbox('echo-s'), 'ask', 2, { timeout: 1000 }));
      expect(after).toEqual({ echoed: { value: 2 }, n: 2 });
      expect(node.exitCode).toBeNull();
    } finally {
      node.kill('SIGTERM');
      await exitOf(node);
    }
  }, 60_000);
});
