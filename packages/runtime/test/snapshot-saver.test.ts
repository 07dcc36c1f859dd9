import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { createSnapshotSaver } from '../src/cell/snapshot-saver.js';
import { systemClock } from '../src/clock.js';
import { createSilentLogger } from '../src/logger.js';
import type { SnapshotStore } from '../src/persistence/snapshot-store.js';
import { SnapshotWriteQueue } from '../src/persistence/snapshot-write-queue.js';
import { waitFor } from '../src/testing.js';

/** A store that fails its first `failures` saves as a JetStream timeout would. */
function flakyStore(failures: number) {
  let calls = 0;
  let revision = 1;
  const store = {
    async save() {
      calls++;
      if (calls <= failures) throw new Error('timeout');
      return ++revision;
    },
    async load() {
      return { snapshot: {}, revision, epoch: 1 };
    },
  };
  return { store: store as unknown as SnapshotStore, calls: () => calls };
}

describe('snapshot saver', () => {
  const actor = createActor(createMachine({ context: { n: 1 } })).start();

  it('tries a failed save again on its own, without waiting for a next change (regression: a change was lost)', async () => {
    const { store, calls } = flakyStore(2);
    const saver = createSnapshotSaver({
      cellId: 'c1',
      actor,
      store,
      queue: new SnapshotWriteQueue(),
      clock: systemClock,
      logger: createSilentLogger(),
      maxStaleMs: 10,
      fence: { epoch: 1, revision: 1 },
      onFenced: () => {
        throw new Error('not fenced: the stored revision is its own');
      },
    });
    saver.changed();
    await waitFor(() => saver.saves === 1, { timeoutMs: 5000, what: 'the change saved after two failures' });
    expect(calls()).toBe(3);
    expect(await saver.flush()).toBe(true);
    saver.stop();
  });

  it('says so when a flush could not save', async () => {
    const { store } = flakyStore(100);
    const saver = createSnapshotSaver({
      cellId: 'c2',
      actor,
      store,
      queue: new SnapshotWriteQueue(),
      clock: systemClock,
      logger: createSilentLogger(),
      fence: { epoch: 1, revision: 1 },
      onFenced: () => undefined,
    });
    saver.changed();
    expect(await saver.flush()).toBe(false);
    saver.stop();
  });
});
