import { type AnyHMSPlugin, definePlugin } from '@hms/runtime';
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

/**
 * The HMS components as built-in plugins: every node hosts them through the same door as users'
 * plugins (and `hms plugin list` reports them per node, marked built-in).
 */
export const builtinPlugins: readonly AnyHMSPlugin[] = [
  definePlugin({
    id: 'core-agents',
    name: 'demo cells: counter, echo, pinger, ponger, ticker',
    agentTypes: [counterCell, echoCell, pingerCell, pongerCell, tickerCell],
  }),
  definePlugin({
    id: 'monitoring',
    name: 'health monitor and metrics collector',
    agentTypes: [healthMonitorCell, metricsCollectorCell],
  }),
  definePlugin({ id: 'healing', name: 'recovery manager', agentTypes: [recoveryManagerCell] }),
  definePlugin({
    id: 'evolution',
    name: 'GA islands and adaptive configuration',
    agentTypes: [gaIslandCell, adaptiveConfigCell],
  }),
];
