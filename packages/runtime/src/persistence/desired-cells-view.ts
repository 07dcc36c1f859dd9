import type { CellSpec, DesiredCellChange, DesiredCells } from './desired-cells.js';

/**
 * A node's copy of the desired cells, kept current by its watch of the bucket, so the
 * coordinator and the control plane list them from memory. Listing the bucket itself opens a
 * consumer each time, which in a JetStream cluster is a round of the meta leader: at one list
 * per placement check and per `hms agent list`, that is what slowed a 3-server cluster to a
 * crawl while it lost a server. Until the watch has delivered every current spec, and for
 * re-checks, {@link DesiredCells.list} is still there.
 */
export class DesiredCellsView {
  private readonly specs = new Map<string, CellSpec & { revision: number }>();
  private readonly perNode = new Map<string, number>();
  private synced = false;

  constructor(private readonly store: DesiredCells) {}

  /** Applies one change seen by the watch. */
  apply(change: DesiredCellChange): void {
    const id = change.op === 'delete' ? change.id : change.spec.id;
    const before = this.specs.get(id);
    if (before) this.count(before.node, -1);
    if (change.op === 'delete') this.specs.delete(id);
    else {
      this.specs.set(id, { ...change.spec, revision: change.revision });
      this.count(change.spec.node, 1);
    }
  }

  private count(node: string, by: number): void {
    const n = (this.perNode.get(node) ?? 0) + by;
    if (n === 0) this.perNode.delete(node);
    else this.perNode.set(node, n);
  }

  /** How many desired cells are assigned to `node` (0 until the watch has synced). */
  assignedTo(node: string): number {
    return this.perNode.get(node) ?? 0;
  }

  /** The type of desired cell `id`; undefined for an id no desired cell has (or before the watch delivered it). */
  typeOf(id: string): string | undefined {
    return this.specs.get(id)?.type;
  }

  /** The node desired cell `id` is assigned to (or being handed to); undefined for an id no desired cell has. */
  nodeOf(id: string): string | undefined {
    const spec = this.specs.get(id);
    return spec && (spec.handoffTo ?? spec.node);
  }

  /** How many desired cells there are (0 until the watch has synced). */
  get size(): number {
    return this.specs.size;
  }

  /** True once the watch has delivered every spec that existed when it started. */
  get isSynced(): boolean {
    return this.synced;
  }

  /** Marks the initial delivery complete. */
  markSynced(): void {
    this.synced = true;
  }

  /**
   * Every desired cell: from memory once synced (with the KV revision it was seen at, for a
   * compare-and-set without reading it again), else read from the bucket.
   */
  async list(): Promise<Array<CellSpec & { revision?: number }>> {
    return this.synced ? [...this.specs.values()] : this.store.list();
  }
}
