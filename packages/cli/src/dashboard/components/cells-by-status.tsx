import { Text } from 'ink';
import { StateText } from './state-text.js';

/** One line: how many cells in each status. */
export function CellsByStatus({ byStatus, total }: { byStatus: Record<string, number>; total: number }) {
  const entries = Object.entries(byStatus)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <Text wrap="truncate">
      <Text bold>cells</Text> {total}:{' '}
      {entries.length === 0
        ? 'none'
        : entries.map(([status, n], i) => (
            <Text key={status}>
              {i > 0 ? ', ' : ''}
              {n} <StateText value={status} />
            </Text>
          ))}
    </Text>
  );
}
