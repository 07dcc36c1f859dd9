import { defineCell } from '@hms/runtime';
import { createIslandMachine, islandStatus } from './ga-island.machine.js';
import { parseIslandConfig, parseSettingsChange } from './island-config.js';

/**
 * `ga-island`: one island of a distributed GA run (`hms evolve start`). Its population lives
 * in the native engine; it migrates its best individuals to its neighbours over
 * `hms.<swarm>.ga.<islandId>.migrants`, checkpoints into its snapshot (a re-placed island
 * resumes from it), and answers `status`, `ga.stop` and `ga.configure` requests with its status.
 */
export const gaIslandCell = defineCell({
  type: 'ga-island',
  queries: ['status'],
  description: 'one island of a distributed genetic algorithm (native population, migration over NATS)',
  config: parseIslandConfig,
  topics: () => [{ migrants: true }, { event: 'health.changed' }],
  machine: (cell) => createIslandMachine(cell),
  reply: (snapshot, event, cell) => {
    if (event.type === 'ga.configure') {
      // The machine ignored a bad change; the caller gets the reason.
      parseSettingsChange((event as { set?: unknown }).set, snapshot.context.settings);
    }
    return islandStatus(cell, snapshot);
  },
});
