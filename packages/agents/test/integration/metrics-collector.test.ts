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
import { counterCell, metricsCollectorCell } from '../../src/index.js';

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

  it('keeps samples with per-cell counts and rates in the metrics history, queryable over the control plane', async () => {
    const control = createControlClient(client, swarm);
    const handledIn = async (n: number) =>
      (await control.queryMetrics({ cell: 'busy', limit: 50 })).some((s) => (s.cells[0]?.handled as number) >= n);
    for (let i = 0; i < 10; i++) await client.request(subjects.cellInbox('busy'), 'increment');
    await waitFor(() => handledIn(10), { what: 'a sample with 10 handled', timeoutMs: 10_000, everyMs: 100 });
    // A rate needs two samples: more work after the first one.
    for (let i = 0; i < 10; i++) await client.request(subjects.cellInbox('busy'), 'increment');
    await waitFor(
      async () =>
        (await control.queryMetrics({ cell: 'busy', limit: 50 })).some((s) => (s.cells[0]?.handled as number) >= 20),
      { what: 'a sample with 20 handled', timeoutMs: 10_000, everyMs: 100 },
    );
    const samples = await control.queryMetrics({ cell: 'busy', limit: 50 });
    expect(samples.every((s) => s.cells.every((c) => c.id === 'busy'))).toBe(true);
    expect(samples.some((s) => (s.cells[0]?.rate as number) > 0)).toBe(true);
    const latest = (await client.request(subjects.cellInbox('mc-1'), 'query')) as { cells: Array<{ id: string }> };
    expect(latest.cells.map((c) => c.id).sort()).toEqual(['busy', 'mc-1']);
    await expect(control.queryMetrics({ limit: 0 })).rejects.toThrow(/limit/);
  });
});
