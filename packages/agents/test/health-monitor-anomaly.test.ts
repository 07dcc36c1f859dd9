import { createPhiDetector, type NodeHeartbeat } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { AnomalyWatch } from '../src/health-monitor/anomaly-watch.js';
import { healthMonitorCell } from '../src/health-monitor/health-monitor.cell.js';
import { createHealthMonitorMachine } from '../src/health-monitor/health-monitor.machine.js';

/** A heartbeat of node n1 whose one busy cell `echo-1` answered with `latencyMs`. */
function beat(seq: number, latencyMs: number, lagMs = 3): { type: 'heartbeat' } & NodeHeartbeat {
  return {
    type: 'heartbeat',
    node: 'n1',
    ts: 1_000 + seq * 100,
    seq,
    leaving: false,
    eventLoopLagMs: lagMs,
    cells: [],
    busiest: [
      {
        id: 'echo-1',
        type: 'echo',
        status: 'running',
        handled: seq * 10,
        errors: 0,
        mailbox: 0,
        restarts: 0,
        rate: 100,
        latencyMs,
      },
    ],
  } as unknown as { type: 'heartbeat' } & NodeHeartbeat;
}

function start(snapshot?: ReturnType<ReturnType<typeof createActor>['getPersistedSnapshot']>) {
  let t = 0;
  const actor = createActor(
    createHealthMonitorMachine(
      { suspectPhi: 8, checkMs: 60_000, anomaly: {} },
      createPhiDetector(),
      new AnomalyWatch(),
      { now: () => t, setTimeout: () => 0, clearTimeout: () => undefined },
    ),
    snapshot ? { snapshot } : {},
  ).start();
  const emitted: Array<{ type: string } & Record<string, unknown>> = [];
  actor.on('*', (e) => emitted.push(e as never));
  const send = (e: ReturnType<typeof beat>) => {
    t += 100;
    actor.send(e);
  };
  return { actor, emitted, send };
}

describe('health monitor anomalies', () => {
  it('publishes a latency spike of a cell as anomaly.detected, an alert and degraded health, until it ends', () => {
    const { actor, emitted, send } = start();
    for (let i = 0; i < 30; i++) send(beat(i, 1 + (i % 3) * 0.2));
    expect(emitted.filter((e) => e.type !== 'health.changed' || e.kind !== 'node')).toEqual([]);
    send(beat(30, 200));
    send(beat(31, 205));
    expect(emitted.filter((e) => e.type === 'anomaly.detected')).toEqual([]);
    send(beat(32, 210));
    const anomaly = emitted.find((e) => e.type === 'anomaly.detected');
    expect(anomaly).toMatchObject({ kind: 'cell', id: 'echo-1', metric: 'latencyMs', value: 210 });
    expect(anomaly?.baseline).toBeCloseTo(1.2, 1);
    expect(anomaly?.score as number).toBeGreaterThan(6);
    expect(emitted).toContainEqual(
      expect.objectContaining({ type: 'alert.raised', severity: 'warning', kind: 'cell', id: 'echo-1' }),
    );
    expect(emitted).toContainEqual(
      expect.objectContaining({ type: 'health.changed', kind: 'cell', id: 'echo-1', from: 'running', to: 'degraded' }),
    );
    expect(Object.keys(actor.getSnapshot().context.anomalies ?? {})).toEqual(['cell:echo-1:latencyMs']);
    send(beat(33, 220));
    expect(emitted.filter((e) => e.type === 'anomaly.detected')).toHaveLength(1);
    send(beat(34, 1.2));
    expect(emitted.at(-1)).toEqual({
      type: 'health.changed',
      kind: 'cell',
      id: 'echo-1',
      from: 'degraded',
      to: 'running',
    });
    expect(actor.getSnapshot().context.anomalies).toEqual({});
  });

  it('keeps an anomaly restored from a snapshot while the rebuilt detectors warm up, then ends it', () => {
    const first = start();
    for (let i = 0; i < 30; i++) first.send(beat(i, 1));
    for (let i = 30; i < 33; i++) first.send(beat(i, 200));
    const snapshot = first.actor.getPersistedSnapshot();
    first.actor.stop();
    expect(JSON.stringify(snapshot)).toContain('cell:echo-1:latencyMs');

    const { actor, emitted, send } = start(snapshot);
    for (let i = 33; i < 43; i++) send(beat(i, 1));
    expect(emitted.filter((e) => e.type === 'health.changed' && e.kind === 'cell')).toEqual([]);
    expect(Object.keys(actor.getSnapshot().context.anomalies ?? {})).toEqual(['cell:echo-1:latencyMs']);
    send(beat(43, 1));
    expect(emitted).toContainEqual({
      type: 'health.changed',
      kind: 'cell',
      id: 'echo-1',
      from: 'degraded',
      to: 'running',
    });
    expect(actor.getSnapshot().context.anomalies).toEqual({});
  });

  it('finds nothing in a steady swarm', () => {
    const { emitted, send } = start();
    for (let i = 0; i < 500; i++) send(beat(i, 1 + (i % 7) * 0.3, 2 + (i % 5)));
    expect(emitted.filter((e) => e.type === 'anomaly.detected' || e.type === 'alert.raised')).toEqual([]);
  });

  it('keeps the detectors out of the snapshot, which stays small however many cells were seen', () => {
    const { actor, send } = start();
    for (let i = 0; i < 200; i++) {
      const b = beat(i, 1);
      b.busiest = Array.from({ length: 10 }, (_, k) => ({
        ...(b.busiest[0] as NodeHeartbeat['busiest'][0]),
        id: `c-${i}-${k}`,
      }));
      send(b);
    }
    // 2,000 cells seen: their detector state lives natively, not in the persisted context.
    expect(JSON.stringify(actor.getSnapshot().context).length).toBeLessThan(300);
  });

  it('takes anomaly settings in its config and refuses bad ones, naming the field', () => {
    expect(healthMonitorCell.config({ anomaly: { threshold: 4, windowSize: 30 } })).toMatchObject({
      anomaly: { threshold: 4, windowSize: 30 },
    });
    const bad: Array<[unknown, string]> = [
      [{ anomaly: 'on' }, 'anomaly'],
      [{ anomaly: { minMad: 1 } }, 'anomaly.minMad'],
      [{ anomaly: { threshold: '6' } }, 'anomaly.threshold'],
      [{ anomaly: { threshold: -1 } }, 'anomaly.threshold'],
      [{ anomaly: { windowSize: 10, warmUp: 20 } }, 'anomaly.warmUp'],
    ];
    for (const [raw, field] of bad) {
      let err: unknown;
      try {
        healthMonitorCell.config(raw);
      } catch (e) {
        err = e;
      }
      expect((err as { name?: string }).name, JSON.stringify(raw)).toBe('ValidationError');
      expect((err as { data?: { field?: string } }).data?.field).toBe(field);
    }
  });
});
