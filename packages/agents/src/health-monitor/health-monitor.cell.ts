import { createPhiDetector, defineCell, ValidationError } from '@hms/runtime';
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
  return { suspectPhi, checkMs };
}

/**
 * `health-monitor`: watches every node's heartbeats (phi-accrual through the native kernel) and
 * every cell's reported status; publishes `health.changed` and raises `alert.raised` (kept in
 * the alerts stream). Cells may report what they watch as degraded (`health.degraded`, e.g. a
 * failing HTTP probe): it is marked degraded and raises a warning until `health.recovered`. A
 * request answers `{ nodes, cells, degraded }` with the cells that are not running.
 */
export const healthMonitorCell = defineCell({
  type: 'health-monitor',
  queries: ['report'],
  description: 'phi-accrual watch of nodes and cells; health.changed events and alerts',
  config: parseConfig,
  topics: () => [{ heartbeats: true }, { event: HEALTH_EVENT.degraded }, { event: HEALTH_EVENT.recovered }],
  machine: (cell) =>
    createHealthMonitorMachine(
      cell.config,
      createPhiDetector({ minStdDevMs: 100, acceptablePauseMs: 1000 }),
      cell.clock,
    ),
  reply: (snapshot) => ({
    nodes: snapshot.context.nodes,
    // Only non-running cells are kept; the filter is for a snapshot of the earlier shape (all cells).
    cells: Object.fromEntries(Object.entries(snapshot.context.cells).filter(([, c]) => c.status !== 'running')),
    degraded: snapshot.context.degraded ?? {},
  }),
});
