import { type AnyHMSPlugin, definePlugin } from '@hms/runtime';
import type { CommandDeps } from '../command-deps.js';
import { createAgentCommand } from '../commands/agent.js';
import { createDashboardCommand } from '../commands/dashboard.js';
import { createEvolveCommand } from '../commands/evolve.js';
import { createHealCommand } from '../commands/heal.js';
import { createMonitorCommand } from '../commands/monitor.js';
import { createSystemCommand } from '../commands/system.js';

/** Commands of `hms` itself, not plugins: their names are reserved. */
export const CORE_COMMANDS = ['up', 'down', 'node', 'plugin', 'service', 'security', 'sub', 'decode', 'help'] as const;

/**
 * The CLI's command groups as built-in plugins: mounted through the same command registry as
 * users' plugins, at the top level (`hms agent …`), so their names are reserved.
 */
export function builtinCommandPlugins(deps: CommandDeps): AnyHMSPlugin[] {
  return [
    definePlugin({ id: 'cli-agent', name: 'hms agent', commands: () => [createAgentCommand(deps)] }),
    definePlugin({ id: 'cli-system', name: 'hms system', commands: () => [createSystemCommand(deps)] }),
    definePlugin({ id: 'cli-monitor', name: 'hms monitor', commands: () => [createMonitorCommand(deps)] }),
    definePlugin({ id: 'cli-heal', name: 'hms heal', commands: () => [createHealCommand(deps)] }),
    definePlugin({ id: 'cli-evolve', name: 'hms evolve', commands: () => [createEvolveCommand(deps)] }),
    definePlugin({ id: 'cli-dashboard', name: 'hms dashboard', commands: () => [createDashboardCommand(deps)] }),
  ];
}
