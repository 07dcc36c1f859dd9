import { Box, Text } from 'ink';
import { type HealthSnapshot, overallHealth } from '../health-model.js';
import { ActivityPanel } from './activity-panel.js';
import { CellsByStatus } from './cells-by-status.js';
import { NodesPanel } from './nodes-panel.js';
import { StateText } from './state-text.js';

/**
 * The health view: overall status with its reason, leader and term, nodes, cells by status,
 * healing in progress, latest alerts and connected consoles — sized to `rows` lines.
 */
export function HealthView({ health, selected, rows }: { health: HealthSnapshot; selected: number; rows: number }) {
  const overall = overallHealth(health);
  const nodeRows = Math.max(3, Math.min(health.nodes.length || 1, rows - 13));
  const left = Math.max(2, rows - nodeRows - 7);
  const healingRows = Math.ceil(left / 2) - 1;
  const alertRows = Math.floor(left / 2) - 1;
  const rebalance = health.rebalance
    ? `rebalancing: ${health.rebalance.moved} moved, ${health.rebalance.inFlight} in flight, ${health.rebalance.remaining} to go`
    : undefined;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>status </Text>
        <StateText value={overall.level} label={overall.level.toUpperCase()} /> — {overall.reason}
      </Text>
      <Text wrap="truncate">
        <Text bold>leader </Text>
        {health.leader ?? '(none)'} · term {health.term} · {health.nodes.length} nodes · {health.consoles.length}{' '}
        console{health.consoles.length === 1 ? '' : 's'}
        {health.consoles.length ? ` (${health.consoles.map((c) => c.id).join(', ')})` : ''}
      </Text>
      <NodesPanel nodes={health.nodes} selected={selected} maxRows={nodeRows} />
      <CellsByStatus byStatus={health.cellsByStatus} total={health.totalCells} />
      <ActivityPanel title="healing" rows={health.healing} maxRows={healingRows} empty="none" extra={rebalance} />
      <ActivityPanel title="alerts" rows={health.alerts} maxRows={alertRows} empty="none" />
    </Box>
  );
}
