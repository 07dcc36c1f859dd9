import { type KV, Kvm } from '@nats-io/kv';
import type { Logger } from '../logger.js';
import { bucketNames } from '../persistence/bucket-names.js';
import { storageReplicas } from '../persistence/storage-replicas.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import type { DurableElectionState } from './election-core.js';

/** The leader as recorded with compare-and-set: every swarm-wide write it makes is fenced by this term. */
export interface LeaderRecord {
  term: number;
  node: string;
  /** Epoch millis when it took office. */
  at: number;
}

/**
 * What the election keeps in JetStream KV `hms-<swarm>-election`: each node's durable vote
 * (`vote.<node>`), the voting membership (`members`) and the leader record (`leader`).
 *
 * Membership rule: the voting members change one node at a time, each change a compare-and-set
 * on `members`; a node joins when it starts and leaves only gracefully (or when an operator
 * removes it). A dead node stays a voting member, so a majority is always a majority of the
 * same set and two sides of a partition can never both have one.
 */
export class ElectionStore {
  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  static async open(transport: Transport, swarm: string, logger: Logger): Promise<ElectionStore> {
    const kv = await new Kvm(transport.nc).create(bucketNames(swarm).election, {
      history: 1,
      replicas: storageReplicas(transport),
      // Reads from the stream leader only: a replica catching up after a restart or a partition
      // served a membership without nodes that had joined since (chaos seed 6012).
      allow_direct: false,
    });
    return new ElectionStore(kv, logger.child({ component: 'election-store' }));
  }

  async loadVote(node: string): Promise<DurableElectionState | undefined> {
    assertToken(node, 'node id');
    const e = await this.kv.get(`vote.${node}`);
    return e?.operation === 'PUT' ? (e.json() as DurableElectionState) : undefined;
  }

  async saveVote(node: string, state: DurableElectionState): Promise<void> {
    await this.kv.put(`vote.${node}`, JSON.stringify({ term: state.term, votedFor: state.votedFor }));
  }

  /** The voting members, sorted. */
  async members(): Promise<string[]> {
    const e = await this.kv.get('members');
    return e?.operation === 'PUT' ? (e.json() as string[]) : [];
  }

  /** Adds or removes one member with compare-and-set; resolves with the new membership. */
  async changeMembers(change: { add?: string; remove?: string }): Promise<string[]> {
    for (;;) {
      const e = await this.kv.get('members');
      const current = e?.operation === 'PUT' ? (e.json() as string[]) : [];
      const next = new Set(current);
      if (change.add) next.add(change.add);
      if (change.remove) next.delete(change.remove);
      const sorted = [...next].sort();
      if (sorted.length === current.length && sorted.every((m, i) => m === current[i])) return current;
      try {
        if (e) await this.kv.update('members', JSON.stringify(sorted), e.revision);
        else await this.kv.create('members', JSON.stringify(sorted));
        return sorted;
      } catch (err) {
        this.logger.debug({ err }, 'membership changed concurrently; retrying');
      }
    }
  }

  /** The current leader record, if any. */
  async leader(): Promise<LeaderRecord | undefined> {
    const e = await this.kv.get('leader');
    return e?.operation === 'PUT' ? (e.json() as LeaderRecord) : undefined;
  }

  /**
   * True when the leader record names `node` for `term` (recording it if the claim is still in
   * flight); false when a newer term is recorded: `node` was deposed and must not write.
   */
  async confirmLeadership(node: string, term: number, at: number): Promise<boolean> {
    const current = await this.leader();
    if (current && current.term === term && current.node === node) return true;
    if (current && current.term > term) return false;
    return this.claimLeadership(node, term, at);
  }

  /**
   * Records `node` as leader of `term` unless a record of a term as high or higher exists
   * (compare-and-set). Resolves false when fenced out.
   */
  async claimLeadership(node: string, term: number, at: number): Promise<boolean> {
    // A few rounds settle any race between claimants; more means the store is not writable here.
    for (let attempt = 0; attempt < 5; attempt++) {
      const e = await this.kv.get('leader');
      const current = e?.operation === 'PUT' ? (e.json() as LeaderRecord) : undefined;
      if (current && current.term >= term) return current.term === term && current.node === node;
      try {
        const value = JSON.stringify({ term, node, at } satisfies LeaderRecord);
        if (e) await this.kv.update('leader', value, e.revision);
        else await this.kv.create('leader', value);
        return true;
      } catch (err) {
        this.logger.debug({ err }, 'leader record changed concurrently; retrying');
      }
    }
    return false;
  }
}
