import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from 'xstate';
import { SnapshotStore } from '../../src/persistence/snapshot-store.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm } from '../fixtures/test-transport.js';

const snap = (n: number) => ({ status: 'active', value: 'idle', context: { n } }) as unknown as Snapshot<unknown>;

describe('snapshot store (reads and fenced writes on one inbox subscription)', () => {
  let t: Transport;
  let store: SnapshotStore;

  beforeAll(async () => {
    t = await connectTest('snapshot-store');
    store = await SnapshotStore.open(t, uniqueSwarm());
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads nothing for a cell never saved, then exactly what was saved, with its revision and epoch', async () => {
    expect(await store.load('fresh')).toBeUndefined();
    const revision = await store.save('fresh', snap(1), { epoch: 3, revision: null }, 2);
    const stored = await store.load('fresh');
    expect(stored).toEqual({ snapshot: snap(1), revision, epoch: 3, version: 2 });
  });

  it('refuses a write fenced by a revision that is no longer the stored one, and keeps the stored state', async () => {
    const first = await store.save('fenced', snap(1), { epoch: 1, revision: null });
    const second = await store.save('fenced', snap(2), { epoch: 2, revision: first });
    expect(second).toBeGreaterThan(first);
    await expect(store.save('fenced', snap(3), { epoch: 1, revision: first })).rejects.toThrow(/not saved/);
    await expect(store.save('fenced', snap(4), { epoch: 1, revision: null })).rejects.toThrow();
    expect((await store.load('fenced'))?.snapshot).toEqual(snap(2));
  });

  it('reads nothing for a removed cell, and a new cell of the same id can be created over it', async () => {
    await store.save('reused', snap(1), { epoch: 1, revision: null });
    await store.remove('reused');
    expect(await store.load('reused')).toBeUndefined();
    const revision = await store.save('reused', snap(7), { epoch: 1, revision: null });
    expect(await store.load('reused')).toMatchObject({ snapshot: snap(7), revision });
  });

  it('serves many reads and writes in flight at once, each answered with its own cell', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `many-${i}`);
    await Promise.all(ids.map((id, i) => store.save(id, snap(i), { epoch: 1, revision: null })));
    const loaded = await Promise.all(ids.map((id) => store.load(id)));
    expect(loaded.map((s) => (s?.snapshot as unknown as { context: { n: number } } | undefined)?.context.n)).toEqual(
      ids.map((_, i) => i),
    );
  });
});
