import type { Snapshot } from 'xstate';
import type { CellRegistry } from '../cell/cell-registry.js';
import { CELL_STATUS, type CellHealth, type CellPulse } from '../cell/cell-status.js';
import { type RunningCell, startCell } from '../cell/running-cell.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import type { CellSpec, DesiredCellChange } from '../persistence/desired-cells.js';
import type { SnapshotStore } from '../persistence/snapshot-store.js';
import { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { withStorageRetry } from '../persistence/storage-retry.js';
import type { GuardEnvironment } from '../resilience/dependency-guard.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { type Hosted, hostedHealth } from './hosted-cell.js';
import { DEFAULT_RESTART_INTENSITY, type RestartIntensity, RestartTracker } from './restart-intensity.js';
import { restoreSnapshot } from './snapshot-restore.js';

/** How long a cell whose snapshot could not be read waits before trying again, in millis. */
const LOAD_RETRY_MS = 1000;

/** What a {@link createCellSupervisor} needs. */
export interface CellSupervisorOptions {
  nodeId: string;
  transport: Transport;
  subjects: Subjects;
  registry: CellRegistry;
  snapshots: SnapshotStore;
  clock: Clock;
  logger: Logger;
  intensity?: RestartIntensity;
  /** The longest a change may wait before its snapshot is saved, in millis; default 100. */
  snapshotMaxStaleMs?: number;
  /** The node's gate for snapshot writes; default a new one (32 writes in flight). */
  writeQueue?: SnapshotWriteQueue;
  /** Told of every snapshot save that failed for a passing fault (it is retried). */
  onSaveFailed?: (cellId: string) => void;
  /** Breakers and stigmergy for the cells' calls; none when omitted. */
  guard?: GuardEnvironment;
  /** Told when a cell starts, stops, crashes or is given up on (the node reports it at once). */
  onStatusChange?: () => void;
  /** Told how long each request to a cell took, in seconds (for the latency histogram). */
  onRequestHandled?: (cellId: string, type: string, seconds: number) => void;
  /**
   * Assigns a cell marked for handoff to its new node (next epoch, compare-and-set at
   * `revision`), once its copy here is saved and stopped.
   */
  completeHandoff?: (spec: CellSpec, revision: number) => Promise<void>;
  /** Whether the cells may take messages now: null yes, else why not (see StartCellOptions.admits). */
  admits?: () => string | null;
}

/** The supervisor of the cells of one node. */
export interface CellSupervisor {
  /** Applies a change of the desired cells: start, stop, move away, or destroy. */
  reconcile(change: DesiredCellChange): void;
  cells(): RunningCell[];
  /** The specs this node hosts now: of running cells, and of cells starting or waiting to restart. */
  hostedSpecs(): CellSpec[];
  health(): CellHealth[];
  /** Every hosted cell's counters, for the heartbeat (cheaper than {@link health}). */
  pulses(): CellPulse[];
  /** The health of those of `ids` hosted here, looked up one by one (not every cell's). */
  healthOf(ids: readonly string[]): CellHealth[];
  /** Stops every cell, saving its snapshot. */
  stopAll(): Promise<void>;
  /**
   * Stops the cells of `type`, saving their snapshots, and keeps them waiting for the type (its
   * plugin was removed or disabled): {@link startType} starts them again from those snapshots.
   */
  stopType(type: string): Promise<void>;
  /** Starts the cells of `type` that wait for it (its plugin was added). */
  startType(type: string): void;
  /**
   * Applies new settings live: the intensity to every cell's next crash, staleness to new starts.
   * `intensityOf` gives a cell type's own intensity (its `@type:` scoped settings) over `intensity`.
   */
  configure(settings: {
    intensity?: RestartIntensity;
    intensityOf?: (type: string) => RestartIntensity;
    snapshotMaxStaleMs?: number;
  }): void;
}

/**
 * Supervises a node's cells like an OTP supervisor: a crashed cell restarts from its last good
 * snapshot after a jittered exponential backoff; cells that declared it in `dependsOn` restart
 * with it (rest-for-one; `supervision.strategy` may make it one-for-one, or escalate at the
 * first crash: `supervision-strategy.ts`); past the restart intensity it is left `failed`
 * and a `cell.escalated` event is published. Snapshots are restored on start and saved as
 * they change.
 */
export function createCellSupervisor(options: CellSupervisorOptions): CellSupervisor {
  const { nodeId, transport, subjects, registry, snapshots, clock, logger } = options;
  let swarmIntensity = options.intensity ?? DEFAULT_RESTART_INTENSITY;
  let intensityOf = (_type: string) => swarmIntensity;
  let snapshotMaxStaleMs = options.snapshotMaxStaleMs;
  const writeQueue = options.writeQueue ?? new SnapshotWriteQueue();
  const hosted = new Map<string, Hosted>();
  const entryHealth = (e: Hosted) => hostedHealth(e, registry, nodeId);
  let stopping = false;

  const publishEvent = (type: string, id: string, body: Record<string, unknown>) => {
    transport.publish(subjects.event(type, id), type, { node: nodeId, ...body }, { from: nodeId });
    if (type !== LIFECYCLE_EVENT.healed && type !== LIFECYCLE_EVENT.healRequested) options.onStatusChange?.();
  };

  /** Records a healing action (the recovery-manager keeps them; `hms heal status` shows them). */
  const healed = (id: string, action: string, why: string, outcome: 'ok' | 'failed' | 'gave-up', since: number) =>
    publishEvent(LIFECYCLE_EVENT.healed, id, {
      action,
      why,
      outcome,
      durationMs: Math.round((clock.now() - since) * 100) / 100,
    });

  /**
   * Starts (or restarts) a cell from `restart` (a crashed copy's last good state and the
   * snapshot revision it had), or from its stored snapshot; resolves true when it runs.
   */
  const launch = async (
    entry: Hosted,
    restart?: { snapshot: Snapshot<unknown>; revision: number | null },
  ): Promise<boolean> => {
    const { spec } = entry;
    let definition: ReturnType<CellRegistry['get']>;
    try {
      definition = registry.get(spec.type);
    } catch (err) {
      logger.error({ err, cell: spec.id }, 'cannot host a cell of unknown type');
      return false;
    }
    let restored = restart?.snapshot;
    let revision = restart ? restart.revision : null;
    /** Storage unavailable (a partition, JetStream electing a leader): try again, never start without the state. */
    const retryLater = (err: unknown, what: string) => {
      logger.error({ err, cell: spec.id, retryMs: LOAD_RETRY_MS }, `${what}; retrying`);
      entry.restartTimer = clock.setTimeout(() => {
        entry.restartTimer = undefined;
        if (!stopping && hosted.get(spec.id) === entry) void launch(entry);
      }, LOAD_RETRY_MS);
      return false;
    };
    if (!restart) {
      const read = await restoreSnapshot(snapshots, definition, spec, (from, to) =>
        publishEvent(LIFECYCLE_EVENT.migrated, spec.id, { type: spec.type, from, to }),
      );
      if (read.outcome === 'retry') return retryLater(read.err, read.what);
      if (read.outcome === 'refused') {
        refuse(entry, read.err);
        return false;
      }
      restored = read.snapshot;
      revision = read.revision;
    }
    // The type may have gone (its plugin removed) while the snapshot was read.
    if (stopping || hosted.get(spec.id) !== entry || !registry.has(spec.type)) return false;
    logger.debug({ cell: spec.id, epoch: spec.epoch, revision, restart: restart !== undefined }, 'cell restoring');
    try {
      entry.cell = startCell({
        definition,
        id: spec.id,
        config: spec.config,
        node: nodeId,
        transport,
        subjects,
        logger,
        clock,
        restarts: entry.restarts,
        snapshots: {
          store: snapshots,
          queue: writeQueue,
          fence: { epoch: spec.epoch, revision },
          onTooLarge: (err) => {
            const { bytes, limit } = err.data ?? {};
            publishEvent(LIFECYCLE_EVENT.snapshotTooLarge, spec.id, {
              type: spec.type,
              bytes,
              limit,
              reason: err.message,
            });
          },
          onFailed: () => options.onSaveFailed?.(spec.id),
          onFenced: (reason) => void onFenced(entry, reason),
          ...(snapshotMaxStaleMs === undefined ? {} : { maxStaleMs: snapshotMaxStaleMs }),
        },
        ...(restored ? { snapshot: restored } : {}),
        ...(options.guard ? { guard: options.guard } : {}),
        ...(options.onRequestHandled ? { onRequestHandled: options.onRequestHandled } : {}),
        onCrash: (cell, error, lastGood) => onCrash(entry, cell, error, lastGood),
        ...(options.admits ? { admits: options.admits } : {}),
      });
    } catch (err) {
      logger.error({ err, cell: spec.id }, 'cell failed to start');
      publishEvent(LIFECYCLE_EVENT.crashed, spec.id, { type: spec.type, error: String(err) });
      return false;
    }
    if (entry.cell.status() !== CELL_STATUS.running) return false;
    entry.failed = false;
    entry.refusal = undefined;
    publishEvent(LIFECYCLE_EVENT.started, spec.id, {
      type: spec.type,
      restarts: entry.restarts,
      restored: Boolean(restored),
    });
    return true;
  };

  /**
   * Leaves a cell `failed` without starting it: its stored snapshot is one its definition cannot
   * read (see migrateSnapshot). The snapshot stays as it is, for a node with the newer type.
   */
  const refuse = (entry: Hosted, err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    entry.failed = true;
    entry.refusal = message;
    logger.error({ err, cell: entry.spec.id }, message);
    publishEvent(LIFECYCLE_EVENT.escalated, entry.spec.id, {
      type: entry.spec.type,
      severity: 'critical',
      reason: message,
      error: message,
    });
  };

  const onCrash = (entry: Hosted, cell: RunningCell, error: unknown, lastGood: Snapshot<unknown>) => {
    const crashedAt = clock.now();
    const message = error instanceof Error ? error.message : String(error);
    entry.tracker ??= new RestartTracker();
    const intensity = intensityOf(cell.type);
    const decision = stopping ? undefined : entry.tracker.onCrash(clock.now(), intensity);
    // `restartInMs`: the backoff before the restart (consoles count it down); absent if none.
    const restartInMs = decision?.restart ? { restartInMs: decision.delayMs } : {};
    publishEvent(LIFECYCLE_EVENT.crashed, cell.id, {
      type: cell.type,
      error: message,
      restarts: entry.restarts,
      ...restartInMs,
    });
    // The restarted copy saves `lastGood` (fenced by the crashed copy's revision) as it starts.
    const revision = cell.snapshotRevision();
    if (!decision) return;
    if (!decision.restart) {
      entry.failed = true;
      logger.error(
        { cell: cell.id, crashes: decision.recent, periodMs: intensity.periodMs },
        'restart intensity exceeded',
      );
      const reason =
        intensity.strategy === 'escalate'
          ? 'supervision strategy escalate: no restart'
          : `crashed ${decision.recent} times within ${intensity.periodMs} ms`;
      publishEvent(LIFECYCLE_EVENT.escalated, cell.id, {
        type: cell.type,
        severity: 'critical',
        reason,
        error: message,
      });
      healed(cell.id, 'escalate', reason, 'gave-up', crashedAt);
      return;
    }
    entry.restartTimer = clock.setTimeout(() => {
      entry.restartTimer = undefined;
      if (stopping || hosted.get(cell.id) !== entry) return;
      entry.restarts++;
      void launch(entry, { snapshot: lastGood, revision }).then((ok) =>
        healed(cell.id, 'restart', message, ok ? 'ok' : 'failed', crashedAt),
      );
      if ((intensity.strategy ?? 'rest-for-one') !== 'rest-for-one') return;
      for (const dependent of dependentsOf(cell.id)) void restartDependent(dependent, cell.id);
    }, decision.delayMs);
  };

  /**
   * A write of this copy found another writer. A newer owner: this copy stops without saving
   * (never two live copies accepting writes). An older writer: this copy restarts from the
   * stored state, which claims the snapshot for this epoch.
   */
  const onFenced = async (entry: Hosted, reason: 'newer-owner' | 'older-writer') => {
    const id = entry.spec.id;
    publishEvent(LIFECYCLE_EVENT.fenced, id, { type: entry.spec.type, reason, epoch: entry.spec.epoch });
    if (reason === 'newer-owner') {
      await stopLocal(id, 'abandon');
      return;
    }
    if (hosted.get(id) !== entry || stopping) return;
    await entry.cell?.stop({ discard: true });
    await launch(entry);
  };

  /** Local cells that declared `id` in `dependsOn`, transitively. */
  const dependentsOf = (id: string, seen = new Set<string>([id])): Hosted[] => {
    const out: Hosted[] = [];
    for (const entry of hosted.values()) {
      if (seen.has(entry.spec.id) || !entry.spec.dependsOn?.includes(id)) continue;
      seen.add(entry.spec.id);
      out.push(entry, ...dependentsOf(entry.spec.id, seen));
    }
    return out;
  };

  const restartDependent = async (entry: Hosted, failedId: string) => {
    const cell = entry.cell;
    if (!cell || cell.status() !== CELL_STATUS.running) return;
    const since = clock.now();
    await cell.stop();
    publishEvent(LIFECYCLE_EVENT.stopped, entry.spec.id, { type: entry.spec.type, reason: 'rest-for-one' });
    entry.restarts++;
    const ok = await launch(entry);
    healed(entry.spec.id, 'restart-dependent', `depends on ${failedId}, which crashed`, ok ? 'ok' : 'failed', since);
  };

  /** An operator's restart (`hms heal trigger`): also revives a cell that was given up on. */
  const restartOnRequest = async (id: string) => {
    const entry = hosted.get(id);
    // Requests that arrive while one restart runs are served by it: each starting its own copy
    // left the others running unsupervised, all answering the inbox.
    if (!entry || stopping || entry.restarting) return;
    entry.restarting = true;
    try {
      const since = clock.now();
      if (entry.restartTimer !== undefined) clock.clearTimeout(entry.restartTimer);
      entry.restartTimer = undefined;
      await entry.cell?.stop();
      entry.tracker = undefined;
      entry.restarts++;
      const ok = await launch(entry);
      healed(id, 'manual-restart', 'requested by an operator', ok ? 'ok' : 'failed', since);
    } finally {
      entry.restarting = false;
    }
  };

  const requests = transport.subscribe(subjects.eventPattern(LIFECYCLE_EVENT.healRequested), (msg) => {
    const id = subjects.parseEvent(msg.subject)?.cellId;
    if (id && hosted.has(id)) void restartOnRequest(id);
  });

  /**
   * Stops a hosted cell. `save` keeps its state for the next start; `discard` forgets it (the
   * cell was destroyed); `abandon` saves nothing and keeps the stored snapshot (the cell now
   * belongs to another node, whose copy is newer).
   */
  const stopLocal = async (id: string, mode: 'save' | 'discard' | 'abandon' = 'save') => {
    const entry = hosted.get(id);
    if (!entry) return;
    hosted.delete(id);
    if (entry.restartTimer !== undefined) clock.clearTimeout(entry.restartTimer);
    await entry.cell?.stop({ discard: mode !== 'save' });
    if (mode === 'discard') {
      await snapshots.remove(id).catch((err: unknown) => logger.warn({ err, cell: id }, 'snapshot not removed'));
    }
    publishEvent(LIFECYCLE_EVENT.stopped, id, { type: entry.spec.type, ...(mode === 'save' ? {} : { reason: mode }) });
  };

  const host = (spec: CellSpec) => {
    const entry: Hosted = { spec, restarts: 0, failed: false };
    hosted.set(spec.id, entry);
    void launch(entry);
  };

  return {
    reconcile(change) {
      if (stopping) return;
      if (change.op === 'delete') {
        void stopLocal(change.id, 'discard');
        return;
      }
      const { spec } = change;
      const here = hosted.get(spec.id);
      if (spec.node === nodeId && spec.handoffTo !== undefined) {
        // Rebalancing: the final state is saved before the new node may start its copy; a copy
        // whose state cannot be saved stays here (the leader then calls the handoff off).
        const cell = here?.cell;
        const saved = cell
          ? withStorageRetry(
              `save ${spec.id} before its handoff`,
              async () => {
                if (!(await cell.flush())) throw new Error('snapshot not saved');
              },
              logger,
              { giveUpAfterMs: 8000 },
            ).then(
              () => true,
              () => false,
            )
          : Promise.resolve(true);
        void saved
          .then(async (ok) => {
            if (!ok) throw new Error('final state not saved: keeping the cell here');
            await stopLocal(spec.id);
          })
          .then(() =>
            withStorageRetry(
              `hand ${spec.id} over`,
              async () => options.completeHandoff?.(spec, change.revision),
              logger,
              // The leader re-places a handoff left incomplete for 10 s.
              { giveUpAfterMs: 8000 },
            ),
          )
          .catch((err: unknown) => logger.warn({ err, cell: spec.id }, 'handoff not completed'));
        return;
      }
      if (spec.node !== nodeId) {
        // Moved to another node (this one was taken for dead): its copy is the live one.
        if (here) void stopLocal(spec.id, 'abandon');
        return;
      }
      if (here && here.spec.epoch === spec.epoch) return;
      // A copy at another epoch is stale (the cell moved away and back while this node was cut
      // off): it takes nothing more and saves nothing (its writes are fenced anyway).
      if (here) void stopLocal(spec.id, 'abandon').then(() => host(spec));
      else host(spec);
    },
    cells: () => [...hosted.values()].flatMap((e) => (e.cell ? [e.cell] : [])),
    hostedSpecs: () => [...hosted.values()].map((e) => e.spec),
    health: () => [...hosted.values()].flatMap(entryHealth),
    pulses: () => {
      const out: CellPulse[] = [];
      for (const e of hosted.values()) {
        if (e.cell) {
          const p = e.cell.pulse();
          out.push(e.failed ? { ...p, status: CELL_STATUS.failed } : p);
        } else if (e.refusal !== undefined || !registry.has(e.spec.type)) out.push(...entryHealth(e));
      }
      return out;
    },
    healthOf: (ids) =>
      ids.flatMap((id) => {
        const entry = hosted.get(id);
        return entry ? entryHealth(entry) : [];
      }),
    async stopType(type) {
      const waiting = [...hosted.values()].filter((e) => e.spec.type === type);
      await Promise.all(
        waiting.map(async (entry) => {
          if (entry.restartTimer !== undefined) clock.clearTimeout(entry.restartTimer);
          entry.restartTimer = undefined;
          const cell = entry.cell;
          entry.cell = undefined;
          if (!cell) return;
          await cell.stop();
          publishEvent(LIFECYCLE_EVENT.stopped, entry.spec.id, { type, reason: 'type-removed' });
        }),
      );
    },
    startType(type) {
      for (const entry of hosted.values()) {
        if (entry.spec.type !== type || entry.cell || entry.restartTimer !== undefined || stopping) continue;
        entry.tracker = undefined;
        void launch(entry);
      }
    },
    configure(settings) {
      if (settings.intensity) swarmIntensity = settings.intensity;
      if (settings.intensityOf) intensityOf = settings.intensityOf;
      if (settings.snapshotMaxStaleMs !== undefined) snapshotMaxStaleMs = settings.snapshotMaxStaleMs;
    },
    async stopAll() {
      stopping = true;
      requests.unsubscribe();
      await Promise.all([...hosted.keys()].map((id) => stopLocal(id)));
    },
  };
}
