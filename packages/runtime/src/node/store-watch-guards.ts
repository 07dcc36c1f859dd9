import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ResumableWatch } from '../persistence/resumable-watch.js';
import type { PeerView } from './peer-view.js';
import { guardWatch } from './watch-stall-guard.js';

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
 * (`cellsRevision`, `pluginsRevision`, `configVersion`). Returns a function that stops the guards.
 */
export function guardStoreWatches(options: StoreWatchGuardsOptions): () => void {
  const { clock, logger, peers, cells, plugins, config } = options;
  const highest = (of: (p: ReturnType<PeerView['alive']>[number]) => number | undefined) =>
    peers.alive().reduce((max, p) => Math.max(max, of(p) ?? 0), 0);
  const stops = [
    guardWatch({
      what: 'desired cells',
      clock,
      logger,
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
    guardWatch({
      what: 'plugin set',
      clock,
      logger,
      applied: () => plugins()?.applied() ?? Number.POSITIVE_INFINITY,
      // Written by `hms plugin add` (not a node): known from the peers whose watches delivered it.
      known: () => highest((p) => p.heartbeat.pluginsRevision),
      resume: async () => {
        await plugins()?.resume();
      },
    }),
    guardWatch({
      what: 'configuration',
      clock,
      logger,
      applied: config.version,
      known: () =>
        Math.max(
          config.written(),
          highest((p) => p.heartbeat.configVersion),
        ),
      resume: config.read,
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
