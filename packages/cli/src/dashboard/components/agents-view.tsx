import type { CellHealth } from '@hms/runtime';
import { Box, Text } from 'ink';
import { fit, StateText } from './state-text.js';

/** The cells that match `filter` (id, type, node or status contains it). */
export function filterCells(cells: CellHealth[], filter: string): CellHealth[] {
  if (!filter) return cells;
  const f = filter.toLowerCase();
  return cells.filter((c) => [c.id, c.type, c.node, c.status].some((v) => v.toLowerCase().includes(f)));
}

/** `"idle"`, or `active.waiting` for a nested state value. */
export function stateLabel(state: unknown): string {
  if (typeof state === 'string') return state;
  if (state && typeof state === 'object') {
    return Object.entries(state)
      .map(([k, v]) => `${k}.${stateLabel(v)}`)
      .join(',');
  }
  return '-';
}

/** The agents view: every cell with its node, status, state and counters; one selected. */
export function AgentsView({
  cells,
  loading,
  selected,
  rows,
}: {
  cells: CellHealth[];
  loading: boolean;
  selected: number;
  rows: number;
}) {
  const maxRows = Math.max(1, rows - 2);
  const first = Math.max(0, Math.min(selected - maxRows + 1, cells.length - maxRows));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {`${fit('CELL', 22)} ${fit('TYPE', 16)} ${fit('NODE', 8)} ${fit('STATUS', 8)} ${fit('STATE', 12)} ${fit('MBOX', 5)} ${fit('HANDLED', 8)} ${fit('ERR', 5)} RST`}
      </Text>
      {loading && <Text dimColor>asking the nodes for their cells…</Text>}
      {!loading && cells.length === 0 && <Text dimColor>no cells</Text>}
      {cells.slice(first, first + maxRows).map((c, i) => (
        <Text key={`${c.node}/${c.id}`} wrap="truncate" inverse={first + i === selected}>
          {fit(c.id, 22)} {fit(c.type, 16)} {fit(c.node, 8)} <StateText value={c.status} label={fit(c.status, 8)} />{' '}
          {fit(stateLabel(c.state), 12)} {fit(String(c.mailbox), 5)} {fit(String(c.handled), 8)}{' '}
          {fit(String(c.errors), 5)} {c.restarts}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        {cells.length} cells{cells.length > maxRows ? ` (${first + 1}–${Math.min(cells.length, first + maxRows)})` : ''}
      </Text>
    </Box>
  );
}
