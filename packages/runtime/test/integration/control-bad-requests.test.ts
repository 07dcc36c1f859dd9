import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const tally = defineCell({
  type: 'tally',
  description: 'does nothing',
  machine: () => createMachine({}),
});

describe('control plane', () => {
  const swarm = uniqueSwarm('ctl');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;

  beforeAll(async () => {
    t = await connectTest('k1');
    client = await connectTest('client');
    node = await createNode({
      nodeId: 'k1',
      swarm,
      transport: t,
      registry: new CellRegistry([tally]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    await waitFor(() => node.election().leader === 'k1', { what: 'a leader' });
  });
  afterAll(async () => {
    await node?.stop();
    await t?.close();
    await client?.close();
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'no.such'])(
    'answers ctl.%s with NotFoundError (regression: fuzzing found the names of Object.prototype taken as commands)',
    async (command) => {
      await expect(client.request(subjects.control(command), command, {})).rejects.toBeInstanceOf(NotFoundError);
    },
  );

  it.each([['abc'], [Number.POSITIVE_INFINITY], [{ 0: 'a' }]])(
    'refuses agent.create with dependsOn %s, naming dependsOn (regression: fuzzing found a string taken letter by letter as cell ids, and Infinity failing with a TypeError)',
    async (dependsOn) => {
      const create = client.request(subjects.control('agent.create'), 'agent.create', { type: 'tally', dependsOn });
      await expect(create).rejects.toBeInstanceOf(ValidationError);
      await expect(create).rejects.toMatchObject({ data: { field: 'dependsOn' } });
    },
  );
});
