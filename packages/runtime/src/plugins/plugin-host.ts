import type { Command } from 'commander';
import type { CellRegistry } from '../cell/cell-registry.js';
import type { AnyCellDefinition } from '../cell/define-cell.js';
import type { Logger } from '../logger.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import type { CommandRegistry } from './command-registry.js';
import type { PluginHostKind, PluginServiceRegistry } from './hms-context.js';
import { validatePluginConfig } from './plugin-config.js';
import { createPluginContexts } from './plugin-context.js';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';
import { createPluginEventBus } from './plugin-event-bus.js';
import type { LoadedPlugin } from './plugin-loader.js';
import { PLUGIN_STATE, type PluginFaults, type PluginStatus } from './plugin-status.js';

/** Options of {@link createPluginHost}. */
export interface PluginHostOptions {
  kind: PluginHostKind;
  /** The node id, or the CLI's name. */
  processId: string;
  subjects: Subjects;
  /** The connection; a function for one opened on first use (the CLI). */
  transport: Transport | (() => Promise<Transport>);
  /** The process's cell types; plugins' types are added and removed here. */
  registry: CellRegistry;
  commands: CommandRegistry;
  logger: Logger;
  /** Shared services (ADR-32); without it, `registerService`/`getService` throw PluginError. */
  services?: PluginServiceRegistry;
  /** Told after a plugin's types were registered (a node starts their waiting cells). */
  onTypesAdded?: (types: string[]) => void;
  /** Awaited before a plugin's types are unregistered (a node stops their cells, saving them). */
  beforeTypesRemoved?: (types: string[]) => Promise<void>;
}

/** How a plugin is added: its settings, and whether it is part of HMS. */
export interface AddPluginOptions {
  config?: unknown;
  /** Built-in plugins mount their commands at the top level. */
  builtin?: boolean;
}

/** The plugins of one process (a node or the CLI). */
export interface PluginHost {
  /**
   * Initializes a plugin and registers its cell types, commands and (on a node) event handlers.
   * @throws PluginError with one line naming the plugin; nothing of it stays registered then.
   */
  add(plugin: LoadedPlugin, options?: AddPluginOptions): Promise<void>;
  /** Records a plugin that could not even be loaded, so that status() reports it. */
  recordFailure(id: string, version: string, error: unknown): void;
  /** Stops the plugin's cells, unregisters what it registered, and shuts it down. */
  remove(id: string): Promise<void>;
  /** Plugins loaded here, by id. */
  has(id: string): boolean;
  status(): PluginStatus[];
  /** Removes every plugin, last added first. */
  stop(): Promise<void>;
}

interface Entry {
  loaded: LoadedPlugin;
  builtin: boolean;
  types: string[];
  faults: PluginFaults;
  unsubscribe: Array<() => void>;
}

const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/**
 * Hosts plugins in one process. Each plugin gets its own context (logger, config, event bus);
 * its failures are contained: a throwing `initialize` leaves it failed and the others running,
 * a throwing event handler is logged and counted, crashes of its cells are counted.
 */
