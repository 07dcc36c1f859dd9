import type { CellEventRecord, StateTreeNode } from '@hms/runtime';
import { Box, Text } from 'ink';
import { stateTreeLines } from '../../inspection-text.js';
import { clockTime } from '../health-model.js';
import { stateLabel } from './agents-view.js';
import { StateText } from './state-text.js';

/**
 * One cell's answer to `hms.inspect`: its status and counters, its states (the active ones
 * marked ●), its calls in and out, its last events and its context — cut to `rows` lines.
 */
export function CellDetail({
  id,
  status,
  error,
  calls = [],
  rows,
}: {
  id: string;
  status: Record<string, unknown> | undefined;
  error: string | undefined;
  /** Its calls over the last minute, one line per peer (`→` out, `←` in). */
  calls?: string[];
  rows: number;
}) {
  if (error) return <Text wrap="truncate">{`cell ${id}: ${error} (Esc to go back)`}</Text>;
  if (!status) return <Text dimColor>{`asking ${id} for its state…`}</Text>;
  const s = status as Record<string, unknown> & { tree?: StateTreeNode; events?: CellEventRecord[] };
  const counters = ['node', 'mailbox', 'handled', 'errors', 'restarts']
    .map((k) => `${k} ${String(s[k] ?? '-')}`)
    .join(' · ');
  const events = (s.events ?? [])
    .slice(-5)
    .map(
      (e) =>
        `${clockTime(e.at)} ${e.dir === 'in' ? 'in ' : 'out'} ${e.type}${e.peer ? ` ${e.dir === 'in' ? 'from' : 'to'} ${e.peer}` : ''}`,
    );
  const lines = [
    counters,
    ...(s.lastError ? [`last error: ${String(s.lastError)}`] : []),
    ...(s.circuits ? [`circuits: ${JSON.stringify(s.circuits)}`] : []),
    'states (● active):',
    ...(s.tree ? stateTreeLines(s.tree).map((l) => `  ${l}`) : ['  (not sent by this node)']),
    `calls, last minute:${calls.length ? '' : ' none'}`,
    ...calls.map((c) => `  ${c}`),
    `last events:${events.length ? '' : ' none yet'}`,
    ...events.map((e) => `  ${e}`),
    'context:',
    ...(s.context === undefined
      ? ['  (not sent by this node)']
      : JSON.stringify(s.context, null, 2)
          .split('\n')
          .map((l) => `  ${l}`)),
  ];
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>
          cell {id} ({String(s.type ?? '')})
        </Text>{' '}
        · <StateText value={String(s.status ?? '')} /> · state <Text bold>{stateLabel(s.state)}</Text>{' '}
        <Text dimColor>(Esc back)</Text>
      </Text>
      {lines.slice(0, Math.max(1, rows - 1)).map((l, i) => (
        <Text key={`${i}:${l}`} wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}
