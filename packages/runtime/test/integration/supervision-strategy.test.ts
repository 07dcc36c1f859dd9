import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { CellFailedError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const tally = defineCell({
  type: 'tally',
  queries: ['get'],
  description: 'counts adds; throws on boom',
  machine: () =>
    setup({
      types: { context: {} as { n: number }, events: {} as { type: 'add' } | { type: 'boom' } | { type: 'get' } },
      actions: {
        boom: () => {
          throw new Error('boom');
        },
      },
    }).createMachine({
      context: { n: 0 },
      on: { add: { actions: assign({ n: ({ context }) => context.n + 1 }) }, boom: { actions: 'boom' } },
    }),
  reply: (s) => ({ n: s.context.n }),
});

describe('supervision strategy (supervision.strategy, applied live)', () => {
  const swarm = uniqueSwarm('sst');
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
    });
    await waitFor(() => node.peers.alive().length === 1, { what: 'the node seeing itself' });
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
    await client.close();
  });

  /** Crashes `id` and waits until the supervisor has acted on it (restart started, or given up). */
  const crash = async (id: string) => {
    const before = events.length;
    await expect(ask(id, 'boom')).rejects.toBeInstanceOf(CellFailedError);
    await waitFor(
      () =>
        events.slice(before).some((e) => (e.type === 'cell.started' || e.type === 'cell.escalated') && e.cell === id),
      { what: `${id} restarted or escalated` },
    );
    return before;
  };
  const started = (since: number) =>
    new Set(
      events
        .slice(since)
        .filter((e) => e.type === 'cell.started')
        .map((e) => e.cell),
    );

  it('one-for-one: a crashed cell restarts alone, its dependent keeps running with its state', async () => {
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'tally', id: 'base' });
    await control.createAgent({ type: 'tally', id: 'dependent', dependsOn: ['base'] });
    for (let i = 0; i < 3; i++) await ask('dependent', 'add');
    // The default, rest-for-one: the dependent restarts with it.
    let since = await crash('base');
    await waitFor(() => started(since).has('dependent'), { what: 'dependent restarted (rest-for-one)' });
    await control.configure({ 'supervision.strategy': 1 });
    await waitFor(async () => (await control.systemStatus()).config['supervision.strategy'] === 1, {
      what: 'one-for-one in force',
    });
    const restartsBefore = ((await control.agentStatus('dependent')) as { restarts: number }).restarts;
    since = await crash('base');
    await waitFor(async () => (await ask('base', 'get').catch(() => undefined)) !== undefined, { what: 'base back' });
    expect(started(since)).toEqual(new Set(['base']));
    expect(((await control.agentStatus('dependent')) as { restarts: number }).restarts).toBe(restartsBefore);
    expect(await ask('dependent', 'get')).toEqual({ n: 3 });
  });

  it('escalate: a crashed cell is left failed at its first crash, and comes back when an operator asks', async () => {
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'tally', id: 'fragile' });
    await control.configure({ 'supervision.strategy': 2 });
    await waitFor(async () => (await control.systemStatus()).config['supervision.strategy'] === 2, {
      what: 'escalate in force',
    });
    const since = await crash('fragile');
    expect(events.slice(since).some((e) => e.type === 'cell.escalated' && e.cell === 'fragile')).toBe(true);
    expect(started(since).has('fragile')).toBe(false);
    await waitFor(async () => (await control.listAgents()).find((a) => a.id === 'fragile')?.status === 'failed', {
      what: 'fragile failed in the list',
    });
    await control.configure({ 'supervision.strategy': 0 });
  });
});
