/** How a plugin fares on one process. */
export const PLUGIN_STATE = { loaded: 'loaded', failed: 'failed' } as const;

/** A value of {@link PLUGIN_STATE}. */
export type PluginState = (typeof PLUGIN_STATE)[keyof typeof PLUGIN_STATE];

/** Failures a loaded plugin's code had on one process, contained and counted. */
export interface PluginFaults {
  /** Event handlers that threw or rejected. */
  handlerErrors: number;
  /** Crashes of cells of the plugin's types hosted on this node. */
  cellCrashes: number;
}

/** One plugin on one process, as heartbeats and `hms plugin list` report it. */
export interface PluginStatus {
  id: string;
  version: string;
  status: PluginState;
  /** Why it failed (one line), when it did. */
  error?: string;
  /** A built-in plugin (part of HMS, not in the swarm's plugin set). */
  builtin?: boolean;
  /** Contained failures since it loaded (absent when failed to load). */
  faults?: PluginFaults;
  /** The cell types it provides here. */
  types?: string[];
}
