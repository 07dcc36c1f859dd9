import { createPhiDetector, systemClock } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { AnomalyWatch } from '../src/health-monitor/anomaly-watch.js';
import { createHealthMonitorMachine } from '../src/health-monitor/health-monitor.machine.js';

describe('health monitor degraded reports', () => {
  const start = () => {
    const actor = createActor(
      createHealthMonitorMachine(
        { suspectPhi: 8, checkMs: 60_000, anomaly: {} },
        createPhiDetector(),
        new AnomalyWatch(),
        systemClock,
      ),
    ).start();
    const emitted: Array<{ type: string } & Record<string, unknown>> = [];
    actor.on('*', (e) => emitted.push(e as never));
    return { actor, emitted };
  };

  it('marks what a cell reports degraded and raises one warning until it recovers', () => {
    const { actor, emitted } = start();
    actor.send({ type: 'health.degraded', from: 'probe-1', reason: 'http://x: no answer within 150 ms' });
    actor.send({ type: 'health.degraded', from: 'probe-1', reason: 'http://x: ECONNREFUSED' });
    expect(actor.getSnapshot().context.degraded?.['probe-1']).toMatchObject({
      reason: 'http://x: ECONNREFUSED',
      by: 'probe-1',
    });
    expect(emitted).toEqual([
      { type: 'health.changed', kind: 'probe', id: 'probe-1', from: 'healthy', to: 'degraded' },
      {
        type: 'alert.raised',
        severity: 'warning',
        kind: 'probe',
        id: 'probe-1',
        reason: 'http://x: no answer within 150 ms',
      },
    ]);
    actor.send({ type: 'health.recovered', from: 'probe-1' });
    expect(actor.getSnapshot().context.degraded).toEqual({});
    expect(emitted.at(-1)).toEqual({
      type: 'health.changed',
      kind: 'probe',
      id: 'probe-1',
      from: 'degraded',
      to: 'healthy',
    });
    actor.stop();
  });

  it('names what is degraded by id when the reporter watches something else, and ignores an unknown recovery', () => {
    const { actor, emitted } = start();
    actor.send({ type: 'health.recovered', from: 'probe-9' });
    actor.send({ type: 'health.degraded', from: 'probe-2', id: 'payments-api', reason: 'HTTP 503' });
    expect(Object.keys(actor.getSnapshot().context.degraded ?? {})).toEqual(['payments-api']);
    expect(emitted.map((e) => e.type)).toEqual(['health.changed', 'alert.raised']);
    actor.stop();
  });
});
