import { createPhiDetector } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { AnomalyWatch } from '../src/health-monitor/anomaly-watch.js';
import { createHealthMonitorMachine, type HealthChanged } from '../src/index.js';
import { type SimulatedNode, simulatedSwarm } from './fixtures/simulated-node.js';

/** A health monitor on a simulated clock, with the cell changes it emitted. */
function startMonitor() {
  const clock = new SimulatedClock();
  const machine = createHealthMonitorMachine(
    { suspectPhi: 8, checkMs: 500, anomaly: {} },
    createPhiDetector(),
    new AnomalyWatch(),
    clock,
  );
  const actor = createActor(machine, { clock }).start();
  const changes: Array<Omit<HealthChanged, 'type'>> = [];
  actor.on('health.changed', ({ type: _t, ...change }) => {
    if (change.kind === 'cell') changes.push(change);
  });
  const beat = (nodes: SimulatedNode[], work: (n: SimulatedNode) => void = () => {}) => {
    clock.increment(1000);
    for (const n of nodes) {
      work(n);
      actor.send(n.heartbeat(clock.now()));
    }
  };
  return { actor, changes, beat };
}

const setStatus = (n: SimulatedNode, i: number, status: string) => {
  (n.cells[i] as { status: string }).status = status;
};

describe('health-monitor machine', () => {
  it('keeps a persisted snapshot under 64 KiB with 10,000 cells over 3 nodes, some of them crashing', () => {
    const m = startMonitor();
    const nodes = simulatedSwarm(10_000, 3);
    let largest = 0;
    for (let s = 0; s < 10; s++) {
      m.beat(nodes, (n) => {
        for (let i = s * 10; i < s * 10 + 10; i++) setStatus(n, i, 'crashed');
      });
      largest = Math.max(largest, Buffer.byteLength(JSON.stringify(m.actor.getPersistedSnapshot())));
    }
    expect(Object.keys(m.actor.getSnapshot().context.cells).length).toBe(3 * 100);
    expect(largest).toBeLessThan(64 * 1024);
  });

  it('keeps only the cells that are not running, and tells when one is running again', () => {
    const m = startMonitor();
    const [n1, n2] = simulatedSwarm(20, 2) as [SimulatedNode, SimulatedNode];
    m.beat([n1, n2]);
    expect(m.changes.filter((c) => c.to === 'running').length).toBe(20);
    expect(m.actor.getSnapshot().context.cells).toEqual({});
    m.beat([n1], () => {
      setStatus(n1, 3, 'crashed');
      setStatus(n1, 4, 'failed');
    });
    expect(m.actor.getSnapshot().context.cells).toEqual({
      'n1-c3': { status: 'crashed', node: 'n1' },
      'n1-c4': { status: 'failed', node: 'n1' },
    });
    m.beat([n1], () => setStatus(n1, 3, 'running'));
    expect(m.actor.getSnapshot().context.cells).toEqual({ 'n1-c4': { status: 'failed', node: 'n1' } });
    expect(m.changes.slice(-3)).toEqual([
      { kind: 'cell', id: 'n1-c3', from: null, to: 'crashed' },
      { kind: 'cell', id: 'n1-c4', from: null, to: 'failed' },
      { kind: 'cell', id: 'n1-c3', from: 'crashed', to: 'running' },
    ]);
    // A later heartbeat of n1 still names the failed cell, so nothing new is emitted.
    m.beat([n1, n2]);
    expect(m.changes.length).toBe(23);
  });

  it('forgets the cells of a node that no longer names them (destroyed or moved) or that left', () => {
    const m = startMonitor();
    const [n1, n2] = simulatedSwarm(20, 2) as [SimulatedNode, SimulatedNode];
    m.beat([n1, n2], () => {
      setStatus(n1, 0, 'crashed');
      setStatus(n2, 0, 'failed');
    });
    expect(Object.keys(m.actor.getSnapshot().context.cells).sort()).toEqual(['n1-c0', 'n2-c0']);
    m.beat([n1], () => n1.cells.shift());
    expect(Object.keys(m.actor.getSnapshot().context.cells)).toEqual(['n2-c0']);
    m.actor.send(n2.heartbeat(5000, { leaving: true }));
    expect(m.actor.getSnapshot().context.cells).toEqual({});
    expect(m.actor.getSnapshot().context.nodes.n2?.status).toBe('left');
  });

  it('reads heartbeats of a node of the previous version, which list every cell every time', () => {
    const m = startMonitor();
    const [n1] = simulatedSwarm(10, 1) as [SimulatedNode];
    const legacy = () => {
      const { counts: _c, totals: _t, busiest: _b, ...hb } = n1.heartbeat(0);
      m.actor.send({ ...hb, cells: n1.cells, truncated: false } as Parameters<typeof m.actor.send>[0]);
    };
    legacy();
    setStatus(n1, 2, 'crashed');
    legacy();
    setStatus(n1, 2, 'running');
    legacy();
    legacy();
    expect(m.changes).toEqual([
      { kind: 'cell', id: 'n1-c2', from: null, to: 'crashed' },
      { kind: 'cell', id: 'n1-c2', from: 'crashed', to: 'running' },
    ]);
    expect(m.actor.getSnapshot().context.cells).toEqual({});
  });

  it('raises one alert when a node starts reporting overload, and another when it does again after recovering', () => {
    const m = startMonitor();
    const alerts: string[] = [];
    m.actor.on('alert.raised', (a) => alerts.push(`${a.id}: ${a.reason}`));
    const [n1] = simulatedSwarm(10, 1) as [SimulatedNode];
    const overload = {
      since: 0,
      reasons: ['store-latency'],
      storeLatencyMs: 800,
      storeQueued: 40,
      eventLoopLagMs: 12,
    };
    const send = (o: typeof overload | null) => m.actor.send(n1.heartbeat(0, { overload: o }));
    send(null);
    send(overload);
    send(overload);
    expect(m.actor.getSnapshot().context.nodes.n1?.overload).toEqual(['store-latency']);
    send(null);
    expect(m.actor.getSnapshot().context.nodes.n1?.overload).toBeNull();
    send(overload);
    expect(alerts).toEqual([
      'n1: node overloaded: store-latency (store writes p90 800 ms, event-loop lag 12 ms)',
      'n1: node overloaded: store-latency (store writes p90 800 ms, event-loop lag 12 ms)',
    ]);
  });

  it('keeps scoring nodes after a restore from its persisted snapshot, so a silent node is still suspected', () => {
    const m = startMonitor();
    const [n1, n2] = simulatedSwarm(10, 2) as [SimulatedNode, SimulatedNode];
    for (let s = 0; s < 5; s++) m.beat([n1, n2]);
    const saved = JSON.parse(JSON.stringify(m.actor.getPersistedSnapshot()));
    m.actor.stop();
    const clock = new SimulatedClock();
    clock.set(10_000);
    const detector = createPhiDetector({ minStdDevMs: 100, acceptablePauseMs: 1000 });
    const machine = createHealthMonitorMachine(
      { suspectPhi: 8, checkMs: 500, anomaly: {} },
      detector,
      new AnomalyWatch(),
      clock,
    );
    const restored = createActor(machine, { clock, snapshot: saved }).start();
    const suspects: string[] = [];
    restored.on('health.changed', (c) => {
      if (c.to === 'suspect') suspects.push(c.id);
    });
    for (let s = 0; s < 40; s++) {
      clock.increment(1000);
      restored.send(n1.heartbeat(clock.now()));
      if (s < 20) restored.send(n2.heartbeat(clock.now()));
    }
    expect(suspects).toEqual(['n2']);
  });
});
