import type { Transport } from '@hms/runtime';
import { type CallsSnapshot, createCallsFeed } from './calls-feed.js';
import { type CellsFeed, createCellsFeed } from './cells-feed.js';
import { createEvolutionFeed, type EvolutionSnapshot } from './evolution-feed.js';
import type { Feed } from './feed.js';
import { createHealthFeed, type HealthFeed } from './health-feed.js';
import { createMetricsFeed, type MetricsSnapshot } from './metrics-feed.js';

/** Every feed of the dashboard, one per view. */
export interface DashboardFeeds {
  health: HealthFeed;
  cells: CellsFeed;
  /** Calls between cells over the last minute, from the heartbeats. */
  calls: Feed<CallsSnapshot>;
  evolution: Feed<EvolutionSnapshot>;
  metrics: Feed<MetricsSnapshot>;
  /** Stops every feed's subscriptions. */
  stop(): void;
}

/** Subscribes every view's feed on `transport`. */
export function createDashboardFeeds(transport: Transport, swarm: string): DashboardFeeds {
  const feeds = {
    health: createHealthFeed(transport, swarm),
    cells: createCellsFeed(transport, swarm),
    calls: createCallsFeed(transport, swarm),
    evolution: createEvolutionFeed(transport, swarm),
    metrics: createMetricsFeed(transport, swarm),
  };
  return {
    ...feeds,
    stop() {
      for (const f of Object.values(feeds)) f.stop();
    },
  };
}
