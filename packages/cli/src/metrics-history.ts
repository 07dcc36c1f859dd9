import { formatTable } from './output.js';

/** A sample of the metrics history as `metrics.query` answers it. */
export interface HistorySample {
  /** Epoch millis. */
  at: number;
  /** Per-node figures (`node`, `cells`, `counts`, `rate`, `errorRate`, `eventLoopLagMs`, `rssBytes`, `overload`). */
  nodes: unknown;
  /** The busiest cells of the sample (only the asked-for cell's entries with `--cell`). */
  cells: Array<Record<string, unknown>>;
}

const MiB = 2 ** 20;

/**
 * The text `hms monitor metrics --history` prints: one row per node and sample (message rate,
 * cells not running, lag, memory, overload), then the busiest cells of the latest sample; with
 * `cell`, that cell's rows in the samples where it was among the busiest.
 */
export function formatMetricsHistory(samples: readonly HistorySample[], cell?: string): string {
  if (samples.length === 0) return 'no samples yet (is a metrics-collector cell running?)';
  const time = (at: number) => new Date(at).toISOString();
  if (cell !== undefined) {
    const rows = samples.flatMap((s) => s.cells.map((c) => ({ at: time(s.at), ...c })));
    return rows.length
      ? formatTable(rows, ['at', 'id', 'node', 'handled', 'rate', 'errors', 'mailbox', 'restarts'])
      : `${cell} was not among the busiest cells in these samples (its figures now: hms agent status ${cell})`;
  }
  const nodeRows = samples.flatMap((s) =>
    (Array.isArray(s.nodes) ? (s.nodes as Array<Record<string, unknown>>) : []).map((n) => ({
      at: time(s.at),
      node: n.node,
      cells: n.cells,
      notRunning: notRunning(n.counts, n.cells),
      rate: n.rate,
      errorRate: n.errorRate,
      lagMs: n.eventLoopLagMs,
      rssMiB: typeof n.rssBytes === 'number' ? Math.round(n.rssBytes / MiB) : undefined,
      overload: Array.isArray(n.overload) ? n.overload.join(',') : undefined,
    })),
  );
  const lines = [
    formatTable(nodeRows, ['at', 'node', 'cells', 'notRunning', 'rate', 'errorRate', 'lagMs', 'rssMiB', 'overload']),
  ];
  const latest = samples[samples.length - 1];
  if (latest && latest.cells.length > 0) {
    lines.push(`\nbusiest cells at ${time(latest.at)}`);
    lines.push(formatTable(latest.cells, ['id', 'type', 'node', 'rate', 'handled', 'errors', 'mailbox']));
  }
  return lines.join('\n');
}

/** Cells not running, from a node's counts by status (undefined for samples without counts). */
function notRunning(counts: unknown, cells: unknown): number | undefined {
  if (typeof counts !== 'object' || counts === null || typeof cells !== 'number') return undefined;
  return cells - ((counts as Record<string, number>).running ?? 0);
}
