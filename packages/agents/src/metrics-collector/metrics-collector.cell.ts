import { defineCell, ValidationError } from '@hms/runtime';
import { createMetricsCollectorMachine } from './metrics-collector.machine.js';

/**
 * `metrics-collector`: every `sampleMs` (default 5000) aggregates the per-cell counters the
 * nodes report into a `metrics.sample` event, kept in the metrics log (JetStream stream
 * `hms-<swarm>-metrics`, one hour). A request answers the latest sample.
 */
export const metricsCollectorCell = defineCell({
  type: 'metrics-collector',
  queries: ['query'],
  description: 'samples per-cell metrics into the metrics history stream',
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
  machine: (cell) => createMetricsCollectorMachine(cell.config.sampleMs, () => cell.clock.now()),
  reply: (snapshot) => snapshot.context.last,
});
