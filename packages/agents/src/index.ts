import type { AnyCellDefinition } from '@hms/runtime';
import { counterCell } from './demo/counter.cell.js';
import { echoCell } from './demo/echo.cell.js';
import { pingerCell } from './demo/pinger.cell.js';
import { pongerCell } from './demo/ponger.cell.js';
import { tickerCell } from './demo/ticker.cell.js';
import { healthMonitorCell } from './health-monitor/health-monitor.cell.js';
import { metricsCollectorCell } from './metrics-collector/metrics-collector.cell.js';
import { recoveryManagerCell } from './recovery-manager/recovery-manager.cell.js';

export { type CounterContext, counterCell } from './demo/counter.cell.js';
export { demoCellPlan } from './demo/demo-cell-plan.js';
export { echoCell } from './demo/echo.cell.js';
export { type PingerConfig, pingerCell } from './demo/pinger.cell.js';
export { pongerCell } from './demo/ponger.cell.js';
export { tickerCell } from './demo/ticker.cell.js';
export { FITNESS_WEIGHTS, type FitnessOptions, type SwarmMeasures, swarmFitness } from './evolution/swarm-fitness.js';
export { isTopology, migrationTargets, TOPOLOGY, type Topology } from './ga-island/migration-topology.js';
export { type AlertRaised, HEALTH_EVENT, type HealthChanged, type NodeHealth } from './health-monitor/events.js';
export { healthMonitorCell } from './health-monitor/health-monitor.cell.js';
export {
  createHealthMonitorMachine,
  type HealthMonitorConfig,
  type HealthMonitorContext,
} from './health-monitor/health-monitor.machine.js';
export { metricsCollectorCell } from './metrics-collector/metrics-collector.cell.js';
export {
  type CellSample,
  createMetricsCollectorMachine,
  type MetricsCollectorContext,
  type MetricsSample,
} from './metrics-collector/metrics-collector.machine.js';
export { recoveryManagerCell } from './recovery-manager/recovery-manager.cell.js';
export {
  createRecoveryManagerMachine,
  type HealingAction,
  type RecoveryManagerContext,
} from './recovery-manager/recovery-manager.machine.js';

/** Every cell type this package provides, for a node's registry. */
export const builtinCells: readonly AnyCellDefinition[] = [
  counterCell,
  echoCell,
  healthMonitorCell,
  metricsCollectorCell,
  pingerCell,
  pongerCell,
  recoveryManagerCell,
  tickerCell,
];
