import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { AlreadyExistsError, CellFencedError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const echo = defineCell({
  type: 'echo',
  description: 'answers with what it got',
  machine: () =>
    setup({ types: { context: {} as { last: unknown } } }).createMachine({
      context: { last: null },
      on: { say: { actions: assign({ last: ({ event }) => (event as { value?: unknown }).value ?? null }) } },
    }),
  reply: (s) => s.context.last,
});

describe('node host', () => {
  const swarm = uniqueSwarm();
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let nodes: NodeHost[] = [];
  let client: Transport;

  beforeAll(async () => {
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['na', 'nb'], [echo]);
    nodes = testNodes.map((n) => n.node);
    client = await connectTest('cli');
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await control.listNodes()).filter((n) => n.status === 'alive').length === 2, {
      what: 'two live nodes',
    });
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('creates cells through the control plane, balanced over the live nodes, and they answer', async () => {
    const control = createControlClient(client, swarm);
    const a = await control.createAgent({ type: 'echo', id: 'echo-a' });
    const b = await control.createAgent({ type: 'echo', id: 'echo-b' });
    expect(new Set([a.node, b.node])).toEqual(new Set(['na', 'nb']));
    // Asked until it answers, refused only by a node's majority lease: a node's cells take messages
    // once it has heard a leader and confirmed them against the store, and "two live nodes" (their
    // heartbeats) does not wait for that. One CI run (smoke subset, nats-server 2.9.10) asked na
    // inside that window: CellFencedError, "back in touch with the majority and is confirming".
    let said: unknown;
    await waitFor(
      async () => {
        said = await client.request(subjects.cellInbox('echo-a'), 'say', 'hi').catch((err: unknown) => {
          if (err instanceof CellFencedError) return undefined;
          throw err;
        });
        return said !== undefined;
      },
      { what: 'echo-a answering' },
    );
    expect(said).toBe('hi');
    await waitFor(async () => (await control.listAgents()).every((x) => x.status === 'running'), {
      what: 'running in heartbeats',
    });
    const list = await control.listAgents();
    expect(list.map((x) => [x.id, x.type, x.status])).toEqual([
      ['echo-a', 'echo', 'running'],
      ['echo-b', 'echo', 'running'],
    ]);
  });

  it('refuses a duplicate id, an unknown type and a dead node, each with its own error', async () => {
    const control = createControlClient(client, swarm);
    await expect(control.createAgent({ type: 'echo', id: 'echo-a' })).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(control.createAgent({ type: 'nope' })).rejects.toThrow(/unknown cell type "nope"/);
    await expect(control.createAgent({ type: 'echo', node: 'ghost' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(control.createAgent({} as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('pins a cell to a node and reports its status from the hosting node', async () => {
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'echo', id: 'echo-pinned', node: 'nb' });
    const status = await control.agentStatus('echo-pinned');
    expect(status).toMatchObject({ id: 'echo-pinned', node: 'nb', status: 'running' });
    await expect(control.agentStatus('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('destroys a cell: it stops answering and leaves the list', async () => {
    const control = createControlClient(client, swarm);
    await control.destroyAgent('echo-pinned');
    await expect(client.request(subjects.cellInbox('echo-pinned'), 'say', 1, { timeout: 500 })).rejects.toThrow();
    expect((await control.listAgents()).map((a) => a.id)).not.toContain('echo-pinned');
    await expect(control.destroyAgent('echo-pinned')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('counts random bytes on every control subject, answers them with an error, and keeps serving', async () => {
    const control = createControlClient(client, swarm);
    const malformed = () => testNodes.reduce((n, t) => n + t.transport.stats.malformed, 0);
    const before = malformed();
    const commands = ['agent.list', 'agent.create', 'agent.destroy', 'agent.status', 'node.list', 'cell.types'];
    for (const c of commands) {
      const reply = await client.nc.request(subjects.control(c), new Uint8Array([0xc1, 0x99, 0x00]), { timeout: 2000 });
      expect(reply.headers?.get('hms-type'), c).toBe('error');
    }
    expect(malformed() - before).toBe(commands.length);
    expect((await control.listAgents()).length).toBeGreaterThan(0);
  });

  it('sees every node alive with a low phi from its heartbeats', async () => {
    const peers = nodes[0]?.peers.list() ?? [];
    expect(peers.map((p) => [p.node, p.status])).toEqual([
      ['na', 'alive'],
      ['nb', 'alive'],
    ]);
    for (const p of peers) expect(p.phi).toBeLessThan(3);
  });
});

describe('node join', () => {
  it('lets a node that joins see every other node at once, without waiting for a heartbeat interval', async () => {
    const swarm = uniqueSwarm('join');
    // One-minute heartbeats: after the first beats, only the join protocol (peers answer a
    // newcomer's first heartbeat with theirs) can make each node visible to the next.
    const started: Array<{ node: NodeHost; transport: Transport }> = [];
    try {
      for (const id of ['j1', 'j2', 'j3']) {
        const transport = await connectTest(id);
        const node = await createNode({
          nodeId: id,
          swarm,
          transport,
          registry: new CellRegistry([echo]),
          logger: createSilentLogger(),
          heartbeatMs: 60_000,
        });
        started.push({ node, transport });
      }
      await waitFor(() => started.every(({ node }) => node.peers.alive().length === 3), {
        what: 'every node seeing three',
        timeoutMs: 5000,
      });
      expect(started[0]?.node.peers.alive().map((p) => p.node)).toEqual(['j1', 'j2', 'j3']);
    } finally {
      for (const { node, transport } of started) {
        await node.stop();
        await transport.close();
      }
    }
  });
});
