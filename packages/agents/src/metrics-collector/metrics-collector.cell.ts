import { defineCell, ValidationError } from '@hms/runtime';
import { createMetricsCollectorMachine } from './metrics-collector.machine.js';

/**
 * `metrics-collector`: every `sampleMs` (default 5000) turns the figures the nodes report in
 * their heartbeats (counts by status, totals, busiest cells, lag, memory) into a `metrics.sample`
 * event with per-node message rates and the swarm's busiest cells, kept in the metrics log
 * (JetStream stream `hms-<swarm>-metrics`, one hour). A request answers the latest sample. Its
 * state is bounded by the node count, whatever the number of cells.
 */
export const metricsCollectorCell = defineCell({
  type: 'metrics-collector',
  queries: ['query'],
  description: 'samples per-node metrics and the busiest cells into the metrics history stream',
  config: (raw) => {
    const sampleMs = (raw as { sampleMs?: unknown } | undefined)?.sampleMs ?? 5000;
    if (typeof sampleMs !== 'number' || !(sampleMs >= 100 && sampleMs <= 3_600_000)) {
      throw new ValidationError('metrics-collector config.sampleMs must be a number from 100 to 3600000', {
        data: { field: 'sampleMs' },
      });
    }
    return { sampleMs };
  },
  topics: () => [{ heartbeats: true }],
  machine: (cell) => createMetricsCollectorMachine(cell.config.sampleMs, cell.clock),
  reply: (snapshot) => snapshot.context.last,
});
