import { type KV, Kvm } from '@nats-io/kv';
import type { Logger } from '../logger.js';
import { bucketNames } from '../persistence/bucket-names.js';
import { storageReplicas } from '../persistence/storage-replicas.js';
import type { Transport } from '../transport/transport.js';
import {
  completeConfig,
  defaultConfig,
  type SwarmConfig,
  storedScopedSettings,
  validateChanges,
  withChanges,
} from './config-schema.js';
import type { ScopedSettings } from './scoped-settings.js';

const KEY = 'current';

/** A configuration with the version (KV revision) it was stored at; 0 = never changed. */
export interface VersionedConfig {
  version: number;
  /** The swarm-wide settings. */
  config: SwarmConfig;
  /** The scoped values (per cell type, per callee type, per edge), by scoped key; {} when none. */
  scoped: ScopedSettings;
}

/** A stored configuration document, checked: swarm-wide and scoped keys are stored side by side. */
function versioned(version: number, stored: unknown): VersionedConfig {
  return { version, config: completeConfig(stored), scoped: storedScopedSettings(stored) };
}

/**
 * The swarm configuration in JetStream KV `hms-<swarm>-config`, versioned by KV revision
 * (the last 64 versions are kept). Changes are validated before they are written, and written
 * with compare-and-set, so two operators never overwrite each other unnoticed. Nodes follow it
 * with a KV watch (an ordered consumer: it resumes after a reconnect from the last revision it
 * delivered, so no version is missed); the control plane's `config.changed` event is for people
 * watching `hms.<swarm>.>`.
 */
export class SwarmConfigStore {
  /** The highest version this process wrote. */
  private written = 0;

  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  /** The highest version this process wrote (a watch behind it has missed a change). */
  writtenVersion(): number {
    return this.written;
  }

  static async open(transport: Transport, swarm: string, logger: Logger): Promise<SwarmConfigStore> {
    const kv = await new Kvm(transport.nc).create(bucketNames(swarm).config, {
      history: 64,
      replicas: storageReplicas(transport),
    });
    return new SwarmConfigStore(kv, logger.child({ component: 'swarm-config' }));
  }

  /** The current configuration. */
  async read(): Promise<VersionedConfig> {
    const entry = await this.kv.get(KEY);
    if (entry?.operation !== 'PUT') return { version: 0, config: defaultConfig(), scoped: {} };
    return versioned(entry.revision, entry.json());
  }

  /**
   * Calls `onVersion` with the current configuration (version 0 when none was ever stored), then
   * with every version written after it. A stored value that does not validate (written around
   * the control plane, e.g. with `nats kv put`) is logged with the field it fails on and
   * skipped. Returns a function that stops watching.
   */
  async watch(onVersion: (config: VersionedConfig) => void): Promise<() => void> {
    const watch = await this.kv.watch({ key: KEY });
    let delivered = false;
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') {
          onVersion({ version: entry.revision, config: defaultConfig(), scoped: {} });
          delivered = true;
          continue;
        }
        try {
          onVersion(versioned(entry.revision, entry.json()));
          delivered = true;
        } catch (err) {
          this.logger.error(
            { err, revision: entry.revision },
            'stored configuration refused; keeping the last good one',
          );
        }
      }
    })().catch((err: unknown) => this.logger.error({ err }, 'configuration watch ended'));
    // An empty bucket delivers nothing: the defaults are the current configuration then.
    if ((await this.kv.status()).values === 0 && !delivered)
      onVersion({ version: 0, config: defaultConfig(), scoped: {} });
    return () => watch.stop();
  }

  /**
   * Applies `changes` (validated first: a refused value is never written) on top of the
   * current configuration; a scoped key set to `default` (or null) is removed.
   * @throws ValidationError naming the field.
   */
  async change(changes: Record<string, unknown>): Promise<VersionedConfig> {
    const valid = validateChanges(changes);
    for (;;) {
      const current = await this.read();
      const stored = withChanges(current.config, current.scoped, valid);
      try {
        const version =
          current.version === 0
            ? await this.kv.create(KEY, JSON.stringify(stored))
            : await this.kv.update(KEY, JSON.stringify(stored), current.version);
        this.written = Math.max(this.written, version);
        return versioned(version, stored);
      } catch (err) {
        // Someone else changed it in between: read again and re-apply on top of theirs.
        this.logger.debug({ err }, 'config changed concurrently; retrying');
      }
    }
  }

  /** Puts every setting back to its default and removes every scoped value (a new version). */
  async reset(): Promise<VersionedConfig> {
    const config = defaultConfig();
    const version = await this.kv.put(KEY, JSON.stringify(config));
    this.written = Math.max(this.written, version);
    return { version, config, scoped: {} };
  }
}
