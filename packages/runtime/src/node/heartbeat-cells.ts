import { CELL_STATUS, type CellHealth, type CellPulse, type CellStatus } from '../cell/cell-status.js';
import type { BusyCell, CellTotals, NodeHeartbeat } from './node-heartbeat.js';

/** At most this many cells' health ride in one heartbeat (NATS' default max payload is 1 MiB). */
export const HEARTBEAT_MAX_CELLS = 2000;

/** How many of the busiest cells a heartbeat names. */
const BUSIEST = 10;

/** The cell part of a heartbeat. */
export type HeartbeatCellSummary = Pick<
  NodeHeartbeat,
  'cells' | 'cellCount' | 'counts' | 'totals' | 'busiest' | 'truncated'
>;

/**
 * Turns a node's cells into the cell part of its heartbeats: counts and sums for all of them,
 * detail only for the cells that are not running or whose status changed since the previous
 * heartbeat, and the busiest few with their rates. Its size depends on how many cells need
 * attention, not on how many the node hosts; so does most of its cost: every cell is looked at
 * through its counters ({@link CellPulse}), and full health is built only for the cells listed
 * (building it for all 20,000 cells of a node took ~280 ms a heartbeat).
 */
export class HeartbeatCells {
  /** Each cell's status and handled count at the previous summary, and that summary's number. */
  private readonly previous = new Map<string, { status: CellStatus; handled: number; seen: number }>();
  private previousAt = 0;
  private round = 0;
  private count = 0;

  /** How many cells the last summary covered. */
  get lastCellCount(): number {
    return this.count;
  }

  /**
   * The summary of `cells` at `now` (epoch millis); remembers them for the next one.
   * `latencyMs` gives a busiest cell's request latency over the interval, in millis; `detail`
   * gives the full health of the cells listed (default: the entries of `cells` themselves,
   * which must then be full health).
   */
  summarize(
    cells: readonly CellPulse[],
    now: number,
    latencyMs?: (cellId: string) => number | undefined,
    detail?: (ids: readonly string[]) => CellHealth[],
  ): HeartbeatCellSummary {
    const seconds = this.previousAt === 0 ? 0 : Math.max((now - this.previousAt) / 1000, 1e-3);
    const round = ++this.round;
    const counts: Partial<Record<CellStatus, number>> = {};
    const totals: CellTotals = { handled: 0, errors: 0, restarts: 0, mailbox: 0 };
    const attention: CellPulse[] = [];
    const changed: CellPulse[] = [];
    const busiest: BusyCell[] = [];
    for (const c of cells) {
      counts[c.status] = (counts[c.status] ?? 0) + 1;
      totals.handled += c.handled;
      totals.errors += c.errors;
      totals.restarts += c.restarts;
      totals.mailbox += c.mailbox;
      const before = this.previous.get(c.id);
      if (c.status !== CELL_STATUS.running) attention.push(c);
      else if (before === undefined || before.status !== c.status) changed.push(c);
      if (seconds > 0 && before !== undefined && c.handled > before.handled) {
        const rate = Math.round(((c.handled - before.handled) / seconds) * 100) / 100;
        insertBusy(busiest, {
          id: c.id,
          type: c.type,
          status: c.status,
          handled: c.handled,
          errors: c.errors,
          mailbox: c.mailbox,
          restarts: c.restarts,
          rate,
        });
      }
      if (before === undefined) this.previous.set(c.id, { status: c.status, handled: c.handled, seen: round });
      else {
        before.status = c.status;
        before.handled = c.handled;
        before.seen = round;
      }
    }
    // Cells gone since: forgotten (only when some are, to keep a steady node's beat cheap).
    if (this.previous.size > cells.length) {
      for (const [id, p] of this.previous) if (p.seen !== round) this.previous.delete(id);
    }
    if (latencyMs) {
      for (const b of busiest) {
        const ms = latencyMs(b.id);
        if (ms !== undefined) b.latencyMs = ms;
      }
    }
    this.previousAt = now;
    this.count = cells.length;
    const listed = attention.concat(changed);
    const truncated = listed.length > HEARTBEAT_MAX_CELLS;
    const shown = truncated ? listed.slice(0, HEARTBEAT_MAX_CELLS) : listed;
    return {
      cells: detail ? detail(shown.map((c) => c.id)) : (shown as CellHealth[]),
      cellCount: cells.length,
      counts,
      totals,
      busiest,
      truncated,
    };
  }
}

/** Keeps `top` the BUSIEST highest rates, sorted by rate, descending. */
function insertBusy(top: BusyCell[], cell: BusyCell): void {
  if (top.length === BUSIEST && (top[BUSIEST - 1] as BusyCell).rate >= cell.rate) return;
  let i = top.length;
  while (i > 0 && (top[i - 1] as BusyCell).rate < cell.rate) i--;
  top.splice(i, 0, cell);
  if (top.length > BUSIEST) top.pop();
}
