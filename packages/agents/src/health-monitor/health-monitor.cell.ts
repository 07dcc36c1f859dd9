import { createPhiDetector, defineCell, ValidationError } from '@hms/runtime';
import { AnomalyWatch, type AnomalyWatchOptions } from './anomaly-watch.js';
import { HEALTH_EVENT } from './events.js';
import { createHealthMonitorMachine, type HealthMonitorConfig } from './health-monitor.machine.js';

function parseConfig(raw: unknown): HealthMonitorConfig {
  const c = (raw ?? {}) as Partial<HealthMonitorConfig>;
  const suspectPhi = c.suspectPhi ?? 8;
  const checkMs = c.checkMs ?? 500;
  if (typeof suspectPhi !== 'number' || !(suspectPhi >= 1 && suspectPhi <= 50)) {
    throw new ValidationError('health-monitor config.suspectPhi must be a number from 1 to 50', {
      data: { field: 'suspectPhi' },
    });
  }
  if (typeof checkMs !== 'number' || !(checkMs >= 50 && checkMs <= 60_000)) {
    throw new ValidationError('health-monitor config.checkMs must be a number from 50 to 60000', {
      data: { field: 'checkMs' },
    });
  }
  return { suspectPhi, checkMs, anomaly: parseAnomalyOptions(c.anomaly) };
}

const ANOMALY_OPTIONS = ['windowSize', 'warmUp', 'threshold', 'clearThreshold', 'confirm', 'maxSeries'] as const;

function parseAnomalyOptions(raw: unknown): AnomalyWatchOptions {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('health-monitor config.anomaly must be an object', { data: { field: 'anomaly' } });
  }
  const options: AnomalyWatchOptions = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!(ANOMALY_OPTIONS as readonly string[]).includes(name) || typeof value !== 'number') {
      throw new ValidationError(
        `health-monitor config.anomaly.${name} is not a setting: numbers ${ANOMALY_OPTIONS.join(', ')} are`,
        { data: { field: `anomaly.${name}` } },
      );
    }
    options[name as (typeof ANOMALY_OPTIONS)[number]] = value;
  }
  try {
    new AnomalyWatch(options);
  } catch (err) {
    const option = /invalid option (\w+)/.exec((err as Error).message)?.[1] ?? '';
    throw new ValidationError(`health-monitor config.anomaly: ${(err as Error).message}`, {
      data: { field: `anomaly.${option}` },
      cause: err,
    });
  }
  return options;
}

/**
 * `health-monitor`: watches every node's heartbeats (phi-accrual through the native kernel) and
 * every cell's reported status; publishes `health.changed` and raises `alert.raised` (kept in
 * the alerts stream). Cells may report what they watch as degraded (`health.degraded`, e.g. a
 * failing HTTP probe): it is marked degraded and raises a warning until `health.recovered`.
 * Anomalies in each node's event-loop lag and each busy cell's latency, mailbox and error rate
 * (robust z-scores, native) are published as `anomaly.detected`, raise a warning and degrade the
 * node or cell while they last. A request answers `{ nodes, cells, degraded, anomalies }` with
 * the cells that are not running.
 */
export const healthMonitorCell = defineCell({
  type: 'health-monitor',
  queries: ['report'],
  description: 'phi-accrual watch of nodes and cells, anomaly detection; health.changed, anomaly.detected, alerts',
  config: parseConfig,
  topics: () => [{ heartbeats: true }, { event: HEALTH_EVENT.degraded }, { event: HEALTH_EVENT.recovered }],
  machine: (cell) =>
    createHealthMonitorMachine(
      cell.config,
      createPhiDetector({ minStdDevMs: 100, acceptablePauseMs: 1000 }),
      new AnomalyWatch(cell.config.anomaly),
      cell.clock,
    ),
  reply: (snapshot) => ({
    nodes: snapshot.context.nodes,
    // Only non-running cells are kept; the filter is for a snapshot of the earlier shape (all cells).
    cells: Object.fromEntries(Object.entries(snapshot.context.cells).filter(([, c]) => c.status !== 'running')),
    degraded: snapshot.context.degraded ?? {},
    anomalies: snapshot.context.anomalies ?? {},
  }),
});
