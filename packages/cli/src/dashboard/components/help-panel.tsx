import { Box, Text } from 'ink';

const KEYS: Array<[string, string]> = [
  ['1 2 3 4', 'Health, Agents, Evolution, Metrics'],
  ['Tab / Shift-Tab', 'next / previous view'],
  ['↑ ↓', 'select a row (a node, a cell, an island)'],
  ['← →', 'the metric charted (Metrics)'],
  ['Enter', 'drill down: a node → its cells; a cell → its state and context'],
  ['Esc', 'back; clears the filter'],
  ['/', 'filter rows by text (Enter keeps it)'],
  ['?', 'this help'],
  ['q, Ctrl-C', 'quit'],
];

/** The key reference, shown with `?`. */
export function HelpPanel() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {KEYS.map(([k, what]) => (
        <Text key={k} wrap="truncate">
          {k.padEnd(16)} {what}
        </Text>
      ))}
      <Text dimColor>
        Data comes from subscriptions (heartbeats, raft, events, streams); cell pages are asked for only in Agents.
      </Text>
    </Box>
  );
}
