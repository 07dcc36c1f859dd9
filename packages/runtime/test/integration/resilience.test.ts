import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, setup } from 'xstate';
import type { CellContext } from '../../src/cell/cell-context.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { CircuitOpenError, DependencyAvoidedError, NoRespondersError } from '../../src/errors.js';
import type { NodeHost } from '../../src/node/node-host.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

/** Cells whose CellContext the test drives directly: their calls go through the real guard. */
const contexts = new Map<string, CellContext>();
const caller = defineCell({
  type: 'caller',
  description: 'calls other cells when the test says so',
  machine: (cell) => {
    contexts.set(cell.id, cell);
    return setup({}).createMachine({});
  },
});
const echo = defineCell({
  type: 'echo',
  description: 'answers',
  machine: () =>
    setup({ types: { context: {} as { n: number } } }).createMachine({
      context: { n: 0 },
      on: { '*': { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    }),
  reply: (s) => ({ n: s.context.n }),
});

describe('circuit breakers and stigmergy', () => {
  const swarm = uniqueSwarm('res');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let nodes: NodeHost[] = [];
  let client: Transport;
  const events: Array<{ type?: string; from?: string; body?: unknown }> = [];

  beforeAll(async () => {
    client = await connectTest('client');
    client.tap(subjects.eventPattern(), (v) => events.push(v));
    await client.flush();
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['ra', 'rb'], [caller, echo]);
    nodes = testNodes.map((n) => n.node);
    await waitFor(() => nodes.every((n) => n.peers.alive().length === 2), { what: 'two nodes' });
    const control = createControlClient(client, swarm);
    // The breaker trips before the field's avoidance threshold is reached, so both can be seen.
    await control.configure({
      'breaker.failureThreshold': 2,
      'breaker.resetTimeoutMs': 200,
      'stigmergy.avoidStrength': 3,
    });
    await waitFor(async () => (await control.listNodes()).every((n) => n.configVersion > 0), {
      what: 'config applied',
    });
    await control.createAgent({ type: 'caller', id: 'caller-a', node: 'ra' });
    await control.createAgent({ type: 'caller', id: 'caller-b', node: 'rb' });
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('opens the circuit after repeated failures, fails fast while open, and closes after a good trial call', async () => {
    const a = contexts.get('caller-a') as CellContext;
    await expect(a.request('ghost', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    await expect(a.request('ghost', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    await expect(a.request('ghost', 'ping')).rejects.toBeInstanceOf(CircuitOpenError);
    await waitFor(() => events.some((e) => e.type === 'circuit.opened' && e.from === 'caller-a'), {
      what: 'circuit.opened',
    });
    expect(events.find((e) => e.type === 'circuit.opened')?.body).toMatchObject({ target: 'ghost', failures: 2 });
    await createControlClient(client, swarm).createAgent({ type: 'echo', id: 'ghost', node: 'rb' });
    await waitFor(() => events.some((e) => e.type === 'circuit.halfOpen' && e.from === 'caller-a'), {
      what: 'half-open',
    });
    expect(await a.request('ghost', 'ping')).toEqual({ n: 1 });
    await waitFor(() => events.some((e) => e.type === 'circuit.closed' && e.from === 'caller-a'), { what: 'closed' });
  });

  it('lets a second cell, on another node, avoid a dependency that others marked failing, before failing itself', async () => {
    const a = contexts.get('caller-a') as CellContext;
    const b = contexts.get('caller-b') as CellContext;
    // caller-a fails on 'gone' three times (its breaker opens after two; the marks go on).
    await expect(a.request('gone', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    await expect(a.request('gone', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    await waitFor(
      () => events.some((e) => e.type === 'circuit.halfOpen' && (e.body as { target?: string }).target === 'gone'),
      {
        what: 'half-open on gone',
      },
    );
    await expect(a.request('gone', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    const rb = nodes[1] as NodeHost;
    await waitFor(() => rb.fieldView.strength('unhealthy', 'gone') >= 2.5, { what: 'node rb sensing the marks' });
    await expect(b.request('gone', 'ping')).rejects.toBeInstanceOf(DependencyAvoidedError);
    const status = (await client.request(subjects.cellInbox('caller-b'), 'hms.status')) as {
      circuits?: Record<string, string>;
      errors: number;
    };
    expect(status.circuits?.gone).toBeUndefined();
  });

  it('lets an open circuit half-open on the reset timeout in force now, when it is lowered while open (a rollback)', async () => {
    const control = createControlClient(client, swarm);
    const a = contexts.get('caller-a') as CellContext;
    const { version: long } = await control.configure({ 'breaker.resetTimeoutMs': 60_000 });
    await waitFor(async () => (await control.listNodes()).every((n) => n.configVersion >= long), {
      what: 'the long reset applied',
    });
    await expect(a.request('ghost2', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    await expect(a.request('ghost2', 'ping', undefined, { timeout: 300 })).rejects.toBeInstanceOf(NoRespondersError);
    await expect(a.request('ghost2', 'ping')).rejects.toBeInstanceOf(CircuitOpenError);
    await control.createAgent({ type: 'echo', id: 'ghost2', node: 'rb' });
    // Opened under a 60 s reset; lowered to 200 ms, the next call after that is the trial call.
    const { version: short } = await control.configure({ 'breaker.resetTimeoutMs': 200 });
    await waitFor(async () => (await control.listNodes()).every((n) => n.configVersion >= short), {
      what: 'the short reset applied',
    });
    let answer: unknown;
    await waitFor(
      async () => {
        answer = await a.request('ghost2', 'ping').catch((err: unknown) => {
          if (err instanceof CircuitOpenError) return undefined;
          throw err;
        });
        return answer !== undefined;
      },
      { what: 'the trial call through, long before the 60 s reset it opened with', timeoutMs: 10_000 },
    );
    expect(answer).toEqual({ n: 1 });
    await waitFor(
      () => events.some((e) => e.type === 'circuit.closed' && (e.body as { target?: string }).target === 'ghost2'),
      { what: 'closed' },
    );
  });
});
