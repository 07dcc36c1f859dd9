import { type KV, Kvm } from '@nats-io/kv';
import type { Snapshot } from 'xstate';
import { HmsError, SnapshotTooLargeError } from '../errors.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bucketNames } from './bucket-names.js';
import { storageReplicas } from './storage-replicas.js';

/** A stored snapshot with the KV revision it was read at and the owner epoch that wrote it. */
export interface StoredSnapshot {
  snapshot: Snapshot<unknown>;
  revision: number;
  /** The placement epoch of the owner that wrote it (see CellSpec.epoch). */
  epoch: number;
  /** The cell type's state version it was saved at (CellDefinition.version); 1 when the record has none. */
  version: number;
}

/** Where a writer stands: its placement epoch and the revision it last read or wrote. */
export interface SnapshotFence {
  epoch: number;
  /** null: the writer saw no snapshot, so it may only create one. */
  revision: number | null;
}

/**
 * Cells' XState persisted snapshots in JetStream KV `hms-<swarm>-snap`, one key per cell id,
 * as JSON `{ epoch, version, snapshot }` (readable with `nats kv get`); `version` is the cell
 * type's state version, and a record without it (saved before versions existed) is version 1. Writes are compare-and-set on
 * the revision the writer last saw, so a stale owner (one that missed a move) cannot overwrite
 * the state of the cell's new owner: its write fails and it learns of the newer epoch.
 */
export class SnapshotStore {
  private constructor(
    private readonly kv: KV,
    /** The largest message the server takes, in bytes. */
    private readonly maxPayload: number,
  ) {}

  /** Opens (creating if needed) the snapshot bucket of `swarm`. */
  static async open(transport: Transport, swarm: string): Promise<SnapshotStore> {
    const kv = await new Kvm(transport.nc).create(bucketNames(swarm).snapshots, {
      history: 1,
      replicas: storageReplicas(transport),
      // Direct gets may be served by any replica, also one still catching up after a partition
      // heals: a cell restarted there would resume from a stale snapshot. Reads go to the leader.
      allow_direct: false,
    });
    return new SnapshotStore(kv, transport.nc.info?.max_payload ?? 1024 * 1024);
  }

  /** The last saved snapshot of `cellId`, or undefined. */
  async load(cellId: string): Promise<StoredSnapshot | undefined> {
    assertToken(cellId, 'cell id');
    const entry = await this.kv.get(cellId);
    if (entry?.operation !== 'PUT') return undefined;
    try {
      const value = entry.json() as { epoch?: unknown; version?: unknown; snapshot?: Snapshot<unknown> };
      if (typeof value.epoch === 'number' && value.snapshot) {
        const version = typeof value.version === 'number' ? value.version : 1;
        return { snapshot: value.snapshot, revision: entry.revision, epoch: value.epoch, version };
      }
      return { snapshot: value as Snapshot<unknown>, revision: entry.revision, epoch: 0, version: 1 };
    } catch (cause) {
      throw new HmsError(`snapshot of ${cellId} is not valid JSON`, { cause, data: { cellId } });
    }
  }

  /**
   * Saves `snapshot` (of state version `version`, default 1) as the latest of `cellId` if the
   * stored revision is still the one in `fence`; resolves with the new revision. Rejects when someone else wrote in between, and
   * with {@link SnapshotTooLargeError} (nothing written) when it exceeds the server's max payload.
   */
  save(cellId: string, snapshot: Snapshot<unknown>, fence: SnapshotFence, version = 1): Promise<number> {
    const value = JSON.stringify({ epoch: fence.epoch, version, snapshot });
    // Bytes, not characters; the KV's own headers need a little room too.
    const bytes = Buffer.byteLength(value);
    if (bytes > this.maxPayload - 1024) {
      return Promise.reject(
        new SnapshotTooLargeError(
          `snapshot of ${cellId} is ${bytes} bytes, over the server's max payload of ${this.maxPayload}: not saved (keep large state in a stream or object store)`,
          { data: { cellId, bytes, limit: this.maxPayload } },
        ),
      );
    }
    return fence.revision === null ? this.kv.create(cellId, value) : this.kv.update(cellId, value, fence.revision);
  }

  /** Forgets the snapshot of `cellId` (the cell was destroyed). */
  async remove(cellId: string): Promise<void> {
    await this.kv.delete(cellId);
  }
}
