import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { SnapshotNotSavedError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { SnapshotStore } from '../../src/persistence/snapshot-store.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const ledger = defineCell({
  type: 'ledger',
  queries: ['get'],
  saveBeforeReply: true,
  description: 'counts adds, answering each once saved',
  machine: () =>
    setup({ types: { context: {} as { n: number }, events: {} as { type: 'add' } | { type: 'get' } } }).createMachine({
      context: { n: 0 },
      on: { add: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    }),
  reply: (s) => ({ n: s.context.n }),
});

describe('saveBeforeReply', () => {
  const swarm = uniqueSwarm('sbr');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;
  let store: SnapshotStore;
  const ask = (id: string, type: string) =>
    client.request(subjects.cellInbox(id), type, undefined, { timeout: 5000 }) as Promise<{ n: number }>;

  beforeAll(async () => {
    t = await connectTest('b1');
    client = await connectTest('client');
    node = await createNode({
      nodeId: 'b1',
      swarm,
      transport: t,
      registry: new CellRegistry([ledger]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    await waitFor(() => node.peers.alive().length === 1, { what: 'the node seeing itself' });
    // A save would otherwise wait up to a minute: an answer must not.
    await createControlClient(client, swarm).configure({ 'persistence.snapshotMaxStaleMs': 60_000 });
    store = await SnapshotStore.open(client, swarm);
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
    await client.close();
  });

  it('answers a change only once the snapshot holding it is in JetStream (regression: acknowledged increments lost to a kill -9 in the chaos suite)', async () => {
    await createControlClient(client, swarm).createAgent({ type: 'ledger', id: 'l1' });
    for (let i = 1; i <= 5; i++) {
      expect(await ask('l1', 'add')).toEqual({ n: i });
      expect((await store.load('l1'))?.snapshot).toMatchObject({ context: { n: i } });
    }
    // Requests arriving together share saves and each is answered with its own count.
    const answers = await Promise.all(Array.from({ length: 20 }, () => ask('l1', 'add')));
    expect(answers.map((a) => a.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    expect((await store.load('l1'))?.snapshot).toMatchObject({ context: { n: 25 } });
  });

  it('shows a query only state that is saved (regression: chaos seed 1000 read a count that then went back)', async () => {
    await createControlClient(client, swarm).createAgent({ type: 'ledger', id: 'l3' });
    const reads = Array.from({ length: 10 }, async (_, i) => {
      void ask('l3', 'add');
      const seen = await ask('l3', 'get');
      const stored = (await store.load('l3'))?.snapshot as unknown as { context: { n: number } };
      return { i, seen: seen.n, stored: stored.context.n };
    });
    for (const r of await Promise.all(reads)) expect(r.seen, `read ${r.i}`).toBeLessThanOrEqual(r.stored);
  });

  it('answers SnapshotNotSavedError, not the count, when a newer owner took the cell', async () => {
    await createControlClient(client, swarm).createAgent({ type: 'ledger', id: 'l2' });
    await ask('l2', 'add');
    const stored = await store.load('l2');
    await store.save('l2', stored?.snapshot as never, { epoch: 2, revision: stored?.revision ?? null });
    await expect(ask('l2', 'add')).rejects.toBeInstanceOf(SnapshotNotSavedError);
    expect((await store.load('l2'))?.snapshot).toMatchObject({ context: { n: 1 } });
  });
});
