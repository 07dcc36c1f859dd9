import type { Command } from 'commander';
import type { AnyCellDefinition } from '../cell/define-cell.js';
import type { HMSContext } from './hms-context.js';

/** A swarm event as a plugin's event handler receives it. */
export interface PluginEvent {
  /** The event type, e.g. `health.changed`. */
  type: string;
  /** The cell (or node) that published it. */
  cellId: string;
  /** `hms-from` of the message. */
  from: string;
  /** The decoded body. */
  body: unknown;
}

/**
 * Handles swarm events whose type matches `eventType`, a NATS-style pattern: `health.changed`,
 * `circuit.*` (one token), `cell.>` (the rest). Runs on the nodes, which share each plugin's
 * handlers in a queue group: every matching event is handled once in the swarm. A handler that
 * throws (or rejects) is logged and counted; the event is not retried.
 */
export interface PluginEventHandler {
  eventType: string;
  handler: (event: PluginEvent, context: HMSContext) => void | Promise<void>;
}

/**
 * What a plugin module default-exports. Lifecycle: `initialize` once per process that loads the
 * plugin (a node, or the CLI to mount its commands), then the getters, then `shutdown` when the
 * plugin is removed or disabled, or the process stops.
 */
export interface HMSPlugin<TConfig = Record<string, unknown>> {
  /** One subject token, unique in the swarm; the CLI mounts the commands as `hms <id> …`. */
  readonly id: string;
  /** A human name for `hms plugin list`. */
  readonly name: string;
  /** Semver of the plugin. */
  readonly version: string;
  /** Called before anything else; a throw (or rejection) marks the plugin failed on this process. */
  initialize(context: HMSContext<TConfig>): void | Promise<void>;
  /** Releases what `initialize` took (timers, connections); its cells are already stopped. */
  shutdown(): void | Promise<void>;
  /** Commander commands, mounted as `hms <id> <command>` (a built-in plugin's at top level). */
  getCommands(): Command[];
  /** Cell types (made with `defineCell`) the nodes can host while the plugin is loaded. */
  getAgentTypes(): AnyCellDefinition[];
  /** Handlers of swarm events. */
  getEventHandlers(): PluginEventHandler[];
}

/** Any plugin, whatever its config type. */
// biome-ignore lint/suspicious/noExplicitAny: a host holds plugins of every config type
export type AnyHMSPlugin = HMSPlugin<any>;
