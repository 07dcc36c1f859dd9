import { describe, expect, it } from 'vitest';
import { createMachine, type Snapshot } from 'xstate';
import { defineCell } from '../src/cell/define-cell.js';
import { migrateSnapshot } from '../src/cell/state-migration.js';
import { SnapshotVersionError, ValidationError } from '../src/errors.js';

/** A persisted snapshot with `context`, as XState writes it. */
const snap = (context: Record<string, unknown>) =>
  ({ status: 'active', value: 'idle', context, children: {} }) as unknown as Snapshot<unknown>;
const contextOf = (s: Snapshot<unknown>) => (s as unknown as { context: Record<string, unknown> }).context;

const steps: Array<[number, Record<string, unknown>]> = [];
/** Version 3: v1 `{ n }` → v2 `{ count }` → v3 `{ count, unit }`. */
const counter = defineCell({
  type: 'counter',
  description: 'versioned test counter',
  version: 3,
  machine: () => createMachine({ initial: 'idle', states: { idle: {} } }),
  migrate: (snapshot, fromVersion) => {
    steps.push([fromVersion, snapshot.context]);
    if (fromVersion === 1) return { ...snapshot, context: { count: snapshot.context.n } };
    if (fromVersion === 2) return { ...snapshot, context: { ...snapshot.context, unit: 'clicks' } };
    throw new Error(`no step from ${fromVersion}`);
  },
});

describe('state-migration', () => {
  it('migrates one step per version, in order, from the stored version up to the definition', () => {
    steps.length = 0;
    const out = migrateSnapshot(counter, 'c-1', snap({ n: 7 }), 1);
    expect(out.migrated).toBe(true);
    expect(contextOf(out.snapshot)).toEqual({ count: 7, unit: 'clicks' });
    expect(steps.map(([from]) => from)).toEqual([1, 2]);
  });

  it('runs only the missing steps for a snapshot one version behind', () => {
    steps.length = 0;
    const out = migrateSnapshot(counter, 'c-1', snap({ count: 3 }), 2);
    expect(contextOf(out.snapshot)).toEqual({ count: 3, unit: 'clicks' });
    expect(steps.map(([from]) => from)).toEqual([2]);
  });

  it('leaves a snapshot of the current version alone', () => {
    steps.length = 0;
    const original = snap({ count: 1, unit: 'clicks' });
    const out = migrateSnapshot(counter, 'c-1', original, 3);
    expect(out).toEqual({ snapshot: original, migrated: false });
    expect(steps).toEqual([]);
  });

  it('refuses a snapshot newer than the definition in one line naming both versions', () => {
    let caught: unknown;
    try {
      migrateSnapshot(counter, 'c-1', snap({}), 4);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SnapshotVersionError);
    const message = (caught as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/state version 4, newer than version 3 of cell type counter/);
    expect((caught as SnapshotVersionError).data).toMatchObject({ cellId: 'c-1', stored: 4, version: 3 });
  });

  it('turns a step that throws or returns nothing into a refusal naming the step', () => {
    const broken = defineCell({
      type: 'broken',
      description: 'migrations that fail',
      version: 3,
      machine: () => createMachine({}),
      migrate: (s, from) => {
        if (from === 2) throw new Error('field gone');
        return s;
      },
    });
    expect(() => migrateSnapshot(broken, 'b-1', snap({}), 1)).toThrow(
      /from state version 2 to 3 failed: field gone; not started/,
    );
    const empty = defineCell({
      type: 'empty',
      description: 'a migration that returns nothing',
      version: 2,
      machine: () => createMachine({}),
      migrate: () => undefined as never,
    });
    expect(() => migrateSnapshot(empty, 'e-1', snap({}), 1)).toThrow(/returned no snapshot for state version 1 to 2/);
  });

  it('checks version and migrate when a cell type is defined', () => {
    const machine = () => createMachine({});
    expect(defineCell({ type: 'plain', description: 'd', machine }).version).toBe(1);
    const bad: Array<[unknown, unknown, RegExp]> = [
      [0, undefined, /version must be a whole number from 1, not 0/],
      [1.5, undefined, /version must be a whole number from 1, not 1.5/],
      [2, undefined, /version 2 needs migrate\(snapshot, fromVersion\)/],
    ];
    for (const [version, migrate, message] of bad) {
      expect(() =>
        defineCell({ type: 'plain', description: 'd', machine, version: version as number, migrate: migrate as never }),
      ).toThrow(ValidationError);
      expect(() =>
        defineCell({ type: 'plain', description: 'd', machine, version: version as number, migrate: migrate as never }),
      ).toThrow(message);
    }
  });
});
