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
  /** The cell's logger, or a function that makes it when first needed (a saver logs only on trouble). */
  logger: Logger | (() => Logger);
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
  return new CellSnapshotSaver(options);
}

/**
 * One per persisted cell, so its state is fields and its code is on the prototype: a saver made
 * of closures cost ~1.3 KB of heap per cell (a dozen closures and their contexts, and an object
 * V8 kept as a dictionary), a tenth of an idle cell.
 */
class CellSnapshotSaver implements SnapshotSaver {
  private dirty = false;
  private timer: unknown;
  /** The write queued or in flight, if any. */
  private pending: Promise<void> | undefined;
  private stopped = false;
  private saveCount = 0;
  private lastRevision: number | null;
  private tooLargeReportedAt = Number.NEGATIVE_INFINITY;
  /** Bumped at every change; a write records the one it took. */
  private changes = 0;
  private savedChange = 0;
  /** Callers of saved(), each waiting for a write that took change `at` or later; none until asked. */
  private waiters: Array<{ at: number; resolve: (ok: boolean) => void }> | undefined;

  constructor(private readonly options: SnapshotSaverOptions) {
    this.lastRevision = options.fence.revision;
  }

  private get logger(): Logger {
    const { logger } = this.options;
    return typeof logger === 'function' ? logger() : logger;
  }

  private settle(ok: boolean): void {
    const waiters = this.waiters;
    if (!waiters || waiters.length === 0) return;
    const done = ok ? waiters.filter((w) => w.at <= this.savedChange) : waiters;
    this.waiters = ok ? waiters.filter((w) => w.at > this.savedChange) : undefined;
    for (const w of done) w.resolve(ok);
  }

  /** Schedules a save after `delayMs`, or after the usual wait (stretched under load) when omitted. */
  private schedule(delayMs?: number): void {
    if (this.timer !== undefined || this.stopped) return;
    const { clock, queue } = this.options;
    this.timer = clock.setTimeout(
      () => this.saveIfDirty(),
      delayMs ?? (this.options.maxStaleMs ?? 100) * queue.stretch(),
    );
  }

  /** After a failed write: another writer, or a passing fault? */
  private async diagnose(err: unknown): Promise<void> {
    const { options } = this;
    if (err instanceof SnapshotTooLargeError) {
      // Retrying cannot help; the next change tries again (the state may have shrunk).
      const now = options.clock.now();
      if (now - this.tooLargeReportedAt >= TOO_LARGE_REPORT_MS) {
        this.tooLargeReportedAt = now;
        this.logger.error({ err, bytes: err.data?.bytes, limit: err.data?.limit }, err.message);
        options.onTooLarge?.(err);
      }
      return;
    }
    const stored = await options.store.load(options.cellId).catch(() => undefined);
    if (stored === undefined && this.lastRevision !== null) return; // destroyed meanwhile: the stop follows
    if (stored !== undefined && stored.revision !== this.lastRevision) {
      this.stopped = true;
      this.settle(false);
      const reason = stored.epoch > options.fence.epoch ? 'newer-owner' : 'older-writer';
      this.logger.warn({ epoch: options.fence.epoch, storedEpoch: stored.epoch }, `snapshot fenced: ${reason}`);
      options.onFenced(reason);
      return;
    }
    // A passing fault (JetStream electing a leader, say): try again soon, with or without a next
    // change; a cell keeps running when the store is away.
    this.dirty = true;
    this.logger.warn({ err, retryMs: RETRY_MS }, 'snapshot save failed');
    options.onFailed?.(err);
    this.schedule(RETRY_MS);
  }

  private async write(): Promise<void> {
    if (this.stopped || !this.dirty) return;
    const { options } = this;
    const snapshot = options.actor.getPersistedSnapshot() as Snapshot<unknown>;
    if (snapshot.status === 'error') return;
    this.dirty = false;
    const took = this.changes;
    try {
      this.lastRevision = await options.store.save(
        options.cellId,
        snapshot,
        { epoch: options.fence.epoch, revision: this.lastRevision },
        options.version ?? 1,
      );
      this.saveCount++;
      this.savedChange = took;
      this.settle(true);
    } catch (err) {
      await this.diagnose(err);
    }
  }

  private saveIfDirty(): Promise<void> {
    this.timer = undefined;
    if (this.pending) return this.pending;
    if (!this.dirty || this.stopped) return Promise.resolve();
    this.pending = this.options.queue
      .run(() => this.write())
      .finally(() => {
        this.pending = undefined;
        // Changed while the write waited or ran: save again, after the usual wait (at once when
        // someone waits for it).
        if (this.dirty) this.schedule(this.waiters?.length ? 0 : undefined);
      });
    return this.pending;
  }

  changed(): void {
    this.changes++;
    this.dirty = true;
    if (!this.pending) this.schedule();
  }

  async flush(): Promise<boolean> {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.pending;
    await this.saveIfDirty();
    return !this.dirty;
  }

  saved(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (!this.dirty && this.savedChange >= this.changes) return Promise.resolve(true);
    const at = this.changes;
    const wait = new Promise<boolean>((resolve) => {
      this.waiters ??= [];
      this.waiters.push({ at, resolve });
    });
    if (!this.pending) {
      if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
      this.timer = undefined;
      void this.saveIfDirty();
    }
    return wait;
  }

  get revision(): number | null {
    return this.lastRevision;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.settle(false);
  }

  get saves(): number {
    return this.saveCount;
  }
}
