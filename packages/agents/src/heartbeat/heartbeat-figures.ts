import type { BusyCell, CellStatus, CellTotals, NodeHeartbeat, OverloadStatus } from '@hms/runtime';

/**
 * The figures of a node heartbeat that do not grow with the node's cell count: what built-in
 * cells keep of a heartbeat (never its `cells` list, which may name up to 2,000 cells).
 */
export interface HeartbeatFigures {
  node: string;
  /** Epoch millis when the heartbeat was sent. */
  ts: number;
  /** Event-loop delay p99 over the node's last interval, in millis. */
  eventLoopLagMs: number;
  /** Resident set size, in bytes. */
  rssBytes: number;
  /** Malformed messages the node dropped since it started. */
  malformed: number;
  /** How many cells the node hosts. */
  cellCount: number;
  /** Hosted cells by status. */
  counts: Partial<Record<CellStatus, number>>;
  /** Sums over the hosted cells. */
  totals: CellTotals;
  /** The node's busiest cells since its previous heartbeat (at most 10). */
  busiest: BusyCell[];
  /** What is over its limit while the node is overloaded; null otherwise. */
  overload: OverloadStatus | null;
}

/**
 * The bounded figures of `hb`. A heartbeat from a node that predates `counts` and `totals`
 * (it listed every cell in `cells`) is upcast by counting its list, so a swarm can be upgraded
 * node by node.
 */
export function heartbeatFigures(hb: NodeHeartbeat): HeartbeatFigures {
  const legacy = hb.counts === undefined || hb.totals === undefined;
  return {
    node: hb.node,
    ts: hb.ts,
    eventLoopLagMs: hb.eventLoopLagMs,
    rssBytes: hb.rssBytes,
    malformed: hb.malformed,
    cellCount: hb.cellCount,
    counts: legacy ? countByStatus(hb.cells ?? []) : hb.counts,
    totals: legacy ? sumTotals(hb.cells ?? []) : hb.totals,
    busiest: hb.busiest ?? [],
    overload: hb.overload ?? null,
  };
}

/** Running cells over all cells of `counts`, 0..1 (1 when there are none). */
export function runningFraction(counts: Partial<Record<CellStatus, number>>): number {
  let total = 0;
  for (const n of Object.values(counts)) total += n ?? 0;
  return total === 0 ? 1 : (counts.running ?? 0) / total;
}

function countByStatus(cells: NodeHeartbeat['cells']): Partial<Record<CellStatus, number>> {
  const counts: Partial<Record<CellStatus, number>> = {};
  for (const c of cells) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
}

function sumTotals(cells: NodeHeartbeat['cells']): CellTotals {
  const totals: CellTotals = { handled: 0, errors: 0, restarts: 0, mailbox: 0 };
  for (const c of cells) {
    totals.handled += c.handled;
    totals.errors += c.errors;
    totals.restarts += c.restarts;
    totals.mailbox += c.mailbox;
  }
  return totals;
}
