import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from '../logger.js';

type KvWatch = Awaited<ReturnType<KV['watch']>>;

/**
 * A running watch of a KV bucket that can be resumed. Its changes come through a consumer on one
 * server of the cluster (nats.js's ordered consumer, which notices a lost consumer only after two
 * missed 30 s heartbeats): when that server is cut off, the watch stalls while the bucket
 * changes. Whoever notices (a node compares `applied` with the revisions its peers report, see
 * guardWatch) calls `resume`.
 */
export interface ResumableWatch {
  /** The revision of the last entry delivered (0: none yet). */
  applied(): number;
  /**
   * Starts a new watch from the revision after `applied()`, then stops the old one; an entry
   * both deliver is delivered once. Rejects, keeping the old watch, when the store does not answer.
   */
  resume(): Promise<void>;
  stop(): void;
}

/**
 * Watches every key of `kv`: `onEntry` with the last entry of every key, then with each change,
 * in revision order; `onSynced` once the entries there were at the start have all been delivered.
 * `what` names the watch in the log when it ends on an error.
 */
export async function watchResumably(
  kv: KV,
  onEntry: (entry: KvEntry) => void,
  options: { onSynced?: () => void; logger: Logger; what: string },
): Promise<ResumableWatch> {
  let applied = 0;
  let synced = false;
  let stopped = false;
  const sync = () => {
    if (synced) return;
    synced = true;
    options.onSynced?.();
  };
  const follow = (watch: KvWatch) =>
    void (async () => {
      for await (const entry of watch) {
        // A resumed watch may overlap the one it replaced.
        if (entry.revision > applied) {
          applied = entry.revision;
          onEntry(entry);
        }
        if (entry.delta === 0) sync();
      }
    })().catch((err: unknown) => options.logger.error({ err }, `${options.what} watch ended`));
  const empty = (await kv.status()).values === 0;
  let current = await kv.watch();
  if (empty) sync();
  follow(current);
  return {
    applied: () => applied,
    resume: async () => {
      if (stopped) return;
      const next = await kv.watch({ resumeFromRevision: applied + 1 });
      if (stopped) {
        next.stop();
        return;
      }
      current.stop();
      current = next;
      follow(next);
      // Resumed before the first delivery was complete: synced once nothing is left to deliver.
      if (!synced && (await kv.status()).streamInfo.state.last_seq <= applied) sync();
    },
    stop: () => {
      stopped = true;
      current.stop();
    },
  };
}
