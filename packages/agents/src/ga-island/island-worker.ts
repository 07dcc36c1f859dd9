import { parentPort, workerData } from 'node:worker_threads';
import type { EvolutionLoopEvent, MigrantsMessage } from './events.js';
import type { IslandConfig } from './island-config.js';
import { createIslandLoop, type IslandLoopMessage } from './island-loop.js';

/**
 * The thread an island's evolution runs in: a generation of the swarm objective replays the
 * calibrated model once per candidate (tens to hundreds of millis for 32), and run on the
 * node's own thread it held every other cell of the node up for that long.
 */

/** What the worker posts to its island. */
export type IslandWorkerMessage =
  | { kind: 'report'; event: EvolutionLoopEvent }
  | { kind: 'migrants'; islandId: string; message: MigrantsMessage }
  | { kind: 'log'; level: 'info' | 'error'; fields: Record<string, unknown>; message: string };

/** The data an island's worker is started with. */
export interface IslandWorkerData {
  config: IslandConfig;
}

if (parentPort) {
  const port = parentPort;
  const post = (m: IslandWorkerMessage) => port.postMessage(m);
  const loop = createIslandLoop((workerData as IslandWorkerData).config, {
    report: (event) => post({ kind: 'report', event }),
    sendMigrants: (islandId, message) => post({ kind: 'migrants', islandId, message }),
    log: (level, fields, message) => post({ kind: 'log', level, fields, message }),
  });
  port.on('message', (m: IslandLoopMessage) => loop.receive(m));
}
