import { describe, expect, it } from 'vitest';
import { ObservationWindow } from '../src/index.js';
import { type SimulatedNode, simulatedSwarm } from './fixtures/simulated-node.js';

describe('ObservationWindow', () => {
  it('takes the healthy fraction from the counts of every node, not from the cells a heartbeat lists', () => {
    const window = new ObservationWindow();
    const [n1, n2] = simulatedSwarm(2_000, 2) as [SimulatedNode, SimulatedNode];
    for (let i = 0; i < 100; i++) (n2.cells[i] as { status: string }).status = 'crashed';
    window.add(n1.heartbeat(1000));
    window.add(n2.heartbeat(1000));
    // Later heartbeats name only the 100 crashed cells; the 1,900 running ones still count.
    window.add(n1.heartbeat(2000));
    window.add(n2.heartbeat(2000));
    expect(window.healthyFraction()).toBeCloseTo(0.95, 12);
    expect(window.calibration(0, 3000, {}).cells).toBe(2_000);
  });

  it('takes the crash rate from the restarts totals', () => {
    const window = new ObservationWindow();
    const [node] = simulatedSwarm(100, 1) as [SimulatedNode];
    for (let s = 1; s <= 11; s++) {
      // Two restarts a second somewhere among 100 cells.
      for (const i of [s % 100, (s + 50) % 100]) (node.cells[i] as { restarts: number }).restarts += 1;
      window.add(node.heartbeat(s * 1000));
    }
    expect(window.calibration(0, 12_000, {}).crashRate).toBeCloseTo(2 / 100, 12);
  });

  it('gives the model the crash figures of a called cell that crashes again and again, from its lifecycle events', () => {
    const window = new ObservationWindow();
    const [node] = simulatedSwarm(4, 1) as [SimulatedNode];
    const calls = { to: ['dep-1', 'other-1'], dep: [0, 1], at: [1000, 1000], ms: [1, 1], outcome: [0, 0], dropped: 0 };
    window.add(node.heartbeat(1000, { calls }));
    for (let k = 0; k < 4; k++) {
      const t = 2000 + k * 310;
      window.addLifecycle({ type: 'lifecycle.started', from: 'dep-1' }, t);
      window.addLifecycle({ type: 'lifecycle.crashed', from: 'dep-1', restartInMs: 4 }, t + 300);
      // Another cell's crashes: not called, so not a dependency's.
      window.addLifecycle({ type: 'lifecycle.crashed', from: 'lonely-1' }, t + 300);
    }
    window.addLifecycle({ type: 'lifecycle.escalated', from: 'dep-1' }, 3300);
    window.addLifecycle({ type: 'lifecycle.started', from: 'dep-1' }, 8300);
    window.addLifecycle({ type: 'lifecycle.stopped', from: 'dep-1' }, 8400);
    expect(window.calibration(0, 9000, {}).crashLoops).toEqual([
      { dep: 0, lifeMs: 300, restartMs: 6, revivedAfterMs: 5000 },
    ]);
    // Over a minute later the loop is forgotten.
    expect(window.calibration(70_000, 80_000, {}).crashLoops).toEqual([]);
  });

  it('measures each edge between known cell types on its own, for the keep rule per edge', () => {
    const window = new ObservationWindow();
    const [node] = simulatedSwarm(4, 1) as [SimulatedNode];
    // Two callers' calls: four to a flaky dependency (one times out), two to a slow one; one of unknown types.
    const calls = {
      to: ['dep-1', 'slowdep-1', 'x-1'],
      toType: ['dep', 'slowdep', ''],
      from: ['caller-1'],
      fromType: ['caller'],
      src: [0, 0, 0, 0, 0, 0, 0],
      dep: [0, 0, 0, 0, 1, 1, 2],
      at: [1000, 1010, 1020, 1030, 1000, 1040, 1050],
      ms: [2, 2, 5000, 3, 400, 410, 1],
      outcome: [0, 0, 1, 0, 0, 0, 0],
      dropped: 0,
    };
    window.add(node.heartbeat(1100, { calls }));
    const m = window.measure(0, 2000);
    expect(m.calls).toBe(7);
    expect(m.edges).toEqual({
      'caller:dep': { calls: 4, p99LatencyMs: 5000, errorRate: 0.25 },
      'caller:slowdep': { calls: 2, p99LatencyMs: 410, errorRate: 0 },
    });
  });
});
