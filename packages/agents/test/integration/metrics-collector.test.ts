import {
  CellRegistry,
  createControlClient,
  createNode,
  createSilentLogger,
  createSubjects,
  type NodeHost,
  type Transport,
} from '@hms/runtime';
import { connectTestTransport, uniqueSwarm, waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { counterCell, type MetricsSample, metricsCollectorCell } from '../../src/index.js';

describe('metrics-collector', () => {
  const swarm = uniqueSwarm('mc');
  const subjects = createSubjects(swarm);
  let t: Transport;
  let client: Transport;
  let node: NodeHost;

  beforeAll(async () => {
    t = await connectTestTransport(inject('natsUrl'), 'm1');
    client = await connectTestTransport(inject('natsUrl'), 'client');
    node = await createNode({
      nodeId: 'm1',
      swarm,
      transport: t,
      registry: new CellRegistry([counterCell, metricsCollectorCell]),
      logger: createSilentLogger(),
      heartbeatMs: 100,
    });
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'counter', id: 'busy' });
    await control.createAgent({ type: 'metrics-collector', id: 'mc-1', config: { sampleMs: 200 } });
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
    await client.close();
  });

  it('keeps samples with per-node counts and message rates in the metrics history, queryable over the control plane', async () => {
    const control = createControlClient(client, swarm);
    type Node = { node: string; rate: number; totals: { handled: number }; counts: Record<string, number> };
    const m1 = async () =>
      (await control.queryMetrics({ limit: 50 })).map((s) => (s.nodes as Node[]).find((n) => n.node === 'm1'));
    for (let i = 0; i < 10; i++) await client.request(subjects.cellInbox('busy'), 'increment');
    await waitFor(async () => (await m1()).some((n) => (n?.totals.handled ?? 0) >= 10), {
      what: 'a sample with 10 handled on m1',
      timeoutMs: 10_000,
      everyMs: 100,
    });
    // A rate needs two samples: more work after the first one.
    for (let i = 0; i < 10; i++) await client.request(subjects.cellInbox('busy'), 'increment');
    await waitFor(async () => (await m1()).some((n) => (n?.totals.handled ?? 0) >= 20), {
      what: 'a sample with 20 handled on m1',
      timeoutMs: 10_000,
      everyMs: 100,
    });
    const samples = await m1();
    expect(samples.some((n) => (n?.rate ?? 0) > 0)).toBe(true);
    expect(samples.at(-1)?.counts).toEqual({ running: 2 });
    const latest = (await client.request(subjects.cellInbox('mc-1'), 'query')) as MetricsSample;
    expect(latest.nodes.map((n) => [n.node, n.cells])).toEqual([['m1', 2]]);
    expect(Array.isArray(latest.busiest)).toBe(true);
    await expect(control.queryMetrics({ limit: 0 })).rejects.toThrow(/limit/);
  });
});
