import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineCell } from '../../src/cell/define-cell.js';
import { HOST_MESSAGE } from '../../src/cell/running-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { ROLE } from '../../src/election/election-core.js';
import { CellFencedError, NoLeaderError } from '../../src/errors.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const box = defineCell({
  type: 'box',
  description: 'keeps the last value it was given',
  machine: () =>
    setup({ types: { context: {} as { value: unknown } } }).createMachine({
      context: { value: null },
      on: { put: { actions: assign({ value: ({ event }) => (event as { value?: unknown }).value ?? null }) } },
    }),
  reply: (s) => s.context.value,
});

describe('swarm-wide changes go through the leader', () => {
  const swarm = uniqueSwarm('lr');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['l1', 'l2', 'l3'], [box], { leaderWaitMs: 1500 });
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('carries out create, configure and destroy on the leader, whichever node takes the request', async () => {
    const control = createControlClient(client, swarm);
    const served: string[] = [];
    const tap = client.tap(subjects.leaderPattern(), (m) => served.push(m.subject));
    // Enough requests that the queue group hands some to followers, which forward them.
    for (let i = 0; i < 6; i++) await control.createAgent({ type: 'box', id: `box-${i}` });
    expect((await control.configure({ 'breaker.failureThreshold': 7 })).config['breaker.failureThreshold']).toBe(7);
    await control.destroyAgent('box-0');
    tap();
    expect((await control.listAgents()).map((a) => a.id)).toEqual(['box-1', 'box-2', 'box-3', 'box-4', 'box-5']);
    // Followers forwarded at least one of the eight changes on the leader subject.
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((s) => s.startsWith(`hms.${swarm}.lead.`))).toBe(true);
  });

  it('refuses swarm-wide changes with NoLeaderError when a majority is gone; its cells keep running but take no messages', async () => {
    const control = createControlClient(client, swarm);
    await waitFor(() => testNodes.some((n) => n.node.election().role === ROLE.leader), { what: 'a leader' });
    // Cut two of the three voting members off for good: their connections close, they never leave.
    const [survivor, ...cut] = [...testNodes].sort(
      (a, b) => Number(a.node.election().role === ROLE.leader) - Number(b.node.election().role === ROLE.leader),
    ) as [TestNode, ...TestNode[]];
    const onSurvivor = (await control.listAgents()).find((a) => a.node === survivor.node.nodeId);
    if (!onSurvivor) throw new Error('placement put no cell on the survivor');
    for (const n of cut) await n.transport.close();
    await waitFor(() => survivor.node.election().role !== ROLE.leader && survivor.node.election().leader === null, {
      what: 'the survivor to see no leader',
      timeoutMs: 10_000,
    });

    const refused = await control.createAgent({ type: 'box', id: 'box-minority' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NoLeaderError);
    expect((refused as Error).message).toMatch(/no leader: swarm-wide changes need a leader elected by a majority/);
    await expect(control.configure({ 'breaker.failureThreshold': 9 })).rejects.toBeInstanceOf(NoLeaderError);
    await expect(control.destroyAgent('box-1')).rejects.toBeInstanceOf(NoLeaderError);
    expect((await control.listAgents()).map((a) => a.id)).not.toContain('box-minority');

    // Its cells keep running (their host answers for them) but take no change: the majority may
    // already run them elsewhere.
    const health = (await client.request(subjects.cellInbox(onSurvivor.id), HOST_MESSAGE.status)) as { status: string };
    expect(health.status).toBe('running');
    const fenced = await client
      .request(subjects.cellInbox(onSurvivor.id), 'put', { value: 'x' })
      .catch((e: unknown) => e);
    expect(fenced).toBeInstanceOf(CellFencedError);
    expect((fenced as Error).message).toMatch(/takes no messages: node l\d has not heard a leader for \d+ ms/);
  });
});

describe('a node alone in a swarm whose earlier leader left', () => {
  it('wins a term above the recorded one and can make changes (regression: it won the same term and was fenced out)', async () => {
    const swarm = uniqueSwarm('lr');
    const client = await connectTest('client');
    const control = createControlClient(client, swarm);
    const [first] = await startTestNodes(inject('natsUrl'), swarm, ['first'], [box]);
    await control.createAgent({ type: 'box', id: 'b-1' });
    const firstTerm = (first as TestNode).node.election().term;
    await stopTestNodes([first as TestNode]);
    const [second] = await startTestNodes(inject('natsUrl'), swarm, ['second'], [box]);
    try {
      await control.createAgent({ type: 'box', id: 'b-2' });
      expect((second as TestNode).node.election().term).toBeGreaterThan(firstTerm);
      expect((await control.listAgents()).find((a) => a.id === 'b-2')?.node).toBe('second');
    } finally {
      await stopTestNodes([second as TestNode]);
      await client.close();
    }
  });
});
