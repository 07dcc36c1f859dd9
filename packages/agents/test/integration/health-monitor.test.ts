import {
  ALERT_LOG,
  createControlClient,
  createSilentLogger,
  createSubjects,
  EventLog,
  type NodeHost,
  type Transport,
} from '@hms/runtime';
import {
  connectTestTransport,
  startTestNodes,
  stopTestNodes,
  type TestNode,
  uniqueSwarm,
  waitFor,
} from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { healthMonitorCell } from '../../src/index.js';

describe('health-monitor', () => {
  const swarm = uniqueSwarm('hm');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let nodes: NodeHost[] = [];
  let client: Transport;
  const changes: Array<{ kind: string; id: string; from: string | null; to: string }> = [];

  beforeAll(async () => {
    client = await connectTestTransport(inject('natsUrl'), 'client');
    client.tap(subjects.eventPattern('health.changed'), (v) => changes.push(v.body as (typeof changes)[number]));
    await client.flush();
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['h1', 'h2', 'h3'], [healthMonitorCell]);
    nodes = testNodes.map((n) => n.node);
    await createControlClient(client, swarm).createAgent({
      type: 'health-monitor',
      id: 'hm-1',
      node: 'h1',
      config: { checkMs: 100 },
    });
    await waitFor(
      () => ['h1', 'h2', 'h3'].every((n) => changes.some((c) => c.kind === 'node' && c.id === n && c.to === 'alive')),
      {
        what: 'three nodes alive',
      },
    );
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('suspects a node whose connection was cut, and raises an alert kept in the alerts stream', async () => {
    // Cut h3's connection without a goodbye: its heartbeats just stop.
    await testNodes[2]?.transport.close();
    await waitFor(() => changes.some((c) => c.kind === 'node' && c.id === 'h3' && c.to === 'suspect'), {
      what: 'h3 suspect',
      timeoutMs: 15_000,
    });
    const report = (await client.request(subjects.cellInbox('hm-1'), 'report')) as {
      nodes: Record<string, { status: string; phi: number }>;
    };
    expect(report.nodes.h3?.status).toBe('suspect');
    expect(report.nodes.h3?.phi).toBeGreaterThanOrEqual(8);
    expect(report.nodes.h2?.status).toBe('alive');
    const alerts = await (await EventLog.open(client, swarm, ALERT_LOG, createSilentLogger())).recent();
    expect(alerts.map((a) => [a.type, a.body.kind, a.body.id, a.body.severity])).toContainEqual([
      'alert.raised',
      'node',
      'h3',
      'warning',
    ]);
  }, 30_000);

  it('sees a node that leaves gracefully as left at once, not as suspect', async () => {
    await nodes[1]?.stop();
    await waitFor(() => changes.some((c) => c.kind === 'node' && c.id === 'h2' && c.to === 'left'), {
      what: 'h2 left',
    });
    expect(changes.some((c) => c.id === 'h2' && c.to === 'suspect')).toBe(false);
  });
});
