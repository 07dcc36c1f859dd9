import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { CellRegistry } from '../../src/cell/cell-registry.js';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { createSilentLogger } from '../../src/logger.js';
import { createNode, type NodeHost } from '../../src/node/node-host.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

const quiet = defineCell({
  type: 'quiet',
  description: 'x',
  queries: ['poke'],
  machine: () => setup({}).createMachine({}),
});

describe('metrics', () => {
  const swarm = uniqueSwarm('m');
  let t: Transport;
  let node: NodeHost;

  beforeAll(async () => {
    t = await connectTest('m1');
    node = await createNode({
      nodeId: 'm1',
      swarm,
      transport: t,
      registry: new CellRegistry([quiet]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
      metricsPort: 0,
    });
    await waitFor(() => node.peers.alive().length === 1, { what: 'node alive' });
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
  });

  it('serves Prometheus text with per-cell metrics on /metrics', async () => {
    await createControlClient(t, swarm).createAgent({ type: 'quiet', id: 'q1' });
    const subjects = createSubjects(swarm);
    for (let i = 0; i < 3; i++) await t.request(subjects.cellInbox('q1'), 'poke');
    const url = node.metrics?.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE hms_cell_messages_handled_total counter');
    expect(text).toMatch(/hms_cell_messages_handled_total\{[^}]*cell="q1"[^}]*\} 3/);
    expect(text).toMatch(/hms_cell_up\{[^}]*cell="q1"[^}]*\} 1/);
    expect(text).toContain('# TYPE hms_cell_request_duration_seconds histogram');
    expect(text).toMatch(/hms_cell_request_duration_seconds_count\{[^}]*cell="q1"[^}]*\} 3/);
    expect(text).toMatch(/hms_peer_phi\{[^}]*peer="m1"[^}]*\} /);
    expect(text).toContain('hms_process_resident_memory_bytes');
  });

  it('answers anything but /metrics with 404', async () => {
    const res = await fetch(String(node.metrics?.url).replace('/metrics', '/'));
    expect(res.status).toBe(404);
  });

  it('shows the metrics URL in the node list', async () => {
    const nodes = await createControlClient(t, swarm).listNodes();
    expect(nodes[0]?.metricsUrl).toBe(node.metrics?.url);
  });
});
