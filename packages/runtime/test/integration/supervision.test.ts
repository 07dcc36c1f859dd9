import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { CellFailedError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { ALERT_LOG, EventLog } from '../../src/persistence/event-log.js';
import { SnapshotStore } from '../../src/persistence/snapshot-store.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const tally = defineCell({
  type: 'tally',
  queries: ['get'],
  description: 'counts adds; throws on boom',
  machine: () =>
    setup({
      types: {
        context: {} as { n: number; starts: number },
        events: {} as { type: 'add' } | { type: 'boom' } | { type: 'get' },
      },
      actions: {
        boom: () => {
          throw new Error('boom');
        },
      },
    }).createMachine({
      context: { n: 0, starts: 0 },
      on: { add: { actions: assign({ n: ({ context }) => context.n + 1 }) }, boom: { actions: 'boom' } },
    }),
  reply: (s) => ({ n: s.context.n }),
});

describe('supervision and persistence', () => {
  const swarm = uniqueSwarm('sup');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;
  const ask = (id: string, type: string) => client.request(subjects.cellInbox(id), type, undefined, { timeout: 2000 });
  const events: Array<{ type?: string; cell: string }> = [];

  beforeAll(async () => {
    t = await connectTest('s1');
    client = await connectTest('client');
    client.tap(subjects.eventPattern(), (v) => {
      if (v.type?.startsWith('cell.')) events.push({ type: v.type, cell: v.subject.split('.').at(-1) ?? '' });
    });
    node = await createNode({
      nodeId: 's1',
      swarm,
      transport: t,
      registry: new CellRegistry([tally]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
      restartIntensity: { maxRestarts: 3, periodMs: 60_000, backoffBaseMs: 5, backoffMaxMs: 50 },
    });
    await waitFor(() => node.peers.alive().length === 1, { what: 'the node seeing itself' });
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
    await client.close();
  });

  it('brings a crashed cell back with exactly the state it had before the crash', async () => {
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'tally', id: 'tally-1' });
    const n = 37;
    for (let i = 0; i < n; i++) await ask('tally-1', 'add');
    await expect(ask('tally-1', 'boom')).rejects.toBeInstanceOf(CellFailedError);
    await waitFor(async () => (await ask('tally-1', 'get').catch(() => undefined)) !== undefined, { what: 'restart' });
    expect(await ask('tally-1', 'get')).toEqual({ n });
    const status = (await control.agentStatus('tally-1')) as { restarts: number; status: string };
    expect(status).toMatchObject({ restarts: 1, status: 'running' });
  });

  it('saves the snapshot to JetStream KV within the staleness bound', async () => {
    await ask('tally-1', 'add');
    const store = await SnapshotStore.open(client, swarm);
    await waitFor(
      async () => ((await store.load('tally-1'))?.snapshot as { context?: { n: number } })?.context?.n === 38,
      {
        what: 'snapshot with n = 38',
      },
    );
  });

  it('escalates a cell that keeps crashing instead of restarting it forever', async () => {
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'tally', id: 'tally-bad' });
    for (let i = 0; i < 4; i++) {
      await waitFor(async () => (await ask('tally-bad', 'get').catch(() => undefined)) !== undefined, {
        what: `start ${i}`,
      });
      await expect(ask('tally-bad', 'boom')).rejects.toBeInstanceOf(CellFailedError);
    }
    await waitFor(() => events.some((e) => e.type === 'cell.escalated' && e.cell === 'tally-bad'), {
      what: 'cell.escalated',
    });
    await waitFor(async () => (await control.listAgents()).find((a) => a.id === 'tally-bad')?.status === 'failed', {
      what: 'failed status in the list',
    });
    await expect(ask('tally-bad', 'get')).rejects.toThrow();
    expect(events.filter((e) => e.type === 'cell.crashed' && e.cell === 'tally-bad')).toHaveLength(4);
    const alerts = await (await EventLog.open(client, swarm, ALERT_LOG, createSilentLogger())).recent();
    expect(alerts.map((a) => [a.type, a.cell, a.from])).toContainEqual(['cell.escalated', 'tally-bad', 's1']);
    expect(alerts.find((a) => a.cell === 'tally-bad')?.body).toMatchObject({ severity: 'critical', error: 'boom' });
  });

  it('restarts the cells that depend on a crashed cell with it (rest-for-one)', async () => {
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'tally', id: 'base' });
    await control.createAgent({ type: 'tally', id: 'dependent', dependsOn: ['base'] });
    await control.createAgent({ type: 'tally', id: 'bystander' });
    const before = events.length;
    await expect(ask('base', 'boom')).rejects.toBeInstanceOf(CellFailedError);
    await waitFor(() => events.slice(before).some((e) => e.type === 'cell.started' && e.cell === 'dependent'), {
      what: 'dependent restarted',
    });
    const restarted = new Set(
      events
        .slice(before)
        .filter((e) => e.type === 'cell.started')
        .map((e) => e.cell),
    );
    expect(restarted).toEqual(new Set(['base', 'dependent']));
  });

  it('forgets a destroyed cell, snapshot included', async () => {
    const control = createControlClient(client, swarm);
    await control.destroyAgent('tally-1');
    const store = await SnapshotStore.open(client, swarm);
    await waitFor(async () => (await store.load('tally-1')) === undefined, { what: 'snapshot removed' });
    await control.createAgent({ type: 'tally', id: 'tally-1' });
    expect(await ask('tally-1', 'get')).toEqual({ n: 0 });
  });
});

