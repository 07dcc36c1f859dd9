import type { Snapshot } from 'xstate';
import { SnapshotVersionError } from '../errors.js';
import type { AnyCellDefinition } from './define-cell.js';

/** What {@link migrateSnapshot} made of a stored snapshot. */
export interface MigratedSnapshot {
  snapshot: Snapshot<unknown>;
  /** Whether any step ran (then the result must be saved before the cell starts). */
  migrated: boolean;
}

/**
 * Brings a stored snapshot of state version `stored` up to its definition's version, one
 * `migrate` step per version (stored → stored+1 → … → definition.version).
 * @throws SnapshotVersionError, with a one-line message naming both versions, when the snapshot
 *   is newer than the definition (written by a newer build of the type), or when a step throws
 *   or returns nothing. The stored snapshot is not touched either way.
 */
export function migrateSnapshot(
  definition: AnyCellDefinition,
  cellId: string,
  snapshot: Snapshot<unknown>,
  stored: number,
): MigratedSnapshot {
  const { version, type } = definition;
  const data = { cellId, type, stored, version };
  if (stored > version) {
    throw new SnapshotVersionError(
      `cell ${cellId}: snapshot has state version ${stored}, newer than version ${version} of cell type ${type} on this node; not started (run it on a node with the newer ${type})`,
      { data },
    );
  }
  let current = snapshot;
  for (let from = stored; from < version; from++) {
    let next: Snapshot<unknown> | undefined;
    try {
      next = definition.migrate?.(current, from);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new SnapshotVersionError(
        `cell ${cellId}: migrating its snapshot of cell type ${type} from state version ${from} to ${from + 1} failed: ${why}; not started`,
        { cause, data },
      );
    }
    if (next === undefined || next === null || typeof next !== 'object') {
      throw new SnapshotVersionError(
        `cell ${cellId}: migrate of cell type ${type} returned no snapshot for state version ${from} to ${from + 1}; not started`,
        { data },
      );
    }
    current = next;
  }
  return { snapshot: current, migrated: stored < version };
}
