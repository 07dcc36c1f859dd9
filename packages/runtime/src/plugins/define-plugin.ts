import type { Command } from 'commander';
import type { AnyCellDefinition } from '../cell/define-cell.js';
import { assertToken } from '../transport/subjects.js';
import type { HMSContext } from './hms-context.js';
import type { HMSPlugin, PluginEventHandler } from './hms-plugin.js';
import { HMS_VERSION } from './hms-version.js';
import type { LoadedPlugin } from './plugin-loader.js';

/** What {@link definePlugin} takes: `id` and `name` are required, every hook is optional. */
export interface PluginInput<TConfig> {
  id: string;
  name: string;
  /** Semver; default the HMS version (right for built-ins). */
  version?: string;
  agentTypes?: AnyCellDefinition[];
  /** Built fresh for each process that mounts them. */
  commands?: () => Command[];
  eventHandlers?: PluginEventHandler[];
  initialize?: (context: HMSContext<TConfig>) => void | Promise<void>;
  shutdown?: () => void | Promise<void>;
}

/** Declares a plugin from its parts; hooks left out do nothing or return nothing. */
export function definePlugin<TConfig = Record<string, unknown>>(input: PluginInput<TConfig>): HMSPlugin<TConfig> {
  assertToken(input.id, 'plugin id');
  return Object.freeze({
    id: input.id,
    name: input.name,
    version: input.version ?? HMS_VERSION,
    initialize: async (context: HMSContext<TConfig>) => input.initialize?.(context),
    shutdown: async () => input.shutdown?.(),
    getCommands: () => input.commands?.() ?? [],
    getAgentTypes: () => input.agentTypes ?? [],
    getEventHandlers: () => input.eventHandlers ?? [],
  });
}

/** A plugin that is part of HMS (no files, no plugin.json), ready for a plugin host. */
export function builtinPlugin(plugin: HMSPlugin<never> | HMSPlugin): LoadedPlugin {
  return {
    manifest: { id: plugin.id, name: plugin.name, version: plugin.version, hms: `^${HMS_VERSION}`, modules: [] },
    dir: `(built into HMS: ${plugin.id})`,
    parts: [plugin as HMSPlugin],
  };
}