export function createPluginHost(options: PluginHostOptions): PluginHost {
  const { registry, commands, subjects, logger } = options;
  const entries = new Map<string, Entry>();
  const failures = new Map<string, PluginStatus>();
  const typeOwner = new Map<string, string>();
  const contextOf = createPluginContexts(options);

  // Crashes of this node's cells, counted against the plugin that provides their type.
  let crashSub: (() => void) | undefined;
  if (options.kind === 'node' && typeof options.transport !== 'function') {
    const t = options.transport;
    const sub = t.subscribe(subjects.eventPattern(LIFECYCLE_EVENT.crashed), (msg) => {
      const body = msg.body as { node?: string; type?: string } | null;
      if (body?.node !== options.processId || !body.type) return;
      const owner = typeOwner.get(body.type);
      const entry = owner === undefined ? undefined : entries.get(owner);
      if (entry) entry.faults.cellCrashes++;
    });
    crashSub = () => sub.unsubscribe();
  }

  const ownerName = (type: string) => {
    const owner = typeOwner.get(type);
    return owner === undefined ? 'this process' : `plugin ${owner}`;
  };

  const release = async (entry: Entry, why: string) => {
    const id = entry.loaded.manifest.id;
    for (const stop of entry.unsubscribe) stop();
    entry.unsubscribe = [];
    if (entry.types.length > 0) {
      await options.beforeTypesRemoved?.(entry.types);
      for (const t of entry.types) {
        registry.unregister(t);
        typeOwner.delete(t);
      }
    }
    commands.unmount(id);
    await options.services
      ?.stopOwner(id)
      .catch((err: unknown) => logger.warn({ err, plugin: id }, 'plugin services not stopped'));
    for (const part of [...entry.loaded.parts].reverse()) {
      try {
        await part.shutdown();
      } catch (err) {
        logger.warn({ err, plugin: id }, 'plugin shutdown threw');
      }
    }
    logger.info({ plugin: id, why }, 'plugin removed');
  };

  return {
    async add(loaded, addOptions = {}) {
      const { manifest } = loaded;
      const id = manifest.id;
      const existing = entries.get(id);
      if (existing) {
        throw new PluginError(
          `plugin ${id} (${loaded.dir}) has the same id as plugin ${id} already loaded from ${existing.loaded.dir}`,
          PLUGIN_FAILURE.conflict,
          { data: { plugin: id } },
        );
      }
      const entry: Entry = {
        loaded,
        builtin: addOptions.builtin ?? false,
        types: [],
        faults: { handlerErrors: 0, cellCrashes: 0 },
        unsubscribe: [],
      };
      try {
        const config = validatePluginConfig(manifest, addOptions.config);
        const context = contextOf(loaded, config);
        let initialized = 0;
        try {
          for (const part of loaded.parts) {
            try {
              await part.initialize(context);
            } catch (cause) {
              throw new PluginError(`plugin ${id}: initialize failed: ${oneLine(cause)}`, PLUGIN_FAILURE.initialize, {
                cause,
              });
            }
            initialized++;
          }
          const types: AnyCellDefinition[] = loaded.parts.flatMap((p) => p.getAgentTypes());
          const seen = new Set<string>();
          for (const d of types) {
            if (seen.has(d.type) || registry.has(d.type)) {
              throw new PluginError(
                `plugin ${id}: cell type ${JSON.stringify(d.type)} is already registered by ${seen.has(d.type) ? `plugin ${id}` : ownerName(d.type)}`,
                PLUGIN_FAILURE.conflict,
                { data: { plugin: id, type: d.type } },
              );
            }
            seen.add(d.type);
          }
          const cmds: Command[] = loaded.parts.flatMap((p) => p.getCommands());
          commands.mount(id, cmds, { builtin: entry.builtin });
          for (const d of types) {
            registry.register(d);
            typeOwner.set(d.type, id);
            entry.types.push(d.type);
          }
          if (options.kind === 'node') {
            const bus = createPluginEventBus({ transport: options.transport, subjects, from: id });
            for (const { eventType, handler } of loaded.parts.flatMap((p) => p.getEventHandlers())) {
              entry.unsubscribe.push(
                bus.subscribe(
                  eventType,
                  async (event) => {
                    try {
                      await handler(event, context);
                    } catch (err) {
                      entry.faults.handlerErrors++;
                      logger.error(
                        { err, plugin: id, eventType, event: event.type, errors: entry.faults.handlerErrors },
                        'plugin event handler threw',
                      );
                    }
                  },
                  { queue: subjects.pluginQueue(id) },
                ),
              );
            }
          }
        } catch (err) {
          // Undo what was registered; shut down the parts that were initialized.
          await release({ ...entry, loaded: { ...loaded, parts: loaded.parts.slice(0, initialized) } }, 'refused');
          throw err;
        }
      } catch (err) {
        if (!entries.has(id)) this.recordFailure(id, manifest.version, err);
        logger.error({ err, plugin: id }, 'plugin not loaded');
        throw err;
      }
      entries.set(id, entry);
      failures.delete(id);
      logger.info({ plugin: id, version: manifest.version, types: entry.types }, 'plugin loaded');
      if (entry.types.length > 0) options.onTypesAdded?.(entry.types);
    },

    recordFailure(id, version, error) {
      failures.set(id, { id, version, status: PLUGIN_STATE.failed, error: oneLine(error) });
    },

    async remove(id) {
      failures.delete(id);
      const entry = entries.get(id);
      if (!entry) return;
      entries.delete(id);
      await release(entry, 'removed');
    },

    has: (id) => entries.has(id),

    status: () => [
      ...[...entries.values()].map(
        (e): PluginStatus => ({
          id: e.loaded.manifest.id,
          version: e.loaded.manifest.version,
          status: PLUGIN_STATE.loaded,
          ...(e.builtin ? { builtin: true } : {}),
          faults: { ...e.faults },
          types: e.types,
        }),
      ),
      ...failures.values(),
    ],

    async stop() {
      crashSub?.();
      for (const id of [...entries.keys()].reverse()) await this.remove(id);
    },
  };
}
