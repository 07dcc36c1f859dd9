import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ResumableWatch } from '../persistence/resumable-watch.js';
import type { PeerView } from './peer-view.js';
import { guardWatch, type WatchStallGuardOptions } from './watch-stall-guard.js';

/** A node's guarded store watches. */
export interface StoreWatchGuards {
  /** How many times each watch was found stalled and resumed (`hms_store_watch_resumes_total`). */
  resumes(): Readonly<Record<string, number>>;
  stop(): void;
}

/** What a node's store watches are guarded with (see guardWatch). */
export interface StoreWatchGuardsOptions {
  clock: Clock;
  logger: Logger;
  peers: PeerView;
  cells: {
    watch: ResumableWatch;
    /** The highest revision this node wrote. */
    written: () => number;
    /** Compares the hosted cells with the bucket (a new watch delivers only later changes). */
    resync: () => Promise<void>;
  };
  /** The watch of the plugin set, once the plugins are started (none: no plugin directory). */
  plugins: () => ResumableWatch | undefined;
  config: {
    /** The configuration version this node runs. */
    version: () => number;
    /** The highest version this node wrote. */
    written: () => number;
    /** Reads and applies the stored configuration. */
    read: () => Promise<void>;
  };
}

/**
 * Guards the desired cells' watch, the plugin set's and the configuration's: each is caught up
 * when it stays behind what this node wrote or its live peers report in their heartbeats
 * (`cellsRevision`, `pluginsRevision`, `configVersion`).
 */
export function guardStoreWatches(options: StoreWatchGuardsOptions): StoreWatchGuards {
  const { peers, cells, plugins, config } = options;
  const resumes: Record<string, number> = {};
  const guard = (what: string, o: Pick<WatchStallGuardOptions, 'applied' | 'known' | 'resume'>) =>
    guardWatch({
      what,
      clock: options.clock,
      logger: options.logger,
      onStall: () => {
        resumes[what] = (resumes[what] ?? 0) + 1;
      },
      ...o,
    });
  const highest = (of: (p: ReturnType<PeerView['alive']>[number]) => number | undefined) =>
    peers.alive().reduce((max, p) => Math.max(max, of(p) ?? 0), 0);
  const stops = [
    guard('desired cells', {
      applied: () => cells.watch.applied(),
      known: () =>
        Math.max(
          cells.written(),
          highest((p) => p.heartbeat.cellsRevision),
        ),
      resume: async () => {
        await cells.watch.resume();
        await cells.resync();
      },
    }),
    guard('plugin set', {
      applied: () => plugins()?.applied() ?? Number.POSITIVE_INFINITY,
      // Written by `hms plugin add` (not a node): known from the peers whose watches delivered it.
      known: () => highest((p) => p.heartbeat.pluginsRevision),
      resume: async () => {
        await plugins()?.resume();
      },
    }),
    guard('configuration', {
      applied: config.version,
      known: () =>
        Math.max(
          config.written(),
          highest((p) => p.heartbeat.configVersion),
        ),
      resume: config.read,
    }),
  ];
  return {
    resumes: () => resumes,
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}
