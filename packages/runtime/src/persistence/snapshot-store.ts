import { type KV, Kvm } from '@nats-io/kv';
import type { Snapshot } from 'xstate';
import { HmsError } from '../errors.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bucketNames } from './bucket-names.js';

/** A stored snapshot with the KV revision it was read at. */
export interface StoredSnapshot {
  snapshot: Snapshot<unknown>;
  revision: number;
}

/**
 * Cells' XState persisted snapshots in JetStream KV `hms-<swarm>-snap`, one key per cell id,
 * as JSON (readable with `nats kv get`).
 */
export class SnapshotStore {
  private constructor(private readonly kv: KV) {}

  /** Opens (creating if needed) the snapshot bucket of `swarm`. */
  static async open(transport: Transport, swarm: string): Promise<SnapshotStore> {
    const kv = await new Kvm(transport.nc).create(bucketNames(swarm).snapshots, { history: 1 });
    return new SnapshotStore(kv);
  }

  /** The last saved snapshot of `cellId`, or undefined. */
  async load(cellId: string): Promise<StoredSnapshot | undefined> {
    assertToken(cellId, 'cell id');
    const entry = await this.kv.get(cellId);
    if (entry?.operation !== 'PUT') return undefined;
    try {
      return { snapshot: entry.json() as Snapshot<unknown>, revision: entry.revision };
    } catch (cause) {
      throw new HmsError(`snapshot of ${cellId} is not valid JSON`, { cause, data: { cellId } });
    }
  }

  /** Saves `snapshot` as the latest of `cellId`; resolves with the new revision. */
  save(cellId: string, snapshot: Snapshot<unknown>): Promise<number> {
    return this.kv.put(cellId, JSON.stringify(snapshot));
  }

  /** Forgets the snapshot of `cellId` (the cell was destroyed). */
  async remove(cellId: string): Promise<void> {
    await this.kv.delete(cellId);
  }
}
