import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, type Snapshot, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { DesiredCells } from '../../src/persistence/desired-cells.js';
import { SnapshotStore } from '../../src/persistence/snapshot-store.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

/** Version 2 of a counter whose version 1 kept `{ n }` and version 2 keeps `{ count }`. */
const counterV2 = defineCell({
  type: 'vcounter',
  queries: ['get'],
  description: 'counter at state version 2',
  version: 2,
  migrate: (snapshot, fromVersion) => {
    if (fromVersion !== 1) throw new Error(`no step from ${fromVersion}`);
    return { ...snapshot, context: { count: snapshot.context.n } };
  },
  machine: () =>
    setup({
      types: { context: {} as { count: number }, events: {} as { type: 'add' } | { type: 'get' } },
    }).createMachine({
      context: { count: 0 },
      on: { add: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
    }),
  reply: (s) => ({ count: s.context.count }),
});

/** A snapshot as version 1 of the type saved it. */
const v1Snapshot = (n: number) =>
  ({ status: 'active', value: {}, context: { n }, children: {}, historyValue: {} }) as unknown as Snapshot<unknown>;

describe('versioned cell state', () => {
  const swarm = uniqueSwarm('ver');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;
  let store: SnapshotStore;
  let desired: DesiredCells;
  const escalations: Array<{ cell: string; reason: string }> = [];
  const ask = (id: string, type: string) => client.request(subjects.cellInbox(id), type, undefined, { timeout: 2000 });
  const place = (id: string) =>
    desired.create({ id, type: 'vcounter', config: {}, node: 'v1', epoch: 1, createdAt: Date.now() });

  beforeAll(async () => {
    t = await connectTest('v1');
    client = await connectTest('client');
    client.tap(subjects.eventPattern('cell.escalated'), (v) =>
      escalations.push({
        cell: v.subject.split('.').at(-1) ?? '',
        reason: String((v.body as { reason: string }).reason),
      }),
    );
    store = await SnapshotStore.open(client, swarm);
    desired = await DesiredCells.open(client, swarm, createSilentLogger());
    node = await createNode({
      nodeId: 'v1',
      swarm,
      transport: t,
      registry: new CellRegistry([counterV2]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    await waitFor(() => node.peers.alive().length === 1, { what: 'the node seeing itself' });
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
    await client.close();
  });

  it('migrates an older snapshot on restore and saves the migrated one before the cell starts', async () => {
    await store.save('old', v1Snapshot(41), { epoch: 1, revision: null }, 1);
    await place('old');
    await waitFor(async () => ((await ask('old', 'get').catch(() => undefined)) as { count?: number })?.count === 41, {
      what: 'the migrated cell answering',
    });
    const saved = await store.load('old');
    expect(saved?.version).toBe(2);
    expect((saved?.snapshot as unknown as { context: unknown } | undefined)?.context).toEqual({ count: 41 });
    expect(await ask('old', 'add')).toEqual({ count: 42 });
  });

  it('counts a snapshot record without a version as version 1', async () => {
    // Records saved before state versions existed: `{ epoch, snapshot }` only.
    const legacy = await SnapshotStore.open(client, swarm);
    await (legacy as unknown as { kv: { create(k: string, v: string): Promise<number> } }).kv.create(
      'legacy',
      JSON.stringify({ epoch: 1, snapshot: v1Snapshot(5) }),
    );
    expect((await store.load('legacy'))?.version).toBe(1);
    await place('legacy');
    await waitFor(
      async () => ((await ask('legacy', 'get').catch(() => undefined)) as { count?: number })?.count === 5,
      {
        what: 'the legacy cell migrated',
      },
    );
  });

  it('leaves a cell whose snapshot is newer than its definition failed, saying both versions, and overwrites nothing', async () => {
    const revision = await store.save('newer', v1Snapshot(9), { epoch: 1, revision: null }, 3);
    await place('newer');
    await waitFor(() => escalations.some((e) => e.cell === 'newer'), { what: 'the refusal' });
    const reason = escalations.find((e) => e.cell === 'newer')?.reason ?? '';
    expect(reason).not.toContain('\n');
    expect(reason).toMatch(/state version 3, newer than version 2 of cell type vcounter/);
    await waitFor(
      async () =>
        (await createControlClient(client, swarm).listAgents()).find((a) => a.id === 'newer')?.status === 'failed',
      { what: 'status failed in agent list' },
    );
    await expect(ask('newer', 'get')).rejects.toThrow();
    const stored = await store.load('newer');
    expect(stored?.revision).toBe(revision);
    expect(stored?.version).toBe(3);
  });
});
