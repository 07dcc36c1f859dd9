import type { AnyCellDefinition } from '@hms/runtime';
import { adaptiveConfigCell } from './adaptive-config/adaptive-config.cell.js';
import { counterCell } from './demo/counter.cell.js';
import { echoCell } from './demo/echo.cell.js';
import { pingerCell } from './demo/pinger.cell.js';
import { pongerCell } from './demo/ponger.cell.js';
import { tickerCell } from './demo/ticker.cell.js';
import { gaIslandCell } from './ga-island/ga-island.cell.js';
import { healthMonitorCell } from './health-monitor/health-monitor.cell.js';
import { metricsCollectorCell } from './metrics-collector/metrics-collector.cell.js';
import { recoveryManagerCell } from './recovery-manager/recovery-manager.cell.js';

export { adaptiveConfigCell } from './adaptive-config/adaptive-config.cell.js';
export {
  type AdaptiveConfigContext,
  type AdaptiveConfigSettings,
  createAdaptiveConfigMachine,
  type Trial,
} from './adaptive-config/adaptive-config.machine.js';
export {
  type AutoDecision,
  type AutoEvolutionSettings,
  type AutoEvolutionState,
  type AutoEvolutionStatus,
  type AutoObservation,
  type AutoRun,
  decideAutoEvolution,
} from './adaptive-config/auto-evolution.js';
export { type Measurement, ObservationWindow } from './adaptive-config/observation-window.js';
export { builtinPlugins } from './builtin-plugins.js';
export { type CounterContext, counterCell } from './demo/counter.cell.js';
export { demoCellPlan } from './demo/demo-cell-plan.js';
export { echoCell } from './demo/echo.cell.js';
export { type PingerConfig, pingerCell } from './demo/pinger.cell.js';
export { pongerCell } from './demo/ponger.cell.js';
export { tickerCell } from './demo/ticker.cell.js';
export { percentile, replayCalls } from './evolution/call-replay.js';
export { FITNESS_WEIGHTS, type FitnessOptions, type SwarmMeasures, swarmFitness } from './evolution/swarm-fitness.js';
export {
  decodeSwarmGenome,
  encodeSwarmGenome,
  geneValueText,
  SWARM_GENES,
  type SwarmCandidate,
  type SwarmGene,
} from './evolution/swarm-genes.js';
export { predictSwarm, type SwarmCalibration, swarmCost } from './evolution/swarm-model.js';
export type { GenerationRows, IslandProgress, MigrantsMessage } from './ga-island/events.js';
export { gaIslandCell } from './ga-island/ga-island.cell.js';
export { createIslandMachine, healthBoost, type IslandContext, islandStatus } from './ga-island/ga-island.machine.js';
export {
  type IslandConfig,
  type IslandObjective,
  type IslandSettings,
  OBJECTIVES,
  parseIslandConfig,
  parseSettingsChange,
} from './ga-island/island-config.js';
export { createIslandEvolution } from './ga-island/island-evolution.js';
export { populationOptions } from './ga-island/island-loop.js';
export { createMigrationSchedule, type MigrationSchedule } from './ga-island/migration-schedule.js';
export { isTopology, migrationTargets, TOPOLOGY, type Topology } from './ga-island/migration-topology.js';
export {
  type AlertRaised,
  HEALTH_EVENT,
  type HealthChanged,
  type HealthDegraded,
  type HealthRecovered,
  type NodeHealth,
} from './health-monitor/events.js';
export { healthMonitorCell } from './health-monitor/health-monitor.cell.js';
export {
  createHealthMonitorMachine,
  type HealthMonitorConfig,
  type HealthMonitorContext,
} from './health-monitor/health-monitor.machine.js';
export { type HeartbeatFigures, heartbeatFigures, runningFraction } from './heartbeat/heartbeat-figures.js';
export { metricsCollectorCell } from './metrics-collector/metrics-collector.cell.js';
export {
  type BusyCellSample,
  createMetricsCollectorMachine,
  type MetricsCollectorContext,
  type MetricsSample,
  NODE_STALE_MS,
  type NodeSample,
  SAMPLE_BUSIEST,
} from './metrics-collector/metrics-collector.machine.js';
export { recoveryManagerCell } from './recovery-manager/recovery-manager.cell.js';
export {
  createRecoveryManagerMachine,
  type HealingAction,
  type RecoveryManagerContext,
} from './recovery-manager/recovery-manager.machine.js';

/** Every cell type this package provides, for a node's registry. */
export const builtinCells: readonly AnyCellDefinition[] = [
  adaptiveConfigCell,
  counterCell,
  gaIslandCell,
  echoCell,
  healthMonitorCell,
  metricsCollectorCell,
  pingerCell,
  pongerCell,
  recoveryManagerCell,
  tickerCell,
];
