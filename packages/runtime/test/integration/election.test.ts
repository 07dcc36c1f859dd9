import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { ROLE } from '../../src/election/election-core.js';
import { ElectionStore } from '../../src/election/election-store.js';
import { createSilentLogger } from '../../src/logger.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

describe('leader election over NATS', () => {
  const swarm = uniqueSwarm('el');
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['e1', 'e2', 'e3'], []);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  const leaders = () => testNodes.filter((n) => n.node.election().role === ROLE.leader);

  it('elects exactly one leader that every node follows, and records its term in KV', async () => {
    await waitFor(
      () => {
        const views = testNodes.map((n) => n.node.election());
        const leader = views.find((v) => v.role === ROLE.leader);
        return Boolean(leader) && views.every((v) => v.leader === leader?.leader && v.term === leader?.term);
      },
      { what: 'one agreed leader', timeoutMs: 10_000 },
    );
    expect(leaders()).toHaveLength(1);
    // Under load a leader may change in between: every check reads the current one.
    const current = () => leaders()[0]?.node.election();
    const store = await ElectionStore.open(client, swarm, createSilentLogger());
    await waitFor(
      async () => {
        const record = await store.leader();
        return record?.node === current()?.leader && record?.term === current()?.term;
      },
      { what: 'the leader record naming the current leader and term' },
    );
    expect(await store.members()).toEqual(['e1', 'e2', 'e3']);
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await control.systemStatus()).leader === current()?.leader, { what: 'status' });
    expect((await control.systemStatus()).nodes.map((n) => n.node)).toEqual(['e1', 'e2', 'e3']);
  });

  it('elects a new leader with a higher term when the leader leaves, and the voting membership shrinks', async () => {
    const old = leaders()[0] as TestNode;
    const oldTerm = old.node.election().term;
    await old.node.stop();
    const rest = testNodes.filter((n) => n !== old);
    await waitFor(
      () => {
        const views = rest.map((n) => n.node.election());
        const leader = views.find((v) => v.role === ROLE.leader);
        return Boolean(leader) && (leader?.term ?? 0) > oldTerm && views.every((v) => v.leader === leader?.leader);
      },
      { what: 'a new leader', timeoutMs: 10_000 },
    );
    const store = await ElectionStore.open(client, swarm, createSilentLogger());
    expect(await store.members()).toEqual(rest.map((n) => n.node.nodeId).sort());
  });
});
