import { Box, Text } from 'ink';
import { clockTime, mib } from '../health-model.js';
import type { MetricsPoint, MetricsSnapshot } from '../metrics-feed.js';
import { LineChart } from './line-chart.js';
import { fit } from './state-text.js';

/** The metrics a node can be charted by, switched with ← →. */
export const NODE_METRICS = ['event-loop lag (ms)', 'RSS (MiB)', 'cells', 'messages/s'] as const;

/** One node's value of metric `metric` (an index of {@link NODE_METRICS}) in a sample. */
export function nodeMetric(point: MetricsPoint, node: string, metric: number): number {
  const n = point.nodes.find((x) => x.node === node);
  switch (metric) {
    case 0:
      return n?.eventLoopLagMs ?? Number.NaN;
    case 1:
      return n ? n.rssBytes / 1024 / 1024 : Number.NaN;
    case 2:
      return n?.cells ?? Number.NaN;
    default:
      return point.cells.filter((c) => c.node === node).reduce((sum, c) => sum + (c.rate ?? 0), 0);
  }
}

/**
 * The metrics view: the metrics history (the collector's samples, up to an hour): per node its
 * latest figures, the selected node's chosen metric charted, and the busiest cells now.
 */
export function MetricsView({
  metrics,
  selected,
  metric,
  rows,
  columns,
}: {
  metrics: MetricsSnapshot;
  selected: number;
  metric: number;
  rows: number;
  columns: number;
}) {
  const { points, loading } = metrics;
  if (loading) return <Text dimColor>reading the metrics history…</Text>;
  const last = points.at(-1);
  if (!last)
    return <Text>no metric samples (is a metrics-collector cell running? hms agent create metrics-collector)</Text>;
  const nodes = last.nodes.map((n) => n.node).sort();
  const node = nodes[Math.min(selected, nodes.length - 1)] ?? '';
  const busiest = [...last.cells].sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0)).slice(0, 3);
  const chartRows = Math.max(3, rows - nodes.length - 4);
  const name = NODE_METRICS[metric % NODE_METRICS.length];
  return (
    <Box flexDirection="column">
      <Text
        bold
        wrap="truncate"
      >{`${fit('NODE', 12)} ${fit('LAG', 9)} ${fit('RSS', 9)} ${fit('CELLS', 6)} MSG/S   ${points.length} samples since ${clockTime(points[0]?.at ?? 0)}`}</Text>
      {nodes.map((id) => (
        <Text key={id} wrap="truncate" inverse={id === node}>
          {`${fit(id, 12)} ${fit(`${nodeMetric(last, id, 0).toFixed(1)}ms`, 9)} ${fit(mib(nodeMetric(last, id, 1) * 1024 * 1024), 9)} ${fit(String(nodeMetric(last, id, 2)), 6)} ${nodeMetric(last, id, 3).toFixed(1)}`}
        </Text>
      ))}
      <Text bold wrap="truncate">
        {`${name} on ${node}`} <Text dimColor>(← → metric, ↑ ↓ node)</Text>
      </Text>
      <LineChart
        values={points.map((p) => nodeMetric(p, node, metric % NODE_METRICS.length))}
        width={columns}
        height={chartRows}
      />
      <Text wrap="truncate">
        <Text bold>busiest </Text>
        {busiest.map((c) => `${c.id} ${(c.rate ?? 0).toFixed(1)}/s`).join(' · ') || 'none'}
      </Text>
    </Box>
  );
}
