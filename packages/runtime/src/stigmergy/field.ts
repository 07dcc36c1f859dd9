import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { bucketNames } from '../persistence/bucket-names.js';
import { storageReplicas } from '../persistence/storage-replicas.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';

/** A mark as stored: its strength when last deposited, and how it fades. */
interface StoredMark {
  strength: number;
  /** Epoch millis of the last deposit. */
  at: number;
  /** After this many millis without a deposit the mark is gone. */
  ttlMs: number;
  /** Who deposited last. */
  by: string;
}

/** The strength of a mark `elapsedMs` after its last deposit: halves every quarter of its ttl. */
export function decayed(strength: number, elapsedMs: number, ttlMs: number): number {
  if (elapsedMs >= ttlMs) return 0;
  return strength * 2 ** (-(4 * Math.max(0, elapsedMs)) / ttlMs);
}

/**
 * The stigmergy field of a swarm: marks that cells leave in JetStream KV `hms-<swarm>-field`
 * (key `<topic>.<key>`) for other cells to sense. A mark fades (its strength halves every
 * quarter of its ttl) and is gone after its ttl; deposits on the same mark add up.
 */
export class Field {
  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly bucket: string,
    private readonly clock: Clock,
    private readonly by: string,
    private readonly logger: Logger,
  ) {}

  static async open(
    transport: Transport,
    swarm: string,
    options: { clock: Clock; by: string; logger: Logger },
  ): Promise<Field> {
    const bucket = bucketNames(swarm).field;
    const kv = await new Kvm(transport.nc).create(bucket, { history: 1, replicas: storageReplicas(transport) });
    const jsm = await jetstreamManager(transport.nc);
    return new Field(
      kv,
      jsm,
      `KV_${bucket}`,
      bucket,
      options.clock,
      options.by,
      options.logger.child({ component: 'field' }),
    );
  }

  /** Adds `strength` to the mark `topic`/`key` (after decaying what was there); ttl in millis. */
  async deposit(topic: string, key: string, strength: number, ttlMs: number): Promise<number> {
    assertToken(topic, 'field topic');
    assertToken(key, 'field key');
    const id = `${topic}.${key}`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.kv.get(id);
      const now = this.clock.now();
      const old = entry?.operation === 'PUT' ? (entry.json() as StoredMark) : undefined;
      const base = old ? decayed(old.strength, now - old.at, old.ttlMs) : 0;
      const mark: StoredMark = { strength: base + strength, at: now, ttlMs: Math.max(ttlMs, 1), by: this.by };
      try {
        if (entry) await this.kv.update(id, JSON.stringify(mark), entry.revision);
        else await this.kv.create(id, JSON.stringify(mark));
        return mark.strength;
      } catch (err) {
        // Another cell deposited at the same moment: read again and add on top of theirs.
        this.logger.debug({ err, id }, 'concurrent deposit; retrying');
      }
    }
    this.logger.warn({ id }, 'deposit gave up after 5 concurrent updates');
    return 0;
  }

  /** The current strength of every live mark of `topic`, by key. */
  async sense(topic: string): Promise<Map<string, number>> {
    assertToken(topic, 'field topic');
    const out = new Map<string, number>();
    // The stream's subject list names the keys without creating a consumer: nodes sense often,
    // and in a JetStream cluster every consumer is a placement decision of the meta leader.
    const prefix = `$KV.${this.bucket}.`;
    const info = await this.jsm.streams.info(this.stream, { subjects_filter: `${prefix}${topic}.*` });
    const keys = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
    const now = this.clock.now();
    for (const id of keys) {
      const entry = await this.kv.get(id);
      if (entry?.operation !== 'PUT') continue;
      const mark = entry.json() as StoredMark;
      const strength = decayed(mark.strength, now - mark.at, mark.ttlMs);
      if (strength > 0) out.set(id.slice(topic.length + 1), strength);
    }
    return out;
  }
}
