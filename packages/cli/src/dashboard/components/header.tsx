import { Box, Text } from 'ink';
import { StateText } from './state-text.js';

/** The dashboard's views, in key order (1–4). */
export const VIEWS = ['Health', 'Agents', 'Evolution', 'Metrics'] as const;

/** A view of {@link VIEWS}. */
export type ViewName = (typeof VIEWS)[number];

/** Top line: the views with the current one marked, the swarm, the connection. */
export function Header({ view, swarm, connected }: { view: ViewName; swarm: string; connected: boolean }) {
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate">
        {VIEWS.map((v, i) => (
          <Text key={v} inverse={v === view} bold={v === view}>
            {` ${i + 1} ${v} `}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate">
        swarm {swarm} ·{' '}
        {connected ? (
          <StateText value="alive" label="connected" />
        ) : (
          <StateText value="disconnected" label="disconnected — reconnecting" />
        )}
      </Text>
    </Box>
  );
}

/** Bottom line: the keys, or the filter being typed. */
export function Footer({ filter, editing }: { filter: string; editing: boolean }) {
  return (
    <Text wrap="truncate" dimColor={!editing}>
      {editing
        ? `/${filter}▏ (Enter to keep, Esc to clear)`
        : `1-4/Tab views · ↑↓ select · Enter detail · Esc back · / filter${filter ? ` [${filter}]` : ''} · ? help · q quit`}
    </Text>
  );
}
