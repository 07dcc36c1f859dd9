import { assertToken } from '../transport/subjects.js';

/** The JetStream KV buckets and streams of one swarm; named in one place like the subjects. */
export function bucketNames(swarm: string) {
  assertToken(swarm, 'swarm name');
  return {
    /** Desired cells: id → {@link CellSpec}. */
    cells: `hms-${swarm}-cells`,
    /** Persisted XState snapshots. */
    snapshots: `hms-${swarm}-snap`,
    /** Versioned swarm configuration. */
    config: `hms-${swarm}-config`,
    /** Election: durable votes, voting membership, the leader record. */
    election: `hms-${swarm}-election`,
    /** Stigmergy marks. */
    field: `hms-${swarm}-field`,
    /** The swarm's plugins: id → {@link PluginRecord} (version, digest, enabled, config). */
    plugins: `hms-${swarm}-plugins`,
    /** The packed plugins (tarballs), in a JetStream object store. */
    pluginPacks: `hms-${swarm}-plugin-packs`,
    /** The stream of an event log (`alerts`, `metrics`). */
    log: (name: string) => {
      assertToken(name, 'log name');
      return `hms-${swarm}-${name}`;
    },
  } as const;
}

/** The stream behind KV bucket `bucket` (JetStream's convention). */
export function kvStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/** The stream behind object store `store` (JetStream's convention). */
export function objectStoreStreamName(store: string): string {
  return `OBJ_${store}`;
}
