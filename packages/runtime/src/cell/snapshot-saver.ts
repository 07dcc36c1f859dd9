import type { AnyActorRef, Snapshot } from 'xstate';
import type { Clock } from '../clock.js';
import { SnapshotTooLargeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SnapshotFence, SnapshotStore } from '../persistence/snapshot-store.js';
import type { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';

/** How long a failed save waits before it is tried again, in millis. */
const RETRY_MS = 500;

/** Options of {@link createSnapshotSaver}. */
export interface SnapshotSaverOptions {
  cellId: string;
  actor: AnyActorRef;
  store: SnapshotStore;
  /** The node's write gate: bounded writes in flight, and how much harder to coalesce. */
  queue: SnapshotWriteQueue;
  clock: Clock;
  logger: Logger;
  /** The longest a change may wait before it is saved while the store keeps up, in millis (default 100). */
  maxStaleMs?: number;
  /** This owner's epoch and the revision it restored from (null: no snapshot existed). */
  fence: SnapshotFence;
  /** The state version every save records (the definition's); default 1. */
  version?: number;
  /**
   * Called once when a write found another writer: `newer-owner` (a higher epoch owns the cell
   * now: stop this copy) or `older-writer` (a stale copy wrote meanwhile: restart from the
   * stored state, which claims it).
   */
  onFenced: (reason: 'newer-owner' | 'older-writer') => void;
  /** Called when a snapshot is too large to save (at most once a minute per cell). */
  onTooLarge?: (err: SnapshotTooLargeError) => void;
  /** Called when a save failed for a passing fault (it is tried again). */
  onFailed?: (err: unknown) => void;
}

/** Saves a cell's snapshot after it changes, coalescing bursts of changes into one write. */
export interface SnapshotSaver {
  /** Notes that the snapshot changed; a save follows within `maxStaleMs` (stretched under load). */
  changed(): void;
  /** Saves now if anything is unsaved (and waits for a save under way); true when all is saved. */
  flush(): Promise<boolean>;
  /**
   * Resolves true once a save that took the state as it is now (or later) was acknowledged;
   * false when this saver stopped first (fenced, or the cell stopped). The save starts at once
   * (or right after the one in flight), not after `maxStaleMs`.
   */
  saved(): Promise<boolean>;
  /** The revision this saver last wrote or started from. */
  readonly revision: number | null;
  /** Stops saving; pending changes are dropped (call flush first to keep them). */
  stop(): void;
  /** Saves done since start. */
  readonly saves: number;
}

/** A too-large snapshot is reported at most this often per cell, in millis. */
const TOO_LARGE_REPORT_MS = 60_000;

/**
 * Creates the saver of one cell. At most one write is queued or in flight; it takes the state
 * that is current when its turn at the node's {@link SnapshotWriteQueue} comes, so changes made
 * while it waits are saved by it. While the store keeps up a change waits at most `maxStaleMs`
 * plus one KV round trip; when it does not, changes wait `maxStaleMs × queue.stretch()`.
 */
export function createSnapshotSaver(options: SnapshotSaverOptions): SnapshotSaver {
  const { actor, store, queue, clock, logger, cellId } = options;
  const maxStaleMs = options.maxStaleMs ?? 100;
  let dirty = false;
  let timer: unknown;
  /** The write queued or in flight, if any. */
  let pending: Promise<void> | undefined;
  let stopped = false;
  let saves = 0;
  let revision = options.fence.revision;
  let tooLargeReportedAt = Number.NEGATIVE_INFINITY;
  /** Bumped at every change; a write records the one it took. */
  let changes = 0;
  let savedChange = 0;
  /** Callers of saved(), each waiting for a write that took change `at` or later. */
  let waiters: Array<{ at: number; resolve: (ok: boolean) => void }> = [];
  const settle = (ok: boolean) => {
    const done = ok ? waiters.filter((w) => w.at <= savedChange) : waiters;
    waiters = ok ? waiters.filter((w) => w.at > savedChange) : [];
    for (const w of done) w.resolve(ok);
  };

  /** Schedules a save after `delayMs`, or after the usual wait (stretched under load) when omitted. */
  const schedule = (delayMs?: number) => {
    if (timer !== undefined || stopped) return;
    timer = clock.setTimeout(saveIfDirty, delayMs ?? maxStaleMs * queue.stretch());
  };

  /** After a failed write: another writer, or a passing fault? */
  const diagnose = async (err: unknown) => {
    if (err instanceof SnapshotTooLargeError) {
      // Retrying cannot help; the next change tries again (the state may have shrunk).
      const now = clock.now();
      if (now - tooLargeReportedAt >= TOO_LARGE_REPORT_MS) {
        tooLargeReportedAt = now;
        logger.error({ err, bytes: err.data?.bytes, limit: err.data?.limit }, err.message);
        options.onTooLarge?.(err);
      }
      return;
    }
    const stored = await store.load(cellId).catch(() => undefined);
    if (stored === undefined && revision !== null) return; // destroyed meanwhile: the stop follows
    if (stored !== undefined && stored.revision !== revision) {
      stopped = true;
      settle(false);
      const reason = stored.epoch > options.fence.epoch ? 'newer-owner' : 'older-writer';
      logger.warn({ epoch: options.fence.epoch, storedEpoch: stored.epoch }, `snapshot fenced: ${reason}`);
      options.onFenced(reason);
      return;
    }
    // A passing fault (JetStream electing a leader, say): try again soon, with or without a next
    // change; a cell keeps running when the store is away.
    dirty = true;
    logger.warn({ err, retryMs: RETRY_MS }, 'snapshot save failed');
    options.onFailed?.(err);
    schedule(RETRY_MS);
  };

  const write = async () => {
    if (stopped || !dirty) return;
    const snapshot = actor.getPersistedSnapshot() as Snapshot<unknown>;
    if (snapshot.status === 'error') return;
    dirty = false;
    const took = changes;
    try {
      revision = await store.save(cellId, snapshot, { epoch: options.fence.epoch, revision }, options.version ?? 1);
      saves++;
      savedChange = took;
      settle(true);
    } catch (err) {
      await diagnose(err);
    }
  };

  const saveIfDirty = (): Promise<void> => {
    timer = undefined;
    if (pending) return pending;
    if (!dirty || stopped) return Promise.resolve();
    pending = queue.run(write).finally(() => {
      pending = undefined;
      // Changed while the write waited or ran: save again, after the usual wait (at once when
      // someone waits for it).
      if (dirty) schedule(waiters.length > 0 ? 0 : undefined);
    });
    return pending;
  };

  return {
    changed() {
      changes++;
      dirty = true;
      if (!pending) schedule();
    },
    async flush() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await pending;
      await saveIfDirty();
      return !dirty;
    },
    saved() {
      if (stopped) return Promise.resolve(false);
      if (!dirty && savedChange >= changes) return Promise.resolve(true);
      const wait = new Promise<boolean>((resolve) => waiters.push({ at: changes, resolve }));
      if (!pending) {
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        void saveIfDirty();
      }
      return wait;
    },
    get revision() {
      return revision;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      settle(false);
    },
    get saves() {
      return saves;
    },
  };
}
