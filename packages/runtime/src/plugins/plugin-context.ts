import type { CellRegistry } from '../cell/cell-registry.js';
import { systemClock } from '../clock.js';
import { type ControlClient, createControlClient } from '../control/control-client.js';
import type { Logger } from '../logger.js';
import type { ServiceDefinition } from '../services/service-definition.js';
import { Field } from '../stigmergy/field.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import type { CommandRegistry } from './command-registry.js';
import type { HMSContext, PluginField, PluginHostKind, PluginServiceRegistry } from './hms-context.js';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';
import { createPluginEventBus } from './plugin-event-bus.js';
import type { LoadedPlugin } from './plugin-loader.js';

/** What the contexts of one process's plugins share. */
export interface PluginContextOptions {
  kind: PluginHostKind;
  processId: string;
  subjects: Subjects;
  transport: Transport | (() => Promise<Transport>);
  registry: CellRegistry;
  commands: CommandRegistry;
  logger: Logger;
  services?: PluginServiceRegistry;
}

function lazyControl(transport: () => Promise<Transport>, swarm: string): ControlClient {
  return new Proxy({} as ControlClient, {
    get:
      (_target, method: string) =>
      async (...args: unknown[]) => {
        const client = createControlClient(await transport(), swarm) as unknown as Record<
          string,
          (...a: unknown[]) => unknown
        >;
        return client[method]?.(...args);
      },
  });
}

/**
 * Makes each plugin's {@link HMSContext}: its own logger, config and event bus; the control
 * client, stigmergy field and connection shared by the process (opened on first use).
 */
export function createPluginContexts(
  options: PluginContextOptions,
): (loaded: LoadedPlugin, config: Record<string, unknown>) => HMSContext {
  const { registry, commands, subjects, logger } = options;
  const transport = (): Promise<Transport> =>
    typeof options.transport === 'function' ? options.transport() : Promise.resolve(options.transport);
  const control = lazyControl(transport, subjects.swarm);
  let opened: Promise<Field> | undefined;
  const openField = () => {
    opened ??= transport().then((t) =>
      Field.open(t, subjects.swarm, { clock: systemClock, by: options.processId, logger }),
    );
    return opened;
  };
  const field: PluginField = {
    deposit: async (topic, key, strength, ttlMs) => (await openField()).deposit(topic, key, strength, ttlMs),
    sense: async (topic) => (await openField()).sense(topic),
  };

  const servicesOf = (id: string) => {
    const unavailable = () =>
      new PluginError(`plugin ${id}: services are not available in this context`, PLUGIN_FAILURE.services);
    return {
      registerService(definition: ServiceDefinition) {
        if (!options.services) return Promise.reject(unavailable());
        return options.services.register(id, definition);
      },
      getService(name: string) {
        if (!options.services) throw unavailable();
        return options.services.client(name);
      },
    };
  };

  const contextOf = (loaded: LoadedPlugin, config: Record<string, unknown>): HMSContext => {
    const id = loaded.manifest.id;
    return {
      pluginId: id,
      swarm: subjects.swarm,
      host: options.kind,
      processId: options.processId,
      commands,
      agentTypes: registry,
      events: createPluginEventBus({ transport: options.transport, subjects, from: id }),
      control,
      field,
      request: async (cellId, type, body, timeoutMs = 5000) =>
        (await transport()).request(subjects.cellInbox(cellId), type, body, { timeout: timeoutMs, from: id }),
      logger: logger.child({ plugin: id }),
      config,
      ...servicesOf(id),
    };
  };
  return contextOf;
}
