import type { AnyActorRef, Snapshot } from 'xstate';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SnapshotStore } from '../persistence/snapshot-store.js';

/** Options of {@link createSnapshotSaver}. */
export interface SnapshotSaverOptions {
  cellId: string;
  actor: AnyActorRef;
  store: SnapshotStore;
  clock: Clock;
  logger: Logger;
  /** The longest a change may wait before it is saved, in millis (default 100). */
  maxStaleMs?: number;
}

/** Saves a cell's snapshot after it changes, coalescing bursts of changes into one write. */
export interface SnapshotSaver {
  /** Notes that the snapshot changed; a save follows within `maxStaleMs`. */
  changed(): void;
  /** Saves now if anything is unsaved (and waits for a save under way). */
  flush(): Promise<void>;
  /** Saves `snapshot` now, whatever the actor holds (used after a crash). */
  saveNow(snapshot: Snapshot<unknown>): Promise<void>;
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

  const write = (snapshot: Snapshot<unknown>) => {
    writing = writing
      .then(() => store.save(cellId, snapshot))
      .then(
        () => {
          saves++;
        },
        (err: unknown) => {
          // The next change retries; a cell keeps running when the store is briefly away.
          dirty = true;
          logger.warn({ err }, 'snapshot save failed');
        },
      );
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
    },
    async saveNow(snapshot) {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      dirty = false;
      await write(snapshot);
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
