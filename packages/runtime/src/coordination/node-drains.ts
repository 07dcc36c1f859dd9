import { type KV, Kvm } from '@nats-io/kv';
import type { Logger } from '../logger.js';
import { bucketNames } from '../persistence/bucket-names.js';
import { storageReplicas } from '../persistence/storage-replicas.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';

/** The events of a drain, published by the leader on `hms.<swarm>.evt.<type>.<nodeId>`. */
export const DRAIN_EVENT = {
  /** An operator drained the node: it takes no new cells, and its cells move off. `{ node, cells, by }` */
  draining: 'node.draining',
  /** A drained node hosts no cell any more. `{ node, ms }` (since the drain began) */
  drained: 'node.drained',
  /** An operator undrained the node: it takes cells again. `{ node, by }` */
  undrained: 'node.undrained',
} as const;

/** How a drained node is marked. */
export interface DrainRecord {
  /** Epoch millis when the drain began. */
  since: number;
  /** Who asked (the `hms-from` of the request). */
  by?: string;
}

/** The drained (unschedulable) nodes of a swarm, by node id. */
export type DrainRecords = Readonly<Record<string, DrainRecord>>;

/** The key of the drained nodes in the election bucket. */
const KEY = 'drained';

/**
 * The swarm's drained nodes: `drained` → `{ <nodeId>: { since, by } }` in KV
 * `hms-<swarm>-election`, beside the voting membership. It lives in the store, not in the
 * drained node's heartbeat: it must outlive a leader change (every new leader reads it before
 * it plans) and the node itself — a drained node that is stopped and started again, as in a
 * rolling upgrade, stays unschedulable until an operator undrains it, like a cordoned
 * Kubernetes node. Changes are compare-and-set, one node at a time; the leader makes them.
 */
export class NodeDrains {
  private cached: DrainRecords = {};

  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  /** Opens the election bucket of `swarm` (creating it if needed). */
  static async open(transport: Transport, swarm: string, logger: Logger): Promise<NodeDrains> {
    const kv = await new Kvm(transport.nc).create(bucketNames(swarm).election, {
      history: 1,
      replicas: storageReplicas(transport),
    });
    return new NodeDrains(kv, logger.child({ component: 'node-drains' }));
  }

  /** The drained nodes as last read or written here (the leader reads them on taking office). */
  current(): DrainRecords {
    return this.cached;
  }

  /** Reads the drained nodes from the store. */
  async load(): Promise<DrainRecords> {
    const e = await this.kv.get(KEY);
    this.cached = e?.operation === 'PUT' ? (e.json() as DrainRecords) : {};
    return this.cached;
  }

  /**
   * Marks `node` drained (`drained: true`, keeping an earlier mark's `since`) or schedulable
   * again; resolves with the records after the change and whether anything changed.
   */
  async change(node: string, drained: boolean, by?: string): Promise<{ records: DrainRecords; changed: boolean }> {
    assertToken(node, 'node');
    for (;;) {
      const e = await this.kv.get(KEY);
      const current: Record<string, DrainRecord> = e?.operation === 'PUT' ? (e.json() as DrainRecords) : {};
      if (drained === node in current) {
        this.cached = current;
        return { records: current, changed: false };
      }
      const next = { ...current };
      if (drained) next[node] = { since: Date.now(), ...(by ? { by } : {}) };
      else delete next[node];
      try {
        if (e) await this.kv.update(KEY, JSON.stringify(next), e.revision);
        else await this.kv.create(KEY, JSON.stringify(next));
        this.cached = next;
        return { records: next, changed: true };
      } catch (err) {
        this.logger.debug({ err }, 'drained nodes changed concurrently; retrying');
      }
    }
  }
}
