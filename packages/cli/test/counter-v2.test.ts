import { migrateSnapshot, upcastMessage } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { counterV2, migrateCounter, upcastIncrement } from './fixtures/counter-v2.mjs';

/** The rolling-upgrade test's newer counter: its one upcaster and its one migration step. */
describe('counter v2 (the rolling-upgrade fixture)', () => {
  it('upcasts increment 1 → 2: { by } becomes { amount }, 1 when absent', () => {
    expect(upcastIncrement({ by: 3 }, 1)).toEqual({ amount: 3 });
    expect(upcastIncrement({}, 1)).toEqual({ amount: 1 });
    expect(upcastIncrement(undefined, 1)).toEqual({ amount: 1 });
    expect(upcastMessage('increment', { by: 4 }, 1, counterV2.messages.increment)).toEqual({ amount: 4 });
    expect(() => upcastMessage('increment', { amount: 1 }, 3, counterV2.messages.increment)).toThrow(
      'message increment has version 3, newer than version 2 this node reads; not handled (send version 2, or upgrade this node)',
    );
  });

  it('migrates state 1 → 2: count becomes total', () => {
    const v1 = { status: 'active', value: 'counting', context: { count: 12, ticks: 3 }, children: {} } as never;
    expect(migrateCounter(v1, 1).context).toEqual({ total: 12, ticks: 3 });
    const { snapshot, migrated } = migrateSnapshot(counterV2, 'c1', v1, 1);
    expect(migrated).toBe(true);
    expect((snapshot as unknown as { context: unknown }).context).toEqual({ total: 12, ticks: 3 });
    expect(() => migrateSnapshot(counterV2, 'c1', v1, 3)).toThrow(
      /^cell c1: snapshot has state version 3, newer than version 2 of cell type counter on this node; not started/,
    );
  });
});
