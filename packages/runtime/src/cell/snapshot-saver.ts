import type { AnyActorRef, Snapshot } from 'xstate';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SnapshotFence, SnapshotStore } from '../persistence/snapshot-store.js';

/** How long a failed save waits before it is tried again, in millis. */
const RETRY_MS = 500;

/** Options of {@link createSnapshotSaver}. */
export interface SnapshotSaverOptions {
  cellId: string;
  actor: AnyActorRef;
  store: SnapshotStore;
  clock: Clock;
  logger: Logger;
  /** The longest a change may wait before it is saved, in millis (default 100). */
  maxStaleMs?: number;
  /** This owner's epoch and the revision it restored from (null: no snapshot existed). */
  fence: SnapshotFence;
  /**
   * Called once when a write found another writer: `newer-owner` (a higher epoch owns the cell
   * now: stop this copy) or `older-writer` (a stale copy wrote meanwhile: restart from the
   * stored state, which claims it).
   */
  onFenced: (reason: 'newer-owner' | 'older-writer') => void;
}

/** Saves a cell's snapshot after it changes, coalescing bursts of changes into one write. */
export interface SnapshotSaver {
  /** Notes that the snapshot changed; a save follows within `maxStaleMs`. */
  changed(): void;
  /** Saves now if anything is unsaved (and waits for a save under way); true when all is saved. */
  flush(): Promise<boolean>;
  /** The revision this saver last wrote or started from. */
  readonly revision: number | null;
  /** Stops saving; pending changes are dropped (call flush first to keep them). */
  stop(): void;
  /** Saves done since start. */
  readonly saves: number;
}

/**
 * Creates the saver of one cell. At most one write is in flight; changes made during a write
 * are saved by the next one, so staleness stays within `maxStaleMs` plus one KV round trip.
 */
export function createSnapshotSaver(options: SnapshotSaverOptions): SnapshotSaver {
  const { actor, store, clock, logger, cellId } = options;
  const maxStaleMs = options.maxStaleMs ?? 100;
  let dirty = false;
  let timer: unknown;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;
  let saves = 0;
  let revision = options.fence.revision;

  /** After a failed write: another writer, or a passing fault? */
  const diagnose = async (err: unknown) => {
    const stored = await store.load(cellId).catch(() => undefined);
    if (stored === undefined && revision !== null) return; // destroyed meanwhile: the stop follows
    if (stored !== undefined && stored.revision !== revision) {
      stopped = true;
      const reason = stored.epoch > options.fence.epoch ? 'newer-owner' : 'older-writer';
      logger.warn({ epoch: options.fence.epoch, storedEpoch: stored.epoch }, `snapshot fenced: ${reason}`);
      options.onFenced(reason);
      return;
    }
    // A passing fault (JetStream electing a leader, say): try again soon, with or without a next
    // change; a cell keeps running when the store is away.
    dirty = true;
    logger.warn({ err, retryMs: RETRY_MS }, 'snapshot save failed');
    if (timer === undefined && !stopped) timer = clock.setTimeout(saveIfDirty, RETRY_MS);
  };

  const write = (snapshot: Snapshot<unknown>) => {
    writing = writing
      .then(() => (stopped ? undefined : store.save(cellId, snapshot, { epoch: options.fence.epoch, revision })))
      .then((rev) => {
        if (rev === undefined) return;
        logger.debug({ epoch: options.fence.epoch, from: revision, revision: rev }, 'snapshot saved');
        revision = rev;
        saves++;
      }, diagnose);
    return writing;
  };

  const saveIfDirty = () => {
    timer = undefined;
    if (!dirty || stopped) return writing;
    const snapshot = actor.getPersistedSnapshot() as Snapshot<unknown>;
    if (snapshot.status === 'error') return writing;
    dirty = false;
    return write(snapshot);
  };

  return {
    changed() {
      dirty = true;
      if (timer === undefined && !stopped) timer = clock.setTimeout(saveIfDirty, maxStaleMs);
    },
    async flush() {
      if (timer !== undefined) clock.clearTimeout(timer);
      await saveIfDirty();
      await writing;
      return !dirty;
    },
    get revision() {
      return revision;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
    get saves() {
      return saves;
    },
  };
}
