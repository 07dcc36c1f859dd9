import asciichart from 'asciichart';
import { Box, Text } from 'ink';

/** Exactly `width` points picked evenly from `values` (stretched when fewer), the last one last. */
export function resample(values: readonly number[], width: number): number[] {
  if (values.length === 0 || width <= 0) return [];
  const step = values.length / width;
  return Array.from(
    { length: width },
    (_, i) => values[Math.min(values.length - 1, Math.ceil((i + 1) * step) - 1)] as number,
  );
}

/** A line chart of `values` (asciichart), `height` rows tall, fitted into `width` columns. */
export function LineChart({ values, width, height }: { values: number[]; width: number; height: number }) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return <Text dimColor>not enough points to chart yet</Text>;
  const plot = asciichart.plot(resample(finite, Math.max(10, width - 14)), {
    height: Math.max(2, height - 1),
    format: (x: number) => x.toPrecision(4).padStart(9),
  });
  return (
    <Box flexDirection="column">
      {plot.split('\n').map((line, i) => (
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
}
