import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { ResumableWatch } from '../persistence/resumable-watch.js';
import { PLUGIN_FAILURE, PluginError } from './plugin-error.js';
import type { PluginHost } from './plugin-host.js';
import { type LoadPluginOptions, loadPlugin } from './plugin-loader.js';
import { packDigest, unpackPlugin } from './plugin-pack.js';
import type { PluginChange, PluginRecord, PluginStore } from './plugin-store.js';

/** Options of {@link startSwarmPlugins}. */
export interface SwarmPluginsOptions {
  store: PluginStore;
  host: PluginHost;
  /** Packs are unpacked under `<dir>/<id>/<digest>`. */
  dir: string;
  logger: Logger;
  /** Passed to the loader (tests give the peers). */
  load?: Omit<LoadPluginOptions, 'manifestName'>;
  /** Told after each change was applied (loaded, failed or unloaded). */
  onChange?: () => void;
}

/** The swarm's plugins kept loaded on one node. */
export interface SwarmPlugins {
  /** Resolves once the plugins in the set when it started have been loaded (or failed). */
  readonly synced: Promise<void>;
  /** The watch of the plugin set (resumed by the node when it stalls). */
  readonly watch: ResumableWatch;
  /** Stops watching; the plugins stay loaded (the host removes them). */
  stop(): Promise<void>;
}

const installed = (record: PluginRecord) => `${record.digest}:${JSON.stringify(record.config)}`;

/**
 * Watches the swarm's plugin set and keeps this node's plugins in line with it, live: an added
 * (or enabled) plugin is fetched, checked against its sha256, unpacked and loaded; a removed
 * (or disabled) one is unloaded (its cells stop and keep their snapshots); a replaced one is
 * unloaded, then loaded again. A plugin that cannot load is reported by the host and skipped.
 * Changes are applied one at a time, in order.
 */
export async function startSwarmPlugins(options: SwarmPluginsOptions): Promise<SwarmPlugins> {
  const { store, host, logger } = options;
  const current = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  const unload = async (id: string) => {
    current.delete(id);
    await host.remove(id);
  };

  const install = async (record: PluginRecord) => {
    const dir = join(options.dir, record.id, record.digest.slice(0, 16));
    const data = await store.fetch(record);
    if (!data) throw new PluginError(`plugin ${record.id}: its pack ${record.pack} is missing`, PLUGIN_FAILURE.module);
    const digest = packDigest(data);
    if (digest !== record.digest) {
      throw new PluginError(
        `plugin ${record.id}: pack sha256 ${digest.slice(0, 16)}… does not match the swarm's ${record.digest.slice(0, 16)}…`,
        PLUGIN_FAILURE.digest,
      );
    }
    await unpackPlugin(data, dir);
    const loaded = await loadPlugin(dir, { ...options.load, manifestName: `${record.id}/plugin.json` });
    await host.add(loaded, { config: record.config });
  };

  const apply = async (change: PluginChange) => {
    if (stopped) return;
    if (change.op === 'delete') {
      await unload(change.id);
      rmSync(join(options.dir, change.id), { recursive: true, force: true });
      return;
    }
    const { record } = change;
    if (!record.enabled) {
      await unload(record.id);
      return;
    }
    if (current.get(record.id) === installed(record) && host.has(record.id)) return;
    if (host.has(record.id)) await unload(record.id);
    current.set(record.id, installed(record));
    try {
      await install(record);
    } catch (err) {
      // host.add has recorded its own failures; the loader's and the fetch's are recorded here.
      if (!host.status().some((s) => s.id === record.id)) host.recordFailure(record.id, record.version, err);
      logger.error({ err, plugin: record.id, version: record.version }, 'plugin not loaded');
    }
  };

  let resolveSynced!: () => void;
  const synced = new Promise<void>((r) => {
    resolveSynced = r;
  });
  const watch = await store.watch(
    (change) => {
      queue = queue
        .then(() => apply(change))
        .then(() => options.onChange?.())
        .catch((err: unknown) => logger.error({ err }, 'plugin change failed'));
    },
    () => {
      queue = queue.then(resolveSynced);
    },
  );
  return {
    synced,
    watch,
    async stop() {
      stopped = true;
      watch.stop();
      await queue;
    },
  };
}
