import { Text } from 'ink';

const COLORS: Record<string, string> = {
  healthy: 'green',
  alive: 'green',
  running: 'green',
  ok: 'green',
  info: 'green',
  degraded: 'yellow',
  late: 'yellow',
  starting: 'yellow',
  crashed: 'yellow',
  warning: 'yellow',
  stopped: 'yellow',
  critical: 'red',
  down: 'red',
  failed: 'red',
  disconnected: 'red',
};

/** A state word, coloured by what it means (colour is used for state only). */
export function StateText({ value, label }: { value: string; label?: string }) {
  const color = COLORS[value];
  return color ? <Text color={color}>{label ?? value}</Text> : <Text>{label ?? value}</Text>;
}

/** Pads or cuts `value` to `width` characters. */
export function fit(value: string, width: number): string {
  return value.length > width ? `${value.slice(0, Math.max(0, width - 1))}…` : value.padEnd(width);
}
