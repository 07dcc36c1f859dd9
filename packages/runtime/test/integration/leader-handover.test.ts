import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { ROLE } from '../../src/election/election-core.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { startLoad, tally } from '../fixtures/tally-load.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

describe('a leader that stops gracefully', () => {
  const swarm = uniqueSwarm('handover');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['h1', 'h2', 'h3'], [tally]);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('hands its office over at once: the other nodes’ cells never refuse a message (regression: every node’s lease lapsed while they waited out an election timeout)', async () => {
    // A leader hands over to a member it knows: wait until every node sees all three as members
    // and follows one leader (the membership is re-read every second).
    await waitFor(
      () =>
        testNodes.every((t) => t.node.election().members.length === 3) &&
        testNodes.some((t) => t.node.election().role === ROLE.leader) &&
        new Set(testNodes.map((t) => t.node.election().leader)).size === 1,
      { timeoutMs: 10_000 },
    );
    const leader = testNodes.find((t) => t.node.election().role === ROLE.leader) as TestNode;
    const others = testNodes.filter((t) => t !== leader);
    const control = createControlClient(client, swarm);
    const ids: string[] = [];
    for (const [i, t] of others.entries()) {
      for (let k = 0; k < 3; k++) {
        const id = `tally-${i}-${k}`;
        await control.createAgent({ type: 'tally', id, node: t.node.nodeId });
        ids.push(id);
      }
    }
    const terms: Array<{ leader: string; term: number }> = [];
    const watch = client.subscribe(subjects.raft('heartbeat'), (m) => {
      const hb = m.body as { from: string; term: number };
      if (terms.at(-1)?.term !== hb.term) terms.push({ leader: hb.from, term: hb.term });
    });
    const load = startLoad(client, subjects, ids);
    await waitFor(() => [...load.sent.values()].every((n) => n >= 5), { timeoutMs: 10_000 });

    const oldTerm = leader.node.election().term;
    await leader.node.stop();
    await leader.transport.close();
    testNodes = others;
    await waitFor(() => others.some((t) => t.node.election().role === ROLE.leader), { timeoutMs: 5000 });
    // Keep the load going a little past the change, then stop it and check every tally.
    const sentAtChange = [...load.sent.values()].reduce((a, b) => a + b, 0);
    await waitFor(() => [...load.sent.values()].reduce((a, b) => a + b, 0) >= sentAtChange + 60, { timeoutMs: 10_000 });
    await load.stop();
    watch.unsubscribe();

    expect(load.failures).toEqual([]);
    const successor = others.find((t) => t.node.election().role === ROLE.leader) as TestNode;
    // Handed over: the successor won the very next term, and no other term came between.
    expect(successor.node.election().term).toBe(oldTerm + 1);
    expect(terms.filter((t) => t.term > oldTerm)).toEqual([{ leader: successor.node.nodeId, term: oldTerm + 1 }]);
    for (const id of ids) {
      expect(await client.request(subjects.cellInbox(id), 'add', { n: 0 })).toBe(load.sent.get(id));
    }
  });
});
