import { Box, Text } from 'ink';
import { stateLabel } from './agents-view.js';
import { StateText } from './state-text.js';

/** One cell's answer to `hms.status`: its state value, counters, circuits and (when sent) context. */
export function CellDetail({
  id,
  status,
  error,
  rows,
}: {
  id: string;
  status: Record<string, unknown> | undefined;
  error: string | undefined;
  rows: number;
}) {
  if (error) return <Text wrap="truncate">{`cell ${id}: ${error} (Esc to go back)`}</Text>;
  if (!status) return <Text dimColor>{`asking ${id} for its status…`}</Text>;
  const { context, state, circuits, ...rest } = status;
  const lines = [
    ...Object.entries(rest).map(([k, v]) => `${k.padEnd(10)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`),
    `${'circuits'.padEnd(10)} ${circuits ? JSON.stringify(circuits) : 'none'}`,
    'context:',
    ...(context === undefined
      ? ['  (not sent by this cell)']
      : JSON.stringify(context, null, 2)
          .split('\n')
          .map((l) => `  ${l}`)),
  ];
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>cell {id}</Text> · <StateText value={String(status.status ?? '')} /> · state{' '}
        <Text bold>{stateLabel(state)}</Text> <Text dimColor>(Esc back)</Text>
      </Text>
      {lines.slice(0, Math.max(1, rows - 1)).map((l, i) => (
        <Text key={i} wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}
