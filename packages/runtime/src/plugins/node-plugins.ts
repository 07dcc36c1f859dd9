import type { CellRegistry } from '../cell/cell-registry.js';
import type { Logger } from '../logger.js';
import type { ResumableWatch } from '../persistence/resumable-watch.js';
import { withStorageRetry } from '../persistence/storage-retry.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { CommandRegistry } from './command-registry.js';
import type { PluginServiceRegistry } from './hms-context.js';
import { createPluginHost, type PluginHost } from './plugin-host.js';
import type { LoadedPlugin, LoadPluginOptions } from './plugin-loader.js';
import type { PluginStatus } from './plugin-status.js';
import { PluginStore } from './plugin-store.js';
import { type SwarmPlugins, startSwarmPlugins } from './swarm-plugins.js';

/** A node's plugin settings (`NodeOptions.plugins`). */
export interface NodePluginOptions {
  /** Built-in plugins, hosted from the start (their failures are reported like any other's). */
  builtins?: LoadedPlugin[];
  /** Where the swarm's plugins are unpacked (`<dataDir>/plugins`); without it, only built-ins. */
  dir?: string;
  /** Shared services for the plugins' contexts (ADR-32); see PluginServiceRegistry. */
  services?: PluginServiceRegistry;
  /** Loader options for the swarm's plugins (tests give the peers). */
  load?: Omit<LoadPluginOptions, 'manifestName'>;
}

/** What {@link startNodePlugins} needs from its node. */
export interface NodePluginsContext {
  nodeId: string;
  transport: Transport;
  subjects: Subjects;
  registry: CellRegistry;
  logger: Logger;
  /** Stops (saving) and restarts the node's cells of a type whose plugin goes and comes. */
  cells: { stopType(type: string): Promise<void>; startType(type: string): void };
  /** Told when a plugin was loaded, failed or removed (the node reports it at once). */
  onChange?: () => void;
}

/** The plugins of one node. */
export interface NodePlugins {
  readonly host: PluginHost;
  /** For the heartbeat. */
  status(): PluginStatus[];
  /** The watch of the swarm's plugin set (none: a node without a plugin directory). */
  readonly watch: ResumableWatch | undefined;
  stop(): Promise<void>;
}

/**
 * Hosts a node's plugins: the built-ins first, then the swarm's set (KV `hms-<swarm>-plugins`),
 * watched and applied live. Resolves once the plugins present at start are loaded or failed.
 */
export async function startNodePlugins(options: NodePluginOptions, node: NodePluginsContext): Promise<NodePlugins> {
  const logger = node.logger.child({ component: 'plugins' });
  const host = createPluginHost({
    kind: 'node',
    processId: node.nodeId,
    subjects: node.subjects,
    transport: node.transport,
    registry: node.registry,
    commands: new CommandRegistry(),
    logger,
    ...(options.services ? { services: options.services } : {}),
    onTypesAdded: (types) => {
      for (const t of types) node.cells.startType(t);
    },
    beforeTypesRemoved: async (types) => {
      await Promise.all(types.map((t) => node.cells.stopType(t)));
    },
  });
  for (const builtin of options.builtins ?? []) {
    await host.add(builtin, { builtin: true }).catch(() => {
      // recorded and logged by the host; the node hosts everything else
    });
  }
  let swarm: SwarmPlugins | undefined;
  if (options.dir !== undefined) {
    const store = await withStorageRetry(
      'open the plugin store',
      () => PluginStore.open(node.transport, node.subjects.swarm, logger),
      logger,
    );
    swarm = await startSwarmPlugins({
      store,
      host,
      dir: options.dir,
      logger,
      ...(options.load ? { load: options.load } : {}),
      ...(node.onChange ? { onChange: node.onChange } : {}),
    });
    await swarm.synced;
  }
  return {
    host,
    status: () => host.status(),
    watch: swarm?.watch,
    async stop() {
      await swarm?.stop();
      await host.stop();
    },
  };
}
