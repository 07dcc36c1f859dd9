import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginRecord, PluginStore } from '@hms/runtime';
import { swarmHome } from '../local-swarm/swarm-home.js';

/**
 * The CLI's own copies of the swarm's plugins, so that `hms --help` and `hms <plugin-id> …`
 * work without NATS: `<swarm home>/plugins/<swarm>/<id>/` (the unpacked plugin) beside
 * `<id>.json` (its record). Refreshed by `hms plugin add|remove|enable|disable|list`.
 */
export function localPluginsDir(swarm: string, home = swarmHome()): string {
  return join(home, 'plugins', swarm);
}

/** A local copy: the record and where the plugin is unpacked. */
export interface LocalPlugin {
  record: PluginRecord;
  dir: string;
}

/** The local copies of `swarm`'s plugins (enabled or not). */
export function readLocalPlugins(swarm: string): LocalPlugin[] {
  const base = localPluginsDir(swarm);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        const record = JSON.parse(readFileSync(join(base, f), 'utf8')) as PluginRecord;
        return [{ record, dir: join(base, record.id) }];
      } catch {
        return [];
      }
    });
}

/** Keeps a copy of a plugin (its pack unpacked) for the CLI. */
export async function saveLocalCopy(swarm: string, record: PluginRecord, data: Uint8Array): Promise<void> {
  const base = localPluginsDir(swarm);
  mkdirSync(base, { recursive: true });
  const { unpackPlugin } = await import('@hms/runtime');
  await unpackPlugin(data, join(base, record.id));
  writeFileSync(join(base, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

/** Updates the record of a local copy (enabled, config) without touching the files. */
export function saveLocalRecord(swarm: string, record: PluginRecord): void {
  const file = join(localPluginsDir(swarm), `${record.id}.json`);
  if (existsSync(file)) writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Forgets the local copy of plugin `id`. */
export function removeLocalCopy(swarm: string, id: string): void {
  const base = localPluginsDir(swarm);
  rmSync(join(base, id), { recursive: true, force: true });
  rmSync(join(base, `${id}.json`), { force: true });
}

/** Brings the local copies in line with the swarm's plugin set. */
export async function syncLocalCopies(swarm: string, store: PluginStore, records: PluginRecord[]): Promise<void> {
  const local = new Map(readLocalPlugins(swarm).map((p) => [p.record.id, p.record]));
  for (const record of records) {
    const mine = local.get(record.id);
    local.delete(record.id);
    if (mine?.digest === record.digest) {
      if (JSON.stringify(mine) !== JSON.stringify(record)) saveLocalRecord(swarm, record);
      continue;
    }
    const data = await store.fetch(record);
    if (data) await saveLocalCopy(swarm, record, data);
  }
  for (const id of local.keys()) removeLocalCopy(swarm, id);
}
