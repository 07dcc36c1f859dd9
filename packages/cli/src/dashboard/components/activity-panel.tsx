import { Box, Text } from 'ink';
import { type ActivityRow, clockTime } from '../health-model.js';
import { StateText } from './state-text.js';

/** A titled list of recent events (healing actions, alerts), newest first. */
export function ActivityPanel({
  title,
  rows,
  maxRows,
  empty,
  extra,
}: {
  title: string;
  rows: ActivityRow[];
  maxRows: number;
  empty: string;
  extra?: string | undefined;
}) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{title}</Text>
        {extra ? ` ${extra}` : rows.length === 0 ? ` ${empty}` : ''}
      </Text>
      {rows.slice(0, Math.max(0, maxRows)).map((r) => (
        <Text key={`${r.at}-${r.type}-${r.about}`} wrap="truncate">
          {'  '}
          {clockTime(r.at)} <StateText value={r.severity} label={r.severity === 'info' ? '·' : '!'} /> {r.text}
        </Text>
      ))}
    </Box>
  );
}
