import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CellContext } from '@hms/runtime';
import { fromCallback } from 'xstate';
import type { SwarmCalibration } from '../evolution/swarm-model.js';
import type { EvolutionControlEvent, EvolutionLoopEvent, MigrantsMessage, ResumeEvent } from './events.js';
import type { IslandConfig } from './island-config.js';
import type { IslandLoopMessage } from './island-loop.js';
import type { IslandWorkerData, IslandWorkerMessage } from './island-worker.js';

/** The worker's module: next to this one when built; under the test runner (sources), the built one. */
function islandWorkerUrl(): URL {
  const here = new URL('./island-worker.js', import.meta.url);
  return existsSync(here) ? here : new URL('../../dist/ga-island/island-worker.js', import.meta.url);
}

function isMigrants(e: MigrantsMessage, config: IslandConfig): boolean {
  return (
    e.run === config.run &&
    Number.isInteger(e.source) &&
    Number.isInteger(e.epoch) &&
    e.dim === config.dim &&
    Array.isArray(e.genomes) &&
    Array.isArray(e.fitness) &&
    e.genomes.length === e.fitness.length * e.dim &&
    e.genomes.every((g) => typeof g === 'number' && Number.isFinite(g)) &&
    e.fitness.every((f) => typeof f === 'number' && !Number.isNaN(f))
  );
}

/**
 * The evolution of an island, as an XState callback actor: the loop that owns the native
 * population (`island-loop.ts`) runs in a worker thread, so a slow objective never holds up
 * the node's other cells. This side fetches the swarm objective's calibration from the tuner,
 * drops malformed migrants, sends the loop's migrants on, and relays its reports; the worker
 * ends with the actor.
 */
export function createIslandEvolution(cell: CellContext<IslandConfig>) {
  const config = cell.config;
  return fromCallback<EvolutionControlEvent>(({ sendBack, receive }) => {
    let stopped = false;
    let malformed = 0;
    const worker = new Worker(islandWorkerUrl(), { workerData: { config } satisfies IslandWorkerData });
    const post = (m: IslandLoopMessage) => worker.postMessage(m);

    /** The machine fails on it: the cell crashes and its supervisor restarts it from the last checkpoint. */
    const fail = (err: unknown) => {
      if (stopped) return;
      stopped = true;
      cell.logger.error({ err }, 'island evolution failed');
      sendBack({
        type: 'ga.failed',
        error: err instanceof Error ? err.message : String(err),
      } satisfies EvolutionLoopEvent);
      void worker.terminate();
    };

    worker.on('message', (m: IslandWorkerMessage) => {
      if (stopped) return;
      switch (m.kind) {
        case 'report':
          if (m.event.type === 'ga.failed') cell.logger.error({ error: m.event.error }, 'island evolution failed');
          sendBack(m.event);
          return;
        case 'migrants':
          cell.sendMigrants(m.islandId, m.message);
          return;
        case 'log':
          cell.logger[m.level](m.fields, m.message);
          return;
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`island worker exited with code ${code}`)));

    const resume = async (e: ResumeEvent) => {
      const calibration =
        config.objective === 'swarm'
          ? ((await cell.request(config.tuner as string, 'calibration', undefined, {
              timeout: 5000,
            })) as SwarmCalibration)
          : undefined;
      if (!stopped) post({ ...e, ...(calibration ? { calibration } : {}) });
    };

    receive((event) => {
      if (stopped) return;
      switch (event.type) {
        case 'ga.resume':
          resume(event).catch(fail);
          return;
        case 'ga.migrants':
          if (!isMigrants(event, config)) {
            malformed++;
            cell.logger.warn({ from: event.source, malformed }, 'malformed migrants dropped');
            return;
          }
          post(event);
          return;
        default:
          post(event);
      }
    });
    sendBack({ type: 'ga.ready' } satisfies EvolutionLoopEvent);
    return () => {
      stopped = true;
      void worker.terminate();
    };
  });
}
