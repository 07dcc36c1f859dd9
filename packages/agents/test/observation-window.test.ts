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
});
