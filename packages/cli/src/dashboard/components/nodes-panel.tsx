import { Box, Text } from 'ink';
import { mib, type NodeRow, phiLabel } from '../health-model.js';
import { fit, StateText } from './state-text.js';

// 72 characters and 8 separators: 80 columns. The term is in the status line above the table.
const COLUMNS = [
  ['NODE', 12],
  ['STATUS', 7],
  ['PHI', 5],
  ['ROLE', 10],
  ['CELLS', 6],
  ['LAG', 8],
  ['RSS', 7],
  ['VERSION', 7],
  ['OVERLOAD', 10],
] as const;

/** The nodes table: status, phi, role, cells, event-loop lag, RSS, HMS version, overload (80 columns wide). */
export function NodesPanel({ nodes, selected, maxRows }: { nodes: NodeRow[]; selected: number; maxRows: number }) {
  const first = Math.max(0, Math.min(selected - maxRows + 1, nodes.length - maxRows));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {COLUMNS.map(([name, w]) => fit(name, w)).join(' ')}
      </Text>
      {nodes.length === 0 && <Text dimColor>waiting for node heartbeats…</Text>}
      {nodes.slice(first, first + maxRows).map((n, i) => (
        <Text key={n.node} wrap="truncate" inverse={first + i === selected}>
          {fit(n.node, 12)} <StateText value={n.state} label={fit(n.state, 7)} /> {fit(phiLabel(n.phi), 5)}{' '}
          {fit(n.role, 10)} {fit(n.state === 'down' || n.state === 'left' ? '-' : String(n.cells), 6)}{' '}
          {fit(`${n.lagMs.toFixed(1)}ms`, 8)} {fit(mib(n.rssBytes), 7)} {fit(n.version ?? '-', 7)}{' '}
          {n.overload ? <StateText value="critical" label={fit(n.overload, 10)} /> : fit('-', 10)}
        </Text>
      ))}
    </Box>
  );
}
