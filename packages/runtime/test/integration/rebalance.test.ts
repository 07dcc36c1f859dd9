import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { PLACEMENT_EVENT } from '../../src/coordination/coordinator.js';
import { ROLE } from '../../src/election/election-core.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const tally = defineCell({
  type: 'tally',
  description: 'adds up what it is given',
  machine: () =>
    setup({ types: { context: {} as { total: number } } }).createMachine({
      context: { total: 0 },
      on: { add: { actions: assign({ total: ({ context, event }) => context.total + Number(event.n ?? 0) }) } },
    }),
  reply: (s) => s.context.total,
});

describe('rebalancing when a node joins', () => {
  const swarm = uniqueSwarm('rb');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['r1', 'r2'], [tally]);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('moves cells onto the newcomer a few at a time, with their state, reporting progress, pinned cells staying', async () => {
    const control = createControlClient(client, swarm);
    await waitFor(() => testNodes.some((n) => n.node.election().role === ROLE.leader), { what: 'a leader' });
    await control.configure({ 'placement.rebalanceBatch': 4 });
    const ids = Array.from({ length: 24 }, (_, i) => `t-${i}`);
    for (const id of ids) await control.createAgent({ type: 'tally', id });
    await control.createAgent({ type: 'tally', id: 'pinned', node: 'r1' });
    for (const [i, id] of [...ids, 'pinned'].entries()) {
      expect(await client.request(subjects.cellInbox(id), 'add', { n: i + 1 })).toBe(i + 1);
    }

    const progress: Array<{ moved: number; inFlight: number; remaining: number; done: boolean }> = [];
    const handoffs: string[] = [];
    const subs = [
      client.subscribe(subjects.eventPattern(PLACEMENT_EVENT.rebalance), (m) => {
        progress.push(m.body as (typeof progress)[number]);
      }),
      client.subscribe(subjects.eventPattern(PLACEMENT_EVENT.handoff), (m) => {
        handoffs.push((m.body as { cell: string }).cell);
      }),
    ];
    await client.flush();
    testNodes.push(...(await startTestNodes(inject('natsUrl'), swarm, ['r3'], [tally])));

    await waitFor(() => progress.some((p) => p.done), { what: 'rebalancing to finish', timeoutMs: 20_000 });
    for (const s of subs) s.unsubscribe();

    const agents = await control.listAgents();
    const perNode: Record<string, number> = {};
    for (const a of agents) perNode[a.node] = (perNode[a.node] ?? 0) + 1;
    // 25 cells over 3 equal nodes: 8 or 9 each.
    expect(Object.values(perNode).every((n) => n === 8 || n === 9)).toBe(true);
    expect(perNode.r3).toBeGreaterThanOrEqual(8);
    expect(agents.find((a) => a.id === 'pinned')?.node).toBe('r1');
    expect(handoffs).not.toContain('pinned');
    // Gradual: never more than the batch in handoff at once, and progress was reported on the way.
    expect(Math.max(...progress.map((p) => p.inFlight))).toBeLessThanOrEqual(4);
    expect(progress.some((p) => !p.done && p.remaining > 0)).toBe(true);
    expect(handoffs.length).toBeGreaterThanOrEqual(8);
    expect(progress.find((p) => p.done)?.moved).toBe(handoffs.length);
    // Every cell kept its state through the move: adding 0 returns what it had.
    for (const [i, id] of [...ids, 'pinned'].entries()) {
      await waitFor(async () => (await control.agentStatus(id)).status === 'running', { what: `${id} running` });
      expect(await client.request(subjects.cellInbox(id), 'add', { n: 0 })).toBe(i + 1);
    }
  });

  it('never takes the leader itself for silent (regression: it re-placed its own cells 1.5 s after winning)', async () => {
    const control = createControlClient(client, swarm);
    // A leader elected by votes (the first one won alone, which took another path).
    const first = testNodes.find((n) => n.node.election().role === ROLE.leader) as TestNode;
    await first.node.stop();
    testNodes = testNodes.filter((n) => n !== first);
    await waitFor(() => testNodes.some((n) => n.node.election().role === ROLE.leader), { what: 'a new leader' });
    const leader = testNodes.find((n) => n.node.election().role === ROLE.leader) as TestNode;
    const leaderId = leader.node.nodeId;
    await control.createAgent({ type: 'tally', id: 'on-leader', node: leaderId });
    const moved: string[] = [];
    const sub = client.subscribe(subjects.eventPattern(PLACEMENT_EVENT.moved), (m) => {
      const { cell } = m.body as { cell: string };
      if (cell === 'on-leader') moved.push(cell);
    });
    // A member silent for 200 ms now counts as down: the bug showed within one check.
    await control.configure({ 'placement.downAfterMs': 200 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    sub.unsubscribe();
    await control.configure({ 'placement.downAfterMs': 1500 });
    expect(moved).toEqual([]);
    expect((await control.listAgents()).find((a) => a.id === 'on-leader')?.node).toBe(leaderId);
  });
});
