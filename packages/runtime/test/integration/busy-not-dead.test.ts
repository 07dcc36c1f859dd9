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

/** Keeps this thread busy for `ms` millis, as a burst of cell work would. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin: nothing on this event loop runs meanwhile
  }
}

describe('a busy node is not a dead one', () => {
  const swarm = uniqueSwarm('busy');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['b1', 'b2', 'b3'], [tally]);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('keeps its leader and its cells where they are through a 3 s stall of every node’s event loop (regression: slowness was taken for death, and cells moved wholesale)', async () => {
    const control = createControlClient(client, swarm);
    await waitFor(() => testNodes.some((n) => n.node.election().role === ROLE.leader), { what: 'a leader' });
    for (let i = 0; i < 12; i++) await control.createAgent({ type: 'tally', id: `t-${i}` });
    const leader = testNodes.find((n) => n.node.election().role === ROLE.leader) as TestNode;
    const term = leader.node.election().term;
    const before = new Map((await control.listAgents()).map((a) => [a.id, a.node]));

    // Every node here shares this thread: the stall is longer than placement.downAfterMs
    // (1.5 s), the majority lease (1 s) and the election timeouts (0.5–1 s).
    busyFor(3000);
    const moved: string[] = [];
    const sub = client.subscribe(subjects.eventPattern(PLACEMENT_EVENT.moved), (m) => {
      moved.push((m.body as { cell: string }).cell);
    });
    // Long enough for the leader to act on what it saw during the stall (it checks every 200 ms).
    for (let i = 0; i < 10; i++) await client.request(subjects.cellInbox('t-0'), 'add', { n: 1 });
    await waitFor(() => testNodes.every((n) => n.node.peers.list().every((p) => p.status === 'alive')), {
      what: 'every node seen alive again',
    });
    await client.flush();
    sub.unsubscribe();

    expect(moved).toEqual([]);
    expect(leader.node.election().role).toBe(ROLE.leader);
    expect(leader.node.election().term).toBe(term);
    const after = new Map((await control.listAgents()).map((a) => [a.id, a.node]));
    expect(after).toEqual(before);
    expect(await client.request(subjects.cellInbox('t-0'), 'add', { n: 0 })).toBe(10);
  });
});
