import {
  ALERT_LOG,
  createControlClient,
  createSilentLogger,
  createSubjects,
  EventLog,
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
import { builtinCells } from '../../src/index.js';

/** How long the steady swarm is watched, in millis: 20 s, or HMS_ANOMALY_STEADY_MS (e.g. 60000). */
const STEADY_MS = Number(process.env.HMS_ANOMALY_STEADY_MS ?? 20_000);
/** Requests to the echo cell per second, each on its own (they overlap when it is slow). */
const REQUESTS_PER_SECOND = 40;

type Anomaly = { kind: string; id: string; metric: string; value: number; baseline: number; score: number };

describe('anomaly detection', () => {
  const swarm = uniqueSwarm('anom');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;
  let load: NodeJS.Timeout | undefined;
  const anomalies: Anomaly[] = [];
  const changes: Array<{ kind: string; id: string; from: string | null; to: string }> = [];
  let answered = 0;
  /** Heartbeats of a2 that gave echo-1's request latency: what the monitor scored. */
  let timedBeats = 0;

  beforeAll(async () => {
    client = await connectTestTransport(inject('natsUrl'), 'client');
    client.tap(subjects.eventPattern('anomaly.detected'), (v) => anomalies.push(v.body as Anomaly));
    client.tap(subjects.eventPattern('health.changed'), (v) => changes.push(v.body as (typeof changes)[number]));
    client.tap(subjects.heartbeat('a2'), (v) => {
      const busiest = (v.body as { busiest?: Array<{ id: string; latencyMs?: number }> }).busiest ?? [];
      if (busiest.some((c) => c.id === 'echo-1' && c.latencyMs !== undefined)) timedBeats++;
    });
    await client.flush();
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['a1', 'a2'], builtinCells);
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'health-monitor', id: 'hm-1', node: 'a1', config: { checkMs: 100 } });
    await control.createAgent({ type: 'echo', id: 'echo-1', node: 'a2' });
    load = setInterval(() => {
      client.request(subjects.cellInbox('echo-1'), 'say', { at: Date.now() }, { timeout: 5_000 }).then(
        () => {
          answered++;
        },
        () => undefined,
      );
    }, 1000 / REQUESTS_PER_SECOND);
    load.unref();
    // Warm: the monitor has seen enough of echo-1's latency to score it (warm-up 10 heartbeats).
    await waitFor(() => answered >= REQUESTS_PER_SECOND * 2, { what: 'two seconds of steady load', timeoutMs: 15_000 });
  });
  afterAll(async () => {
    clearInterval(load);
    await stopTestNodes(testNodes);
    await client.close();
  });

  it(
    `finds no anomaly in a steady swarm under steady load over ${STEADY_MS / 1000} s`,
    async () => {
      // The window is counted in heartbeats scored (100 ms apart), not in time slept.
      const from = timedBeats;
      await waitFor(() => timedBeats - from >= STEADY_MS / 100, {
        what: `${STEADY_MS / 100} heartbeats with echo-1's latency`,
        timeoutMs: STEADY_MS * 2,
      });
      expect(anomalies).toEqual([]);
      expect(changes.filter((c) => c.to === 'degraded')).toEqual([]);
    },
    STEADY_MS + 30_000,
  );

  it('finds a latency spike injected into echo within seconds: anomaly.detected, an alert, degraded health', async () => {
    await client.request(subjects.cellInbox('echo-1'), 'delay', { ms: 150 });
    const injected = Date.now();
    await waitFor(() => anomalies.some((a) => a.id === 'echo-1' && a.metric === 'latencyMs'), {
      what: 'an anomaly in the latency of echo-1',
      timeoutMs: 10_000,
    });
    const delayMs = Date.now() - injected;
    const found = anomalies.find((a) => a.id === 'echo-1' && a.metric === 'latencyMs') as Anomaly;
    expect(found).toMatchObject({ kind: 'cell', id: 'echo-1' });
    expect(found.value).toBeGreaterThanOrEqual(140);
    expect(found.baseline).toBeLessThan(50);
    expect(found.score).toBeGreaterThanOrEqual(6);
    expect(delayMs).toBeLessThan(5_000);
    expect(changes).toContainEqual({
      kind: 'cell',
      id: 'echo-1',
      from: 'running',
      to: 'degraded',
      reason: expect.stringContaining('latencyMs'),
    });
    const log = await EventLog.open(client, swarm, ALERT_LOG, createSilentLogger());
    await waitFor(
      async () => {
        const kept = await log.recent(50);
        return (
          kept.some((a) => a.type === 'anomaly.detected' && a.body.id === 'echo-1') &&
          kept.some((a) => a.type === 'alert.raised' && a.body.id === 'echo-1' && a.body.severity === 'warning')
        );
      },
      { what: 'the anomaly and its alert in the alerts stream' },
    );
    const report = (await client.request(subjects.cellInbox('hm-1'), 'report')) as {
      anomalies: Record<string, Anomaly>;
    };
    expect(Object.keys(report.anomalies)).toContain('cell:echo-1:latencyMs');
  }, 30_000);
});
