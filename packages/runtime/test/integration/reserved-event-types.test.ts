import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { CodecError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const ticks = defineCell({
  type: 'ticks',
  queries: ['get'],
  description: 'counts ticks',
  topics: () => [{ event: 'tick' }],
  machine: () =>
    setup({ types: { context: {} as { n: number }, events: {} as { type: 'tick' } | { type: 'get' } } }).createMachine({
      context: { n: 0 },
      on: { tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    }),
  reply: (s) => ({ n: s.context.n }),
});

describe('event types reserved by XState', () => {
  const swarm = uniqueSwarm('rsv');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;

  beforeAll(async () => {
    t = await connectTest('r1');
    client = await connectTest('client');
    node = await createNode({
      nodeId: 'r1',
      swarm,
      transport: t,
      registry: new CellRegistry([ticks]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    await waitFor(() => node.election().leader === 'r1', { what: 'a leader' });
    await createControlClient(client, swarm).createAgent({ type: 'ticks', id: 'k1' });
  });
  afterAll(async () => {
    await node?.stop();
    await t?.close();
    await client?.close();
  });

  it.each(['*', 'xstate.init', 'xstate.done.actor.child'])(
    'drops %s on a topic and refuses it in the inbox, counted malformed, without crashing the cell (regression: a fuzzed hms-type * crashed the health monitor)',
    async (type) => {
      const before = t.stats.malformed;
      client.publish(subjects.event('tick', 'someone'), type, {});
      await expect(client.request(subjects.cellInbox('k1'), type, {})).rejects.toBeInstanceOf(CodecError);
      expect(t.stats.malformed).toBe(before + 2);
      const health = node
        .cells()
        .find((c) => c.id === 'k1')
        ?.health();
      expect(health).toMatchObject({ status: 'running', restarts: 0 });
      expect(await client.request(subjects.cellInbox('k1'), 'get')).toEqual({ n: 0 });
    },
  );
});
