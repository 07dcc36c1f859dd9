import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import { AlreadyExistsError, HmsError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { assertToken } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bucketNames } from './bucket-names.js';
import { type ResumableWatch, watchResumably } from './resumable-watch.js';
import { storageReplicas } from './storage-replicas.js';

/** A cell the swarm wants to exist: what it is and where it is placed. */
export interface CellSpec {
  id: string;
  type: string;
  config: unknown;
  /** The node assigned to host it. */
  node: string;
  /** Bumped on every (re)assignment; owners use it to fence stale copies. */
  epoch: number;
  /** Epoch millis of creation. */
  createdAt: number;
  /** Cells on the same node this cell depends on: when one crashes, this one restarts too. */
  dependsOn?: string[];
  /**
   * The node it is pinned to (`hms agent create --node`): rebalancing never moves it away; if
   * that node dies it runs elsewhere until the node is back, then returns home.
   */
  pin?: string;
  /** Set by the leader to move a live cell: its owner saves it, stops it and hands it over. */
  handoffTo?: string;
}

/** A change seen by {@link DesiredCells.watch}. */
export type DesiredCellChange =
  | { op: 'put'; spec: CellSpec; revision: number }
  | { op: 'delete'; id: string; revision: number };

/**
 * The desired cells of a swarm, in JetStream KV `hms-<swarm>-cells` (JSON values, readable with
 * `nats kv get`). Creating an id that exists fails atomically, so ids are unique per swarm.
 */
export class DesiredCells {
  /** The highest revision this process wrote (a create or an update acknowledged). */
  private written = 0;
  /** The last watch started. */
  private watching: ResumableWatch | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  /** The highest revision this process wrote. */
  writtenRevision(): number {
    return this.written;
  }

  /** The highest revision this process wrote or its watch delivered: how far peers may expect theirs to be. */
  knownRevision(): number {
    return Math.max(this.written, this.watching?.applied() ?? 0);
  }

  private wrote(revision: number): number {
    if (revision > this.written) this.written = revision;
    return revision;
  }

  /** Opens (creating if needed) the bucket of `swarm`. */
  static async open(transport: Transport, swarm: string, logger: Logger): Promise<DesiredCells> {
    const kv = await new Kvm(transport.nc).create(bucketNames(swarm).cells, {
      history: 1,
      replicas: storageReplicas(transport),
      // Reads from the stream leader only: a replica catching up after a partition serves stale specs.
      allow_direct: false,
    });
    return new DesiredCells(kv, logger.child({ component: 'desired-cells' }));
  }

  /** Adds a cell. @throws AlreadyExistsError when the id is taken. */
  async create(spec: CellSpec): Promise<number> {
    assertToken(spec.id, 'cell id');
    try {
      return this.wrote(await this.kv.create(spec.id, JSON.stringify(spec)));
    } catch (cause) {
      if (await this.get(spec.id)) {
        throw new AlreadyExistsError(`a cell with id ${spec.id} exists already`, { cause });
      }
      throw new HmsError(`cannot create cell ${spec.id}`, { cause });
    }
  }

  /** Replaces a spec only if it is still at `revision` (compare-and-set). */
  async update(spec: CellSpec, revision: number): Promise<number> {
    return this.wrote(await this.kv.update(spec.id, JSON.stringify(spec), revision));
  }

  /** The spec of `id`, or undefined. */
  async get(id: string): Promise<(CellSpec & { revision: number }) | undefined> {
    assertToken(id, 'cell id');
    const entry = await this.kv.get(id);
    if (entry?.operation !== 'PUT') return undefined;
    return { ...(entry.json() as CellSpec), revision: entry.revision };
  }

  /** Removes a cell. @throws NotFoundError when there is no such cell. */
  async remove(id: string): Promise<void> {
    if (!(await this.get(id))) throw new NotFoundError(`no cell with id ${id}`);
    await this.kv.delete(id);
  }

  /** Every desired cell. */
  async list(): Promise<CellSpec[]> {
    const specs: CellSpec[] = [];
    const status = await this.kv.status();
    // A watch delivers the last entry of every key (deletes too), the last one with delta 0.
    const watch = await this.kv.watch();
    if (status.values === 0) {
      watch.stop();
      return specs;
    }
    for await (const entry of watch) {
      if (entry.operation === 'PUT') {
        const spec = this.parse(entry);
        if (spec) specs.push(spec);
      }
      if (entry.delta === 0) break;
    }
    watch.stop();
    return specs;
  }

  /**
   * Calls `onChange` with every current spec, then with each change as it happens; `onSynced`
   * once the current specs have all been delivered.
   */
  async watch(onChange: (change: DesiredCellChange) => void, onSynced?: () => void): Promise<ResumableWatch> {
    this.watching = await watchResumably(
      this.kv,
      (entry) => {
        if (entry.operation === 'PUT') {
          const spec = this.parse(entry);
          if (spec) onChange({ op: 'put', spec, revision: entry.revision });
        } else {
          onChange({ op: 'delete', id: entry.key, revision: entry.revision });
        }
      },
      { ...(onSynced ? { onSynced } : {}), logger: this.logger, what: 'desired cells' },
    );
    return this.watching;
  }

  private parse(entry: KvEntry): CellSpec | undefined {
    try {
      const spec = entry.json() as CellSpec;
      if (typeof spec?.id === 'string' && typeof spec?.type === 'string') return spec;
    } catch {
      // fall through to the log below
    }
    this.logger.warn({ key: entry.key, revision: entry.revision }, 'malformed cell spec ignored');
    return undefined;
  }
}
