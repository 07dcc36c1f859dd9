import { Box, Text } from 'ink';
import { clockTime, mib } from '../health-model.js';
import type { MetricsSnapshot } from '../metrics-feed.js';
import { LineChart } from './line-chart.js';
import { fit } from './state-text.js';

/** The metric charted for the selected node: its message rate summed over its cells. */
function nodeRate(point: MetricsSnapshot['points'][number], node: string): number {
  return point.cells.filter((c) => c.node === node).reduce((sum, c) => sum + (c.rate ?? 0), 0);
}

/**
 * The metrics view: the metrics history (the collector's samples, up to an hour) — per node its
 * message rate, lag and RSS, the selected node's rate charted, and the busiest cells now.
 */
export function MetricsView({
  metrics,
  selected,
  rows,
  columns,
}: {
  metrics: MetricsSnapshot;
  selected: number;
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
  const chartRows = Math.max(3, rows - nodes.length - busiest.length - 4);
  return (
    <Box flexDirection="column">
      <Text
        bold
        wrap="truncate"
      >{`${fit('NODE', 12)} ${fit('MSG/S', 9)} ${fit('LAG', 8)} ${fit('RSS', 8)} CELLS   ${points.length} samples since ${clockTime(points[0]?.at ?? 0)}`}</Text>
      {last.nodes
        .slice()
        .sort((a, b) => a.node.localeCompare(b.node))
        .map((n) => (
          <Text key={n.node} wrap="truncate" inverse={n.node === node}>
            {`${fit(n.node, 12)} ${fit(nodeRate(last, n.node).toFixed(1), 9)} ${fit(`${n.eventLoopLagMs.toFixed(1)}ms`, 8)} ${fit(mib(n.rssBytes), 8)} ${n.cells}`}
          </Text>
        ))}
      <Text bold wrap="truncate">{`messages/s on ${node}, last ${points.length} samples`}</Text>
      <LineChart values={points.map((p) => nodeRate(p, node))} width={columns} height={chartRows} />
      <Text wrap="truncate">
        <Text bold>busiest </Text>
        {busiest.map((c) => `${c.id} ${(c.rate ?? 0).toFixed(1)}/s`).join(' · ') || 'none'}
      </Text>
    </Box>
  );
}
