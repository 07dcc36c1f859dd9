import { type KV, Kvm } from '@nats-io/kv';
import type { Snapshot } from 'xstate';
import { HmsError, SnapshotTooLargeError } from '../errors.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bucketNames } from './bucket-names.js';
import { JetStreamRequests } from './jetstream-requests.js';
import { storageReplicas } from './storage-replicas.js';

const utf8 = new TextDecoder();

/** What `$JS.API.STREAM.MSG.GET` answers. */
interface MsgGetReply {
  message?: { seq: number; data?: string; hdrs?: string };
  error?: { code: number; err_code?: number; description?: string };
}

/** What JetStream answers a publish into a stream. */
interface PubAck {
  seq?: number;
  error?: { code: number; err_code?: number; description?: string };
}

/** A stored KV entry's headers say it is a delete or purge marker (its data is empty). */
function isDeleteMarker(hdrsBase64: string | undefined): boolean {
  if (!hdrsBase64) return false;
  return /KV-Operation:\s*(DEL|PURGE)/i.test(Buffer.from(hdrsBase64, 'base64').toString('latin1'));
}

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
  /** `$JS.API.STREAM.MSG.GET.KV_<bucket>`: reads from the stream leader, like `kv.get` with `allow_direct: false`. */
  private readonly getSubject: string;
  /** `$KV.<bucket>.`: a key's subject is this and the key. */
  private readonly keyPrefix: string;

  private constructor(
    private readonly kv: KV,
    /** The largest message the server takes, in bytes. */
    private readonly maxPayload: number,
    bucket: string,
    /** Reads and fenced writes, on one inbox subscription (see JetStreamRequests). */
    private readonly requests: JetStreamRequests,
  ) {
    this.getSubject = `$JS.API.STREAM.MSG.GET.KV_${bucket}`;
    this.keyPrefix = `$KV.${bucket}.`;
  }

  /** Opens (creating if needed) the snapshot bucket of `swarm`. */
  static async open(transport: Transport, swarm: string): Promise<SnapshotStore> {
    const bucket = bucketNames(swarm).snapshots;
    const kv = await new Kvm(transport.nc).create(bucket, {
      history: 1,
      replicas: storageReplicas(transport),
      // Direct gets may be served by any replica, also one still catching up after a partition
      // heals: a cell restarted there would resume from a stale snapshot. Reads go to the leader.
      allow_direct: false,
    });
    return new SnapshotStore(
      kv,
      transport.nc.info?.max_payload ?? 1024 * 1024,
      bucket,
      new JetStreamRequests(transport.nc),
    );
  }

  /** The last saved snapshot of `cellId`, or undefined. */
  async load(cellId: string): Promise<StoredSnapshot | undefined> {
    assertToken(cellId, 'cell id');
    // What kv.get does with `allow_direct: false`, without its per-request timer, deferred and
    // the Error nats.js makes for every request and for every missing key (a new cell's).
    const answer = await this.requests.request(
      this.getSubject,
      JSON.stringify({ last_by_subj: `${this.keyPrefix}${cellId}` }),
    );
    const reply = JSON.parse(utf8.decode(answer.data)) as MsgGetReply;
    if (reply.error) {
      if (reply.error.code === 404) return undefined;
      throw new HmsError(`snapshot of ${cellId} not read: ${reply.error.description ?? reply.error.code}`, {
        data: { cellId, code: reply.error.code },
      });
    }
    const message = reply.message;
    if (!message || isDeleteMarker(message.hdrs)) return undefined;
    try {
      const value = JSON.parse(Buffer.from(message.data ?? '', 'base64').toString('utf8')) as {
        epoch?: unknown;
        version?: unknown;
        snapshot?: Snapshot<unknown>;
      };
      if (typeof value.epoch === 'number' && value.snapshot) {
        const version = typeof value.version === 'number' ? value.version : 1;
        return { snapshot: value.snapshot, revision: message.seq, epoch: value.epoch, version };
      }
      return { snapshot: value as Snapshot<unknown>, revision: message.seq, epoch: 0, version: 1 };
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
    return this.put(cellId, value, fence.revision);
  }

  /**
   * A compare-and-set put (`kv.update`, or `kv.create` for `revision` null) on the muxed inbox.
   * A create over a deleted key (the cell was destroyed and its id used again) is left to
   * nats.js's `kv.create`, which knows delete markers.
   */
  private async put(cellId: string, value: string, revision: number | null): Promise<number> {
    const answer = await this.requests.request(`${this.keyPrefix}${cellId}`, value, {
      'Nats-Expected-Last-Subject-Sequence': String(revision ?? 0),
    });
    const ack = JSON.parse(utf8.decode(answer.data)) as PubAck;
    if (ack.error || typeof ack.seq !== 'number') {
      if (revision === null) return this.kv.create(cellId, value);
      throw new HmsError(`snapshot of ${cellId} not saved: ${ack.error?.description ?? 'no sequence in the ack'}`, {
        data: { cellId, code: ack.error?.code },
      });
    }
    return ack.seq;
  }

  /** Forgets the snapshot of `cellId` (the cell was destroyed). */
  async remove(cellId: string): Promise<void> {
    await this.kv.delete(cellId);
  }
}
