import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { PLACEMENT_EVENT } from '../../src/coordination/coordinator.js';
import { DRAIN_EVENT } from '../../src/coordination/node-drains.js';
import { ROLE } from '../../src/election/election-core.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { startLoad, tally } from '../fixtures/tally-load.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

describe('node drain', () => {
  const swarm = uniqueSwarm('drain');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['d1', 'd2', 'd3'], [tally]);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('moves every cell off a drained node in batches under steady load, losing no request and no count', async () => {
    const control = createControlClient(client, swarm);
    await waitFor(() => testNodes.some((n) => n.node.election().role === ROLE.leader), { what: 'a leader' });
    await control.configure({ 'placement.rebalanceBatch': 3 });
    const ids = Array.from({ length: 18 }, (_, i) => `c-${i}`);
    for (const id of ids) await control.createAgent({ type: 'tally', id });
    const drained = testNodes.find((n) => n.node.nodeId === 'd2') as TestNode;
    await waitFor(() => drained.node.cells().length > 0, { what: 'cells on d2' });
    const before = drained.node.cells().length;

    const events: Array<{ type: string; node: string }> = [];
    const progress: Array<{ inFlight: number }> = [];
    const subs = [
      ...Object.values(DRAIN_EVENT).map((type) =>
        client.subscribe(subjects.eventPattern(type), (m) => {
          events.push({ type, node: (m.body as { node: string }).node });
        }),
      ),
      client.subscribe(subjects.eventPattern(PLACEMENT_EVENT.rebalance), (m) => {
        progress.push(m.body as { inFlight: number });
      }),
    ];
    await client.flush();
    const load = startLoad(client, subjects, ids);
    await waitFor(() => [...load.sent.values()].every((n) => n > 0), { what: 'load on every counter' });

    const began = performance.now();
    const reply = await control.drainNode('d2');
    expect(reply).toMatchObject({ node: 'd2', drained: true, changed: true, cells: before });
    // A create meanwhile goes elsewhere; a create pinned to it is refused.
    const during = await control.createAgent({ type: 'tally', id: 'during-drain' });
    expect(during.node).not.toBe('d2');
    await expect(control.createAgent({ type: 'tally', id: 'pinned-drained', node: 'd2' })).rejects.toThrow(
      ValidationError,
    );
    await waitFor(async () => (await control.listNodes()).find((n) => n.node === 'd2')?.drain === 'drained', {
      what: 'd2 drained',
      timeoutMs: 20_000,
    });
    const drainMs = performance.now() - began;
    // The leader announces it on its next placement round.
    await waitFor(() => events.some((e) => e.type === DRAIN_EVENT.drained && e.node === 'd2'), {
      what: 'node.drained',
    });
    await load.stop();
    for (const s of subs) s.unsubscribe();

    expect(load.failures).toEqual([]);
    expect(drained.node.cells()).toEqual([]);
    const agents = await control.listAgents();
    expect(agents.filter((a) => a.node === 'd2')).toEqual([]);
    // Every count intact: adding 0 returns exactly what the client added.
    for (const id of ids) {
      expect(await client.request(subjects.cellInbox(id), 'add', { n: 0 })).toBe(load.sent.get(id));
    }
    expect(Math.max(...progress.map((p) => p.inFlight))).toBeLessThanOrEqual(3);
    expect(events).toContainEqual({ type: DRAIN_EVENT.draining, node: 'd2' });
    const status = await control.systemStatus();
    expect(status.nodes.find((n) => n.node === 'd2')?.drain).toBe('drained');
    console.log(
      `drain of ${before} cells took ${Math.round(drainMs)} ms; ${[...load.sent.values()].reduce((a, b) => a + b, 0)} requests, ` +
        `${load.failures.length} failed, ${load.redelivered()} resent after no responders`,
    );
  });

  it('lets an undrained node take cells again, and names an unknown node', async () => {
    const control = createControlClient(client, swarm);
    expect(await control.undrainNode('d2')).toMatchObject({ node: 'd2', drained: false, changed: true });
    expect((await control.listNodes()).find((n) => n.node === 'd2')?.drain).toBeUndefined();
    const placed = [];
    for (let i = 0; i < 3; i++) placed.push((await control.createAgent({ type: 'tally', id: `after-${i}` })).node);
    expect(placed).toContain('d2');
    await expect(control.drainNode('nope')).rejects.toThrow(NotFoundError);
    await expect(control.drainNode('nope')).rejects.toThrow('unknown node nope');
  });
});
