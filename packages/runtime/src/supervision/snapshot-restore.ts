import type { Snapshot } from 'xstate';
import type { AnyCellDefinition } from '../cell/define-cell.js';
import { migrateSnapshot } from '../cell/state-migration.js';
import type { CellSpec } from '../persistence/desired-cells.js';
import type { SnapshotStore } from '../persistence/snapshot-store.js';

/** What restoring a cell's stored state came to. */
export type SnapshotRestore =
  /** Start it from `snapshot` (none: a new cell), fenced at `revision`. */
  | { outcome: 'restored'; snapshot: Snapshot<unknown> | undefined; revision: number | null }
  /** Storage unavailable for now (a partition, JetStream electing a leader): try again later. */
  | { outcome: 'retry'; err: unknown; what: string }
  /** A snapshot its definition cannot read (newer, or a migration step failed): do not start it. */
  | { outcome: 'refused'; err: unknown };

/**
 * Reads a cell's stored snapshot and brings it to its definition's state version: an older one
 * is migrated and saved (fenced by the cell's epoch) before the cell starts, so a crash or a
 * move afterwards restores the migrated state; `onMigrated` is told of it.
 */
export async function restoreSnapshot(
  snapshots: SnapshotStore,
  definition: AnyCellDefinition,
  spec: CellSpec,
  onMigrated: (from: number, to: number) => void,
): Promise<SnapshotRestore> {
  let stored: Awaited<ReturnType<SnapshotStore['load']>>;
  try {
    stored = await snapshots.load(spec.id);
  } catch (err) {
    return { outcome: 'retry', err, what: 'snapshot unreadable' };
  }
  const revision = stored?.revision ?? null;
  if (!stored?.snapshot) return { outcome: 'restored', snapshot: stored?.snapshot, revision };
  let migration: ReturnType<typeof migrateSnapshot>;
  try {
    migration = migrateSnapshot(definition, spec.id, stored.snapshot, stored.version);
  } catch (err) {
    return { outcome: 'refused', err };
  }
  if (!migration.migrated) return { outcome: 'restored', snapshot: stored.snapshot, revision };
  let saved: number;
  try {
    saved = await snapshots.save(spec.id, migration.snapshot, { epoch: spec.epoch, revision }, definition.version);
  } catch (err) {
    return { outcome: 'retry', err, what: 'migrated snapshot not saved' };
  }
  onMigrated(stored.version, definition.version);
  return { outcome: 'restored', snapshot: migration.snapshot, revision: saved };
}
