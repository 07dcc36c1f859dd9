import { headers as createHeaders } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { createSilentLogger } from '../../src/logger.js';
import { LIFECYCLE_EVENT } from '../../src/node/lifecycle-events.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { CONTENT_TYPE, getCodec } from '../../src/transport/codec.js';
import { HEADER } from '../../src/transport/headers.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const tally = defineCell({
  type: 'tally',
  queries: ['get'],
  description: 'counts adds',
  machine: () =>
    setup({ types: { context: {} as { n: number }, events: {} as { type: 'add' } | { type: 'get' } } }).createMachine({
      context: { n: 0 },
      on: { add: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    }),
  reply: (s) => ({ n: s.context.n }),
});

describe('heal requests', () => {
  const swarm = uniqueSwarm('heal');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;

  beforeAll(async () => {
    t = await connectTest('h1');
    client = await connectTest('client');
    node = await createNode({
      nodeId: 'h1',
      swarm,
      transport: t,
      registry: new CellRegistry([tally]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    await waitFor(() => node.election().leader === 'h1', { what: 'a leader' });
    await createControlClient(client, swarm).createAgent({ type: 'tally', id: 'hb1' });
  });
  afterAll(async () => {
    await node?.stop();
    await t?.close();
    await client?.close();
  });

  it('restart a cell once for a burst of requests, leaving one copy (regression: a burst of heal.requested found by fuzzing started a copy per request, and the orphans kept answering its inbox)', async () => {
    const restartsBefore =
      node
        .cells()
        .find((c) => c.id === 'hb1')
        ?.health().restarts ?? 0;
    for (let i = 0; i < 5; i++) {
      client.publish(subjects.event(LIFECYCLE_EVENT.healRequested, 'hb1'), LIFECYCLE_EVENT.healRequested, {
        by: 'test',
      });
    }
    await client.flush();
    await waitFor(
      () => {
        const cell = node.cells().find((c) => c.id === 'hb1');
        return cell?.status() === 'running' && cell.health().restarts > restartsBefore;
      },
      { what: 'the restarted cell' },
    );
    // Count the answers to one `get`: every copy subscribed to the inbox answers. The node's
    // answer to a later request on the same connection comes after every copy's answer.
    const inbox = `_INBOX.heal-${swarm}`;
    let answers = 0;
    const sub = client.nc.subscribe(inbox, {
      callback: () => {
        answers++;
      },
    });
    const h = createHeaders();
    h.set(HEADER.type, 'get');
    h.set(HEADER.contentType, CONTENT_TYPE.msgpack);
    client.nc.publish(subjects.cellInbox('hb1'), getCodec('msgpack').encode(undefined), { headers: h, reply: inbox });
    await client.request(subjects.nodeCommand('h1', 'cells'), 'cells', {});
    await client.flush();
    sub.unsubscribe();
    expect(answers).toBe(1);
  });
});
