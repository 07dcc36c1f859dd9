import type { DesiredCells } from '../persistence/desired-cells.js';
import type { DesiredCellsView } from '../persistence/desired-cells-view.js';
import type { CellSupervisor } from '../supervision/cell-supervisor.js';

/** How many specs a node reads at once when it confirms which cells it still owns. */
const OWNERSHIP_READS_AT_ONCE = 32;

/** Keeps the cells a node hosts in line with the desired cells beyond what its watch delivers. */
export interface OwnershipSync {
  /** Compares hosted cells with the desired ones (from the bucket, or the watched copy). */
  resync(from: 'store' | 'view'): Promise<void>;
  /** Confirms each hosted cell against its spec read from the stream leader (after a cut). */
  confirm(): Promise<void>;
}

/** The ownership checks of node `nodeId`. */
export function createOwnershipSync(options: {
  nodeId: string;
  desired: DesiredCells;
  view: DesiredCellsView;
  supervisor: CellSupervisor;
  stopping: () => boolean;
}): OwnershipSync {
  const { nodeId, desired, view, supervisor, stopping } = options;
  /**
   * Compares the cells hosted here with the desired cells and applies what the watch may have
   * missed (a partition can hide updates from it): copies now assigned elsewhere stop without
   * saving, destroyed ones stop, missing ones start. Rejects when the desired cells cannot be read.
   * After a new leader (a partition may have stalled the watch) from a fresh listing of the bucket;
   * the periodic check from the watched copy, which costs no listing: listing 100,000 specs
   * every 30 s on every node was 4% of a node's CPU and a consumer each time on the server.
   */
  const resync = async (from: 'store' | 'view') => {
    if (stopping()) return;
    const listing = from === 'view' ? await view.list() : await desired.list();
    const specs = new Map(listing.map((s) => [s.id, s]));
    for (const cell of supervisor.cells()) {
      const listed = specs.get(cell.id);
      if (listed?.node === nodeId) continue;
      // Read again before stopping anything: the list may predate the cell's creation here.
      const current = await desired.get(cell.id);
      if (!current) {
        supervisor.reconcile({ op: 'delete', id: cell.id, revision: 0 });
      } else if (current.node !== nodeId) {
        const { revision, ...spec } = current;
        supervisor.reconcile({ op: 'put', spec, revision });
      }
    }
    const hosted = new Set(supervisor.cells().map((c) => c.id));
    for (const listed of specs.values()) {
      if (listed.node !== nodeId || listed.handoffTo !== undefined || hosted.has(listed.id)) continue;
      // Read again: the list may predate a destroy or a move that the watch has applied since.
      const current = await desired.get(listed.id);
      if (current?.node === nodeId && current.handoffTo === undefined) {
        const { revision, ...spec } = current;
        supervisor.reconcile({ op: 'put', spec, revision });
      }
    }
  };
  /**
   * Checks every cell hosted here against its spec read from the leader of the desired cells'
   * stream, and stops the copies assigned elsewhere or to this node at a newer epoch (and the
   * destroyed ones). Not from a listing: that comes through a consumer on whichever replica
   * holds it, and one still catching up after a heal lists specs the majority has since changed
   * (the partition test saw a copy confirmed that way). Rejects when a spec cannot be read.
   */
  const confirmOwnership = async () => {
    const mine = supervisor.hostedSpecs();
    for (let i = 0; i < mine.length; i += OWNERSHIP_READS_AT_ONCE) {
      await Promise.all(
        mine.slice(i, i + OWNERSHIP_READS_AT_ONCE).map(async (held) => {
          const current = await desired.get(held.id);
          if (stopping()) return;
          if (!current) {
            supervisor.reconcile({ op: 'delete', id: held.id, revision: 0 });
          } else if (current.node !== nodeId || current.epoch !== held.epoch) {
            const { revision, ...spec } = current;
            supervisor.reconcile({ op: 'put', spec, revision });
          }
        }),
      );
    }
  };
  return { resync, confirm: confirmOwnership };
}
