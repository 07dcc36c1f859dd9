import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, setup } from 'xstate';
import type { CellContext } from '../../src/cell/cell-context.js';
import type { CellHealth } from '../../src/cell/cell-status.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { type ControlClient, createControlClient } from '../../src/control/control-client.js';
import { CellFailedError, CircuitOpenError, RequestTimeoutError } from '../../src/errors.js';
import type { NodeHost } from '../../src/node/node-host.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

/** How long a `slow` cell takes to answer, in millis. */
const SLOW_MS = 600;

/** Cells whose CellContext the test drives directly: their calls go through the real guard. */
const contexts = new Map<string, CellContext>();
const callerType = (type: string) =>
  defineCell({
    type,
    description: 'calls other cells when the test says so',
    machine: (cell) => {
      contexts.set(cell.id, cell);
      return setup({}).createMachine({});
    },
  });
const slow = defineCell({
  type: 'slow',
  description: `answers after ${SLOW_MS} ms`,
  queries: ['ping'],
  machine: () => setup({}).createMachine({}),
  reply: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), SLOW_MS).unref()),
});
/** Crashes on `boom`; `fragile` and `sturdy` differ only in name (and so in their scoped settings). */
const crashing = (type: string) =>
  defineCell({
    type,
    description: 'throws on boom',
    machine: () =>
      setup({
        types: { context: {} as { n: number }, events: {} as { type: 'boom' } | { type: 'add' } },
        actions: {
          boom: () => {
            throw new Error('boom');
          },
        },
      }).createMachine({
        context: { n: 0 },
        on: { boom: { actions: 'boom' }, add: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
      }),
  });

describe('scoped settings (per cell type, per edge)', () => {
  const swarm = uniqueSwarm('scp');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let nodes: NodeHost[] = [];
  let client: Transport;
  let control: ControlClient;
  const events: Array<{ type?: string; subject: string }> = [];
  const ctx = (id: string) => contexts.get(id) as CellContext;
  /** Writes `set` and waits until every node has applied it (the KV watch; nothing restarts). */
  const configure = async (set: Record<string, unknown>) => {
    const { version } = await control.configure(set);
    await waitFor(async () => (await control.listNodes()).every((n) => n.configVersion >= version), {
      what: `version ${version} applied on every node`,
    });
  };

  beforeAll(async () => {
    client = await connectTest('client');
    client.tap(subjects.eventPattern(), (v) => events.push({ type: v.type, subject: v.subject }));
    await client.flush();
    testNodes = await startTestNodes(
      inject('natsUrl'),
      swarm,
      ['sa', 'sb'],
      [callerType('pinger'), callerType('other'), slow, crashing('fragile'), crashing('sturdy')],
    );
    nodes = testNodes.map((n) => n.node);
    await waitFor(() => nodes.every((n) => n.peers.alive().length === 2), { what: 'two nodes' });
    control = createControlClient(client, swarm);
    // Avoidance out of the way: the breakers and timeouts are what these tests watch.
    await configure({ 'stigmergy.avoidStrength': 1000 });
    await control.createAgent({ type: 'pinger', id: 'pinger-1', node: 'sa' });
    await control.createAgent({ type: 'other', id: 'other-1', node: 'sb' });
    for (const id of ['slow-1', 'slow-2']) await control.createAgent({ type: 'slow', id, node: 'sb' });
    await waitFor(() => contexts.has('pinger-1') && contexts.has('other-1'), { what: 'the callers running' });
    // Just after start a node confirms with the majority which cells it owns, and its cells refuse
    // messages meanwhile (CellFencedError): wait until both callees answer (not through a cell's
    // guard, so no breaker hears of it).
    for (const id of ['slow-1', 'slow-2']) {
      await waitFor(
        () =>
          client.request(subjects.cellInbox(id), 'ping', undefined, { timeout: 2000 }).then(
            () => true,
            () => false,
          ),
        { what: `${id} answering`, timeoutMs: 15_000 },
      );
    }
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it("gives one edge its own timeout, live, while another caller type to the same callee keeps the swarm's", async () => {
    expect(await ctx('pinger-1').request('slow-1', 'ping')).toEqual({ ok: true });
    await configure({ 'request.timeoutMs@edge:pinger:slow': 200 });
    await expect(ctx('pinger-1').request('slow-1', 'ping')).rejects.toBeInstanceOf(RequestTimeoutError);
    // other → slow: no scoped value, so the swarm-wide 5000 ms, which a 600 ms answer is within.
    expect(await ctx('other-1').request('slow-1', 'ping')).toEqual({ ok: true });
    expect((await control.systemStatus()).scoped).toEqual({ 'request.timeoutMs@edge:pinger:slow': 200 });
  });

  it("keeps a caller's own timeout over the edge's (the code's contract wins)", async () => {
    expect(await ctx('pinger-1').request('slow-1', 'ping', undefined, { timeout: 3000 })).toEqual({ ok: true });
  });

  it('gives calls to a callee type a breaker threshold of their own, the edge one over it, and removes it with default', async () => {
    // Every caller's calls to slow time out now; the edge from pinger opens after one failure.
    await configure({
      'request.timeoutMs@to:slow': 150,
      'breaker.failureThreshold@edge:pinger:slow': 1,
      'breaker.resetTimeoutMs': 60_000,
    });
    await expect(ctx('pinger-1').request('slow-2', 'ping')).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(ctx('pinger-1').request('slow-2', 'ping')).rejects.toBeInstanceOf(CircuitOpenError);
    // other → slow times out under @to:slow, but its breaker keeps the swarm-wide threshold of 5.
    for (let i = 0; i < 4; i++) {
      await expect(ctx('other-1').request('slow-2', 'ping')).rejects.toBeInstanceOf(RequestTimeoutError);
    }
    await expect(ctx('other-1').request('slow-2', 'ping')).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(ctx('other-1').request('slow-2', 'ping')).rejects.toBeInstanceOf(CircuitOpenError);
    // Removing the callee type's timeout and the swarm's long reset: the edge pinger → slow is back to 200 ms.
    await configure({ 'request.timeoutMs@to:slow': 'default', 'breaker.resetTimeoutMs': 'default' });
    const status = await control.systemStatus();
    expect(status.scoped).toEqual({
      'request.timeoutMs@edge:pinger:slow': 200,
      'breaker.failureThreshold@edge:pinger:slow': 1,
    });
    expect(status.config['breaker.resetTimeoutMs']).toBe(2000);
  });

  it("gives one cell type its own restart intensity: it escalates at its first crash, another type's cell restarts", async () => {
    await configure({ 'supervision.maxRestarts@type:fragile': 0 });
    await control.createAgent({ type: 'fragile', id: 'fragile-1', node: 'sa' });
    await control.createAgent({ type: 'sturdy', id: 'sturdy-1', node: 'sa' });
    for (const id of ['fragile-1', 'sturdy-1']) {
      await expect(client.request(subjects.cellInbox(id), 'boom', undefined, { timeout: 2000 })).rejects.toBeInstanceOf(
        CellFailedError,
      );
    }
    const seen = (type: string, id: string) => events.some((e) => e.type === type && e.subject.endsWith(`.${id}`));
    await waitFor(() => seen('cell.escalated', 'fragile-1'), { what: 'fragile-1 escalated' });
    await waitFor(async () => ((await control.agentStatus('sturdy-1')) as CellHealth).restarts === 1, {
      what: 'sturdy-1 restarted',
    });
    expect(seen('cell.escalated', 'sturdy-1')).toBe(false);
  });
});
