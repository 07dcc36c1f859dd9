import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { DesiredCellsWatch } from '../persistence/desired-cells.js';
import type { PeerView } from './peer-view.js';
import { guardWatch } from './watch-stall-guard.js';

/** What a node's store watches are guarded with (see guardWatch). */
export interface StoreWatchGuardsOptions {
  clock: Clock;
  logger: Logger;
  peers: PeerView;
  cells: {
    watch: DesiredCellsWatch;
    /** The highest revision this node wrote. */
    written: () => number;
    /** Compares the hosted cells with the bucket (a new watch delivers only later changes). */
    resync: () => Promise<void>;
  };
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
 * Guards the desired cells' watch and the configuration's: each is caught up when it stays
 * behind what this node wrote or its live peers report in their heartbeats (`cellsRevision`,
 * `configVersion`). Returns a function that stops both guards.
 */
export function guardStoreWatches(options: StoreWatchGuardsOptions): () => void {
  const { clock, logger, peers, cells, config } = options;
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
