import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createMetricsCollectorMachine, type MetricsSample, NODE_STALE_MS } from '../src/index.js';
import { type SimulatedNode, simulatedSwarm } from './fixtures/simulated-node.js';

/** A collector on a simulated clock that samples every 5 s, with the samples it emitted. */
function startCollector() {
  const clock = new SimulatedClock();
  const actor = createActor(createMetricsCollectorMachine(5000, clock), { clock }).start();
  const samples: MetricsSample[] = [];
  actor.on('metrics.sample', ({ type: _t, ...sample }) => samples.push(sample));
  return { clock, actor, samples };
}

const snapshotBytes = (c: ReturnType<typeof startCollector>) =>
  Buffer.byteLength(JSON.stringify(c.actor.getPersistedSnapshot()));

/**
 * Every node heartbeats once a second for `seconds`, after `work` changed its cells; answers
 * the largest persisted snapshot seen after any heartbeat.
 */
function run(
  c: ReturnType<typeof startCollector>,
  nodes: SimulatedNode[],
  seconds: number,
  work: (n: SimulatedNode) => void = () => {},
): number {
  let largest = 0;
  for (let s = 0; s < seconds; s++) {
    c.clock.increment(1000);
    for (const n of nodes) {
      work(n);
      c.actor.send(n.heartbeat(c.clock.now()));
      largest = Math.max(largest, snapshotBytes(c));
    }
  }
  return largest;
}

describe('metrics-collector machine', () => {
  it('keeps a persisted snapshot under 64 KiB with 10,000 cells over 3 nodes (it outgrew 1 MiB at 7,500)', () => {
    const c = startCollector();
    const nodes = simulatedSwarm(10_000, 3);
    // The first heartbeats name 2,000 cells each (seen for the first time): none may be kept.
    const largest = run(c, nodes, 12, (n) => {
      for (const cell of n.cells) cell.handled += 1;
      const crashed = n.cells[7];
      if (crashed) crashed.status = 'crashed';
    });
    expect(c.samples.length).toBe(2);
    expect(c.samples[1]?.nodes.reduce((s, n) => s + n.cells, 0)).toBe(10_000);
    expect(largest).toBeLessThan(64 * 1024);
  });

  it('keeps a snapshot whose size does not depend on the number of cells', () => {
    const sizes = [1_000, 10_000, 30_000].map((total) => {
      const c = startCollector();
      run(c, simulatedSwarm(total, 3), 6, (n) => {
        for (const cell of n.cells) cell.handled += 1;
      });
      return snapshotBytes(c);
    });
    // Digits of bigger counters may add a few bytes; nothing proportional to the cells.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(200);
  });

  it('samples per-node message rates from totals, cells by status, and the swarm busiest cells', () => {
    const c = startCollector();
    const nodes = simulatedSwarm(300, 3);
    run(c, nodes, 10, (n) => {
      // n1's cells handle 1 message a second each, n2's 2, n3's none; one n2 cell is hot.
      const perCell = n.node === 'n1' ? 1 : n.node === 'n2' ? 2 : 0;
      for (const cell of n.cells) cell.handled += perCell;
      if (n.node === 'n2') (n.cells[5] as { handled: number }).handled += 48;
      if (n.node === 'n3') (n.cells[0] as { status: string }).status = 'failed';
    });
    const second = c.samples[1] as MetricsSample;
    const byNode = Object.fromEntries(second.nodes.map((n) => [n.node, n]));
    expect(byNode.n1?.rate).toBe(100);
    expect(byNode.n2?.rate).toBe(2 * 100 + 48);
    expect(byNode.n3?.rate).toBe(0);
    expect(byNode.n3?.counts).toEqual({ running: 99, failed: 1 });
    // The sample at 10 s comes before that second's heartbeats: 9 seen.
    expect(byNode.n1?.totals.handled).toBe(900);
    expect(second.busiest.length).toBe(10);
    expect(second.busiest[0]).toMatchObject({ id: 'n2-c5', node: 'n2', rate: 50 });
    expect(second.busiest.every((b, i) => i === 0 || b.rate <= (second.busiest[i - 1]?.rate ?? 0))).toBe(true);
    expect(c.actor.getSnapshot().context.last).toEqual(second);
  });

  it('counts no rate on the first sample of a node, nor when its totals went down (cells moved away)', () => {
    const c = startCollector();
    const nodes = simulatedSwarm(30, 1);
    run(c, nodes, 5, (n) => {
      for (const cell of n.cells) cell.handled += 10;
    });
    expect(c.samples[0]?.nodes[0]?.rate).toBe(0);
    const node = nodes[0] as SimulatedNode;
    node.cells.splice(0, 20);
    run(c, nodes, 5);
    expect(c.samples[1]?.nodes[0]).toMatchObject({ cells: 10, rate: 0 });
  });

  it('drops a node that left gracefully, and one silent for longer than NODE_STALE_MS', () => {
    const c = startCollector();
    const [a, b, gone] = simulatedSwarm(30, 3) as [SimulatedNode, SimulatedNode, SimulatedNode];
    run(c, [a, b, gone], 5);
    expect(c.samples[0]?.nodes.map((n) => n.node).sort()).toEqual(['n1', 'n2', 'n3']);
    c.actor.send(b.heartbeat(c.clock.now(), { leaving: true }));
    run(c, [a], NODE_STALE_MS / 1000 + 5);
    expect(c.samples.at(-1)?.nodes.map((n) => n.node)).toEqual(['n1']);
  });

  it('reads a heartbeat without counts and totals (a node of the previous version) from its cell list', () => {
    const c = startCollector();
    const [node] = simulatedSwarm(20, 1) as [SimulatedNode];
    (node.cells[0] as { status: string }).status = 'crashed';
    for (const cell of node.cells) cell.handled = 3;
    const { counts: _c, totals: _t, busiest: _b, ...legacy } = node.heartbeat(0);
    c.actor.send({ ...legacy, cells: node.cells } as Parameters<typeof c.actor.send>[0]);
    c.clock.increment(5000);
    expect(c.samples[0]?.nodes[0]).toMatchObject({
      cells: 20,
      counts: { running: 19, crashed: 1 },
      totals: { handled: 60, errors: 0, restarts: 0, mailbox: 0 },
    });
  });

  it('keeps sampling after a restore from its persisted snapshot (its timer was lost with `after`)', () => {
    const c = startCollector();
    const nodes = simulatedSwarm(30, 3);
    run(c, nodes, 6);
    const saved = JSON.parse(JSON.stringify(c.actor.getPersistedSnapshot()));
    c.actor.stop();
    const clock = new SimulatedClock();
    clock.set(c.clock.now());
    const restored = createActor(createMetricsCollectorMachine(5000, clock), { clock, snapshot: saved }).start();
    const samples: MetricsSample[] = [];
    restored.on('metrics.sample', ({ type: _t, ...sample }) => samples.push(sample));
    for (let s = 0; s < 10; s++) {
      clock.increment(1000);
      for (const n of nodes) restored.send(n.heartbeat(clock.now()));
    }
    expect(samples.length).toBe(2);
    expect(samples[1]?.nodes.length).toBe(3);
  });
});
