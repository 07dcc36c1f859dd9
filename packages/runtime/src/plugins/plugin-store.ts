import { type KV, Kvm } from '@nats-io/kv';
import { type ObjectStore, Objm } from '@nats-io/obj';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { bucketNames } from '../persistence/bucket-names.js';
import { type ResumableWatch, watchResumably } from '../persistence/resumable-watch.js';
import { storageReplicas } from '../persistence/storage-replicas.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import type { PluginManifest } from './plugin-manifest.js';
import type { PluginPack } from './plugin-pack.js';

/** A plugin of the swarm, as KV `hms-<swarm>-plugins` holds it (JSON, one key per plugin id). */
export interface PluginRecord {
  id: string;
  name: string;
  version: string;
  /** The HMS range from its manifest. */
  hms: string;
  /** sha256 (hex) of the packed plugin; nodes refuse a pack that does not match. */
  digest: string;
  /** Bytes of the packed plugin. */
  size: number;
  /** The pack's name in the object store `hms-<swarm>-plugin-packs`. */
  pack: string;
  /** Disabled plugins stay in the set (and their cells' snapshots stay) but no node loads them. */
  enabled: boolean;
  /** Its settings, validated against its manifest's schema when added. */
  config: Record<string, unknown>;
  /** Epoch millis when it was added (or last replaced). */
  addedAt: number;
}

/** A change seen by {@link PluginStore.watch}. */
export type PluginChange = { op: 'put'; record: PluginRecord } | { op: 'delete'; id: string };

/**
 * The swarm's plugin set (KV `hms-<swarm>-plugins`) and the packed plugins (object store
 * `hms-<swarm>-plugin-packs`, one object per id and digest, so a pack never changes under a
 * node that is fetching it).
 */
export class PluginStore {
  private constructor(
    private readonly kv: KV,
    private readonly packs: ObjectStore,
    private readonly logger: Logger,
  ) {}

  /** Opens (creating if needed) the plugin buckets of `swarm`. */
  static async open(transport: Transport, swarm: string, logger: Logger): Promise<PluginStore> {
    const names = bucketNames(swarm);
    const replicas = storageReplicas(transport);
    const [kv, packs] = await Promise.all([
      new Kvm(transport.nc).create(names.plugins, { history: 1, replicas, allow_direct: false }),
      new Objm(transport.nc).create(names.pluginPacks, { replicas }),
    ]);
    return new PluginStore(kv, packs, logger.child({ component: 'plugin-store' }));
  }

  /** Adds a plugin, or replaces the one with its id; the old pack is deleted. */
  async put(manifest: PluginManifest, pack: PluginPack, config: Record<string, unknown>): Promise<PluginRecord> {
    const name = `${manifest.id}-${pack.digest.slice(0, 16)}`;
    await this.packs.putBlob({ name }, pack.data);
    const previous = await this.get(manifest.id);
    const record: PluginRecord = {
      id: manifest.id,
      name: manifest.name,
      version: manifest.version,
      hms: manifest.hms,
      digest: pack.digest,
      size: pack.data.length,
      pack: name,
      enabled: true,
      config,
      addedAt: Date.now(),
    };
    await this.kv.put(manifest.id, JSON.stringify(record));
    if (previous && previous.pack !== name) await this.deletePack(previous.pack);
    return record;
  }

  /** The record of `id`, or undefined. */
  async get(id: string): Promise<PluginRecord | undefined> {
    assertToken(id, 'plugin id');
    const entry = await this.kv.get(id);
    return entry?.operation === 'PUT' ? (entry.json() as PluginRecord) : undefined;
  }

  /** The record of `id`. @throws NotFoundError naming the known ids. */
  async require(id: string): Promise<PluginRecord> {
    const record = await this.get(id);
    if (record) return record;
    const known = (await this.list()).map((r) => r.id);
    throw new NotFoundError(`no plugin ${id} in this swarm (plugins: ${known.join(', ') || 'none'})`, {
      data: { id },
    });
  }

  /** Every plugin of the swarm, by id. */
  async list(): Promise<PluginRecord[]> {
    const out: PluginRecord[] = [];
    for await (const key of await this.kv.keys()) {
      const record = await this.get(key);
      if (record) out.push(record);
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Enables or disables a plugin. @throws NotFoundError when there is none. */
  async setEnabled(id: string, enabled: boolean): Promise<PluginRecord> {
    const record = { ...(await this.require(id)), enabled };
    await this.kv.put(id, JSON.stringify(record));
    return record;
  }

  /** Removes a plugin and its pack. @throws NotFoundError when there is none. */
  async remove(id: string): Promise<PluginRecord> {
    const record = await this.require(id);
    await this.kv.delete(id);
    await this.deletePack(record.pack);
    return record;
  }

  /** The packed plugin of `record`, or undefined when the pack is gone. */
  async fetch(record: PluginRecord): Promise<Uint8Array | undefined> {
    return (await this.packs.getBlob(record.pack)) ?? undefined;
  }

  /**
   * Calls `onChange` with every current record, then with each change as it happens; `onSynced`
   * once the current ones have been delivered.
   */
  watch(onChange: (change: PluginChange) => void, onSynced?: () => void): Promise<ResumableWatch> {
    return watchResumably(
      this.kv,
      (entry) => {
        if (entry.operation === 'PUT') {
          try {
            onChange({ op: 'put', record: entry.json() as PluginRecord });
          } catch (err) {
            this.logger.warn({ err, key: entry.key }, 'malformed plugin record ignored');
          }
        } else {
          onChange({ op: 'delete', id: entry.key });
        }
      },
      { ...(onSynced ? { onSynced } : {}), logger: this.logger, what: 'plugin set' },
    );
  }

  private async deletePack(name: string): Promise<void> {
    await this.packs.delete(name).catch((err: unknown) => this.logger.warn({ err, pack: name }, 'pack not deleted'));
  }
}
