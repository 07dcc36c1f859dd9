import { builtinCells } from '@hms/agents';
import { createControlClient, createSubjects, type Transport } from '@hms/runtime';
import {
  connectTestTransport,
  startTestNodes,
  stopTestNodes,
  type TestNode,
  uniqueSwarm,
  waitFor,
} from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHms } from '../fixtures/run-hms.js';

describe('hms monitor alerts with anomalies', () => {
  const swarm = uniqueSwarm('anomcli');
  const subjects = createSubjects(swarm);
  const env = { NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  let testNodes: TestNode[] = [];
  let client: Transport;
  let load: NodeJS.Timeout | undefined;
  let answered = 0;

  beforeAll(async () => {
    client = await connectTestTransport(inject('natsUrl'), 'client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['m1'], builtinCells);
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'health-monitor', id: 'hm-1', node: 'm1', config: { checkMs: 100 } });
    await control.createAgent({ type: 'echo', id: 'echo-1', node: 'm1' });
    load = setInterval(() => {
      client.request(subjects.cellInbox('echo-1'), 'say', {}, { timeout: 5_000 }).then(
        () => {
          answered++;
        },
        () => undefined,
      );
    }, 25);
    load.unref();
    await waitFor(() => answered >= 80, { what: 'two seconds of steady load', timeoutMs: 15_000 });
  });
  afterAll(async () => {
    clearInterval(load);
    await stopTestNodes(testNodes);
    await client.close();
  });

  it("prints an echo cell's latency anomaly and its warning", async () => {
    await client.request(subjects.cellInbox('echo-1'), 'delay', { ms: 150 });
    let out = '';
    await waitFor(
      async () => {
        out = (await runHms(['monitor', 'alerts'], env)).stdout;
        return out.includes('anomaly.detected') && out.includes('alert.raised');
      },
      { what: 'the anomaly in hms monitor alerts', timeoutMs: 20_000, everyMs: 500 },
    );
    expect(out).toMatch(/anomaly\.detected .*: cell echo-1 latencyMs \d+(\.\d+)? \(baseline [\d.]+, score [\d.]+\)/);
    expect(out).toMatch(/alert\.raised .*: anomaly: latencyMs \d+(\.\d+)? against a baseline of [\d.]+/);
  }, 40_000);
});
