import { describe, expect, it } from 'vitest';
import { SnapshotWriteQueue } from '../src/persistence/snapshot-write-queue.js';

/** A write that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => {
    open = r;
  });
  return { open, write: () => done };
}

describe('SnapshotWriteQueue', () => {
  it('keeps at most `concurrency` writes in flight and starts the waiting ones in order', async () => {
    const q = new SnapshotWriteQueue({ concurrency: 2 });
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      q.run(() => {
        started.push(i);
        return g.write();
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(q.queued).toBe(2);
    gates[1]?.open();
    await runs[1];
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.open();
    gates[2]?.open();
    gates[3]?.open();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(q.completed).toBe(4);
  });

  it('stretches the wait between saves with the backlog, and opens slots live', async () => {
    let now = 0;
    const q = new SnapshotWriteQueue({ concurrency: 1, now: () => now });
    const g = gate();
    const runs = [q.run(g.write), ...Array.from({ length: 8 }, () => q.run(async () => undefined))];
    await Promise.resolve();
    expect(q.stretch()).toBe(8);
    q.setConcurrency(9);
    await Promise.resolve();
    expect(q.queued).toBe(0);
    now += 100;
    expect(q.stretch()).toBe(1);
    g.open();
    await Promise.all(runs);
  });

  it('stretches with write latency: p90 over the last writes, up to 20 times', async () => {
    let now = 0;
    const q = new SnapshotWriteQueue({ now: () => now });
    for (let i = 0; i < 10; i++) {
      await q.run(async () => {
        now += 250;
      });
    }
    expect(q.latencyP90Ms()).toBe(250);
    expect(q.stretch()).toBe(10);
    now += 6000;
    expect(q.latencyP90Ms()).toBe(0);
  });
});
