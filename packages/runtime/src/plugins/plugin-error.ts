import { HmsError } from '../errors.js';

/** Why a plugin was refused or failed, as `PluginError.reason`. */
export const PLUGIN_FAILURE = {
  /** plugin.json is missing, unreadable or invalid. */
  manifest: 'manifest',
  /** The plugin's `hms` range does not include this HMS version. */
  incompatible: 'incompatible',
  /** A module could not be found or imported, or its default export is not a plugin. */
  module: 'module',
  /** The settings do not match the plugin's config schema. */
  config: 'config',
  /** Another plugin has the id, or a command or cell type of the same name. */
  conflict: 'conflict',
  /** `initialize` threw. */
  initialize: 'initialize',
  /** The packed plugin's sha256 does not match the swarm's record. */
  digest: 'digest',
  /** The context has no services registry (ADR-32 services are wired by the host). */
  services: 'services',
  /** Not in the swarm's plugin set. */
  unknown: 'unknown',
} as const;

/** A value of {@link PLUGIN_FAILURE}. */
export type PluginFailure = (typeof PLUGIN_FAILURE)[keyof typeof PLUGIN_FAILURE];

/** A plugin could not be loaded, was refused, or failed; the message is one line naming it. */
export class PluginError extends HmsError {
  override name = 'PluginError';
  override readonly code = 'PLUGIN_ERROR';
  constructor(
    message: string,
    /** What went wrong. */
    readonly reason: PluginFailure,
    options: { cause?: unknown; data?: Record<string, unknown> } = {},
  ) {
    super(message, { ...options, data: { reason, ...options.data } });
  }
}
