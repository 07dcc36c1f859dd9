import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { NotFoundError } from '../../src/errors.js';
import { CONTROL_SERVICE_NAME } from '../../src/services/control-service.js';
import { discoverServices, serviceStats } from '../../src/services/service-discovery.js';
import type { ServiceStats } from '../../src/services/service-protocol.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

/** Requests and errors of one endpoint, summed over the swarm's control-plane instances. */
function served(stats: ServiceStats[], endpoint: string): { requests: number; errors: number; lastErrors: string[] } {
  const es = stats.flatMap((s) => s.endpoints.filter((e) => e.name === endpoint));
  return {
    requests: es.reduce((n, e) => n + e.num_requests, 0),
    errors: es.reduce((n, e) => n + e.num_errors, 0),
    lastErrors: es.map((e) => e.last_error).filter(Boolean),
  };
}

describe('control service', () => {
  const swarm = uniqueSwarm();
  let nodes: TestNode[] = [];
  let client: Transport;
  // Other test files' nodes on the same server register hms-control too: keep to this swarm's.
  const ours = async () =>
    (await discoverServices(client, CONTROL_SERVICE_NAME, { timeoutMs: 300 })).filter(
      (s) => s.metadata.swarm === swarm,
    );
  const ourStats = async () =>
    (await serviceStats(client, CONTROL_SERVICE_NAME, { timeoutMs: 300 })).filter((s) => s.metadata.swarm === swarm);

  beforeAll(async () => {
    nodes = await startTestNodes(inject('natsUrl'), swarm, ['na', 'nb'], []);
    client = await connectTest('cli');
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  it("discovers every node's control plane as the service hms-control, one endpoint per ctl command", async () => {
    const found = await ours();
    expect(found.map((s) => s.metadata.node).sort()).toEqual(['na', 'nb']);
    for (const s of found) {
      expect(s).toMatchObject({ type: 'io.nats.micro.v1.info_response', name: 'hms-control', version: '0.1.0' });
      expect(s.description).toBe(`HMS control plane of node ${s.metadata.node} in swarm ${swarm}`);
      expect(s.endpoints).toContainEqual({
        name: 'agent-list',
        subject: `hms.${swarm}.ctl.agent.list`,
        queue_group: 'hms-ctl',
        metadata: { command: 'agent.list' },
      });
      expect(s.endpoints.map((e) => e.name)).toContain('evolve-status');
    }
  });

  it('counts the commands the nodes served, and the ones that failed, in STATS', async () => {
    const before = await ourStats();
    const control = createControlClient(client, swarm);
    for (let i = 0; i < 3; i++) await control.listNodes();
    await expect(control.agentStatus('nope')).rejects.toBeInstanceOf(NotFoundError);
    // Counters are fed after each reply is sent: wait until both commands show.
    await waitFor(
      async () => {
        const after = await ourStats();
        return (
          served(after, 'node-list').requests === served(before, 'node-list').requests + 3 &&
          served(after, 'agent-status').errors === served(before, 'agent-status').errors + 1
        );
      },
      { what: 'the counters of node.list and agent.status' },
    );
    expect(served(await ourStats(), 'agent-status').lastErrors).toContain('unknown cell id nope');
  });

  it('takes a stopped node out of discovery', async () => {
    const [, nb] = nodes;
    await nb?.node.stop();
    expect((await ours()).map((s) => s.metadata.node)).toEqual(['na']);
  });
});