describe('snapshot fencing', () => {
  const swarm = uniqueSwarm('fence');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;
  const events: Array<{ type?: string; body?: unknown }> = [];

  beforeAll(async () => {
    t = await connectTest('f1');
    client = await connectTest('client');
    client.tap(subjects.eventPattern('cell.fenced'), (v) => events.push(v));
    node = await createNode({
      nodeId: 'f1',
      swarm,
      transport: t,
      registry: new CellRegistry([tally]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    await waitFor(() => node.peers.alive().length === 1, { what: 'node alive' });
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
    await client.close();
  });

  const ask = (id: string, type: string) => client.request(subjects.cellInbox(id), type, undefined, { timeout: 1000 });

  it('stops a copy whose snapshot was taken over by a newer owner, without overwriting it', async () => {
    await createControlClient(client, swarm).createAgent({ type: 'tally', id: 'contested' });
    await ask('contested', 'add');
    const store = await SnapshotStore.open(client, swarm);
    await waitFor(async () => (await store.load('contested'))?.epoch === 1, { what: 'first save' });
    const stored = await store.load('contested');
    // A new owner (epoch 2) writes; the old copy does not know yet.
    await store.save('contested', stored?.snapshot as never, { epoch: 2, revision: stored?.revision ?? null });
    await ask('contested', 'add');
    await waitFor(() => events.some((e) => (e.body as { reason?: string }).reason === 'newer-owner'), {
      what: 'cell.fenced',
    });
    await waitFor(async () => (await ask('contested', 'get').catch(() => 'gone')) === 'gone', {
      what: 'the old copy stopped',
    });
    expect((await store.load('contested'))?.epoch).toBe(2);
  });

  it('restarts from the stored state when an older writer wrote behind its back', async () => {
    await createControlClient(client, swarm).createAgent({ type: 'tally', id: 'behind' });
    await ask('behind', 'add');
    const store = await SnapshotStore.open(client, swarm);
    await waitFor(async () => (await store.load('behind'))?.epoch === 1, { what: 'first save' });
    const stored = (await store.load('behind')) as NonNullable<Awaited<ReturnType<SnapshotStore['load']>>>;
    const older = { ...(stored.snapshot as object), context: { n: 40, starts: 0 } };
    await store.save('behind', older as never, { epoch: 0, revision: stored.revision });
    await ask('behind', 'add');
    await waitFor(() => events.some((e) => (e.body as { reason?: string }).reason === 'older-writer'), {
      what: 'older-writer',
    });
    await waitFor(
      async () => ((await ask('behind', 'get').catch(() => undefined)) as { n?: number } | undefined)?.n === 40,
      {
        what: 'the copy restarted from the stored state',
      },
    );
  });
});
