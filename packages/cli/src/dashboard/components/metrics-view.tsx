import { Box, Text } from 'ink';
import { clockTime, type HealthSnapshot, mib } from '../health-model.js';
import type { MetricsPoint, MetricsSnapshot } from '../metrics-feed.js';
import { LineChart } from './line-chart.js';
import { fit } from './state-text.js';

/**
 * The metrics a node can be charted by, switched with ← →: its message rate (live, one point per
 * heartbeat), and from the metrics history (the collector's samples, up to an hour) its
 * event-loop lag, RSS and cell count.
 */
export const NODE_METRICS = ['messages/s (live)', 'event-loop lag (ms)', 'RSS (MiB)', 'cells'] as const;

/** One node's value of history metric `metric` (an index of {@link NODE_METRICS}, 1–3) in a sample. */
export function nodeMetric(point: MetricsPoint, node: string, metric: number): number {
  const n = point.nodes.find((x) => x.node === node);
  if (!n) return Number.NaN;
  return metric === 1 ? n.eventLoopLagMs : metric === 2 ? n.rssBytes / 1024 / 1024 : n.cells;
}

/**
 * The metrics view: per node its latest figures, the selected node's chosen metric charted over
 * the history, and the busiest cells now.
 */
export function MetricsView({
  metrics,
  health,
  selected,
  metric,
  rows,
  columns,
}: {
  metrics: MetricsSnapshot;
  health: HealthSnapshot;
  selected: number;
  metric: number;
  rows: number;
  columns: number;
}) {
  const { points } = metrics;
  const last = points.at(-1);
  const nodes = [...new Set([...health.nodes.map((n) => n.node), ...(last?.nodes.map((n) => n.node) ?? [])])].sort();
  if (nodes.length === 0) return <Text dimColor>waiting for node heartbeats…</Text>;
  const node = nodes[Math.min(selected, nodes.length - 1)] ?? '';
  const which = metric % NODE_METRICS.length;
  const values = which === 0 ? (health.rates[node] ?? []) : points.map((p) => nodeMetric(p, node, which));
  const chartRows = Math.max(3, rows - nodes.length - 4);
  const history = metrics.loading
    ? 'reading the metrics history…'
    : last
      ? `history: ${points.length} samples since ${clockTime(points[0]?.at ?? 0)}`
      : 'no metric samples (hms agent create metrics-collector)';
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {`${fit('NODE', 12)} ${fit('MSG/S', 9)} ${fit('LAG', 9)} ${fit('RSS', 9)} ${fit('CELLS', 6)}`}
        <Text dimColor>{history}</Text>
      </Text>
      {nodes.map((id) => {
        const row = health.nodes.find((n) => n.node === id);
        const rate = health.rates[id]?.at(-1);
        return (
          <Text key={id} wrap="truncate" inverse={id === node}>
            {`${fit(id, 12)} ${fit(rate === undefined ? '-' : rate.toFixed(1), 9)} ${fit(row ? `${row.lagMs.toFixed(1)}ms` : '-', 9)} ${fit(row ? mib(row.rssBytes) : '-', 9)} ${fit(row ? String(row.cells) : '-', 6)}`}
          </Text>
        );
      })}
      <Text bold wrap="truncate">
        {`${NODE_METRICS[which]} on ${node}`} <Text dimColor>(← → metric, ↑ ↓ node)</Text>
      </Text>
      <LineChart values={values} width={columns} height={chartRows} />
      <Text wrap="truncate">
        <Text bold>busiest </Text>
        {health.busiest.map((c) => `${c.id}@${c.node} ${c.rate.toFixed(1)}/s`).join(' · ') || 'none'}
      </Text>
    </Box>
  );
}
