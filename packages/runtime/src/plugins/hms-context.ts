import type { CellRegistry } from '../cell/cell-registry.js';
import type { ControlClient } from '../control/control-client.js';
import type { Logger } from '../logger.js';
import type { RegisteredService } from '../services/registered-service.js';
import type { ServiceClient } from '../services/service-client.js';
import type { ServiceDefinition } from '../services/service-definition.js';
import type { CommandRegistry } from './command-registry.js';
import type { PluginEventBus } from './plugin-event-bus.js';

/** Where a plugin is running: on a node (hosting cells) or in the `hms` CLI (mounting commands). */
export const PLUGIN_HOST_KIND = { node: 'node', cli: 'cli' } as const;

/** A value of {@link PLUGIN_HOST_KIND}. */
export type PluginHostKind = (typeof PLUGIN_HOST_KIND)[keyof typeof PLUGIN_HOST_KIND];

/**
 * Services shared between plugins (to be backed by the NATS Services registry, ADR-32). A
 * context without one throws `PluginError` (reason `services`) from both methods.
 */
export interface PluginServiceRegistry {
  /** Serves `definition` as a NATS service (ADR-32) owned by plugin `owner`; resolves once discoverable. */
  register(owner: string, definition: ServiceDefinition): Promise<RegisteredService>;
  /** A client that reaches the service `name` wherever it runs (found through `$SRV.INFO`). */
  client(name: string): ServiceClient;
  /** Stops every service plugin `owner` registered (it was removed or disabled). */
  stopOwner(owner: string): Promise<void>;
}

/** The swarm's stigmergy field (KV `hms-<swarm>-field`), as a plugin uses it. */
export interface PluginField {
  /**
   * Adds `strength` to the mark `topic`/`key` (tokens), fading over `ttlMs` millis; resolves
   * with the mark's new strength. Cells avoid a callee marked `unhealthy`/`<cellId>` strongly
   * enough (`stigmergy.avoidStrength`).
   */
  deposit(topic: string, key: string, strength: number, ttlMs: number): Promise<number>;
  /** The current strength of every live mark of `topic`, by key. */
  sense(topic: string): Promise<Map<string, number>>;
}

/** What a plugin receives in `initialize`: its own view of the host process. */
export interface HMSContext<TConfig = Record<string, unknown>> {
  /** The plugin's id. */
  readonly pluginId: string;
  /** The swarm this process belongs to. */
  readonly swarm: string;
  /** Where the plugin is running. */
  readonly host: PluginHostKind;
  /** The node's id (on a node) or the CLI's connection name. */
  readonly processId: string;
  /** The commands of every plugin of this process, by mount point. */
  readonly commands: CommandRegistry;
  /** The cell types this process can host (a node's registry; the CLI's is informational). */
  readonly agentTypes: CellRegistry;
  /** Publishes and subscribes to the swarm's events over NATS. */
  readonly events: PluginEventBus;
  /** The swarm's control plane (agents, nodes, configuration), as the CLI uses it. */
  readonly control: ControlClient;
  /** The stigmergy field, opened on first use. */
  readonly field: PluginField;
  /** Sends a request to a cell's inbox and resolves with its reply. `timeoutMs` default 5000. */
  request(cellId: string, type: string, body?: unknown, timeoutMs?: number): Promise<unknown>;
  /** The plugin's pino logger (`{ plugin: id }` on every line). */
  readonly logger: Logger;
  /** The plugin's settings, validated against the `config` schema of its plugin.json. */
  readonly config: TConfig;
  /**
   * Serves a NATS service (ADR-32: `nats micro ls` and `hms service list` find it, with the
   * plugin's id in its metadata); stopped when the plugin is removed or disabled.
   * @throws PluginError (reason `services`) where there is no registry (the CLI).
   */
  registerService(definition: ServiceDefinition): Promise<RegisteredService>;
  /** A client of the service `name`, wherever it runs. @throws PluginError (reason `services`) without a registry. */
  getService(name: string): ServiceClient;
}
