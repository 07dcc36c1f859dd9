import {
  ALERT_LOG,
  CellRegistry,
  createControlClient,
  createNode,
  createSilentLogger,
  createSubjects,
  EventLog,
  type NodeHost,
  type Transport,
} from '@hms/runtime';
import { connectTestTransport, uniqueSwarm, waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { healthMonitorCell } from '../../src/index.js';

describe('health-monitor', () => {
  const swarm = uniqueSwarm('hm');
  const subjects = createSubjects(swarm);
  const transports: Transport[] = [];
  const nodes: NodeHost[] = [];
  let client: Transport;
  const changes: Array<{ kind: string; id: string; from: string | null; to: string }> = [];

  beforeAll(async () => {
    client = await connectTestTransport(inject('natsUrl'), 'client');
    client.tap(subjects.eventPattern('health.changed'), (v) => changes.push(v.body as (typeof changes)[number]));
    await client.flush();
    for (const id of ['h1', 'h2', 'h3']) {
      const t = await connectTestTransport(inject('natsUrl'), id);
      transports.push(t);
      nodes.push(
        await createNode({
          nodeId: id,
          swarm,
          transport: t,
          registry: new CellRegistry([healthMonitorCell]),
          logger: createSilentLogger(),
          heartbeatMs: 100,
        }),
      );
    }
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
    await nodes[0]?.stop();
    await nodes[1]?.stop();
    for (const t of [...transports, client]) await t.close();
  });

  it('suspects a node whose connection was cut, and raises an alert kept in the alerts stream', async () => {
    // Cut h3's connection without a goodbye: its heartbeats just stop.
    await transports[2]?.close();
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
