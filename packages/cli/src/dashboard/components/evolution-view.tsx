import { Box, Text } from 'ink';
import type { EvolutionSnapshot } from '../evolution-feed.js';
import { clockTime } from '../health-model.js';
import { LineChart } from './line-chart.js';
import { fit } from './state-text.js';

const num = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(3));

/** The evolution view: per island generation, best, mean, diversity; the selected island's best fitness charted. */
export function EvolutionView({
  evolution,
  selected,
  rows,
  columns,
}: {
  evolution: EvolutionSnapshot;
  selected: number;
  rows: number;
  columns: number;
}) {
  const { islands, trials } = evolution;
  if (islands.length === 0) {
    return (
      <Box flexDirection="column">
        <Text>no GA islands reporting (start a run: hms evolve start)</Text>
        {trials.slice(0, 3).map((t) => (
          <Text key={`${t.at}-${t.type}`} wrap="truncate">{`${clockTime(t.at)} ${t.type} ${t.text}`}</Text>
        ))}
      </Box>
    );
  }
  const tableRows = Math.min(islands.length, Math.max(2, Math.floor((rows - 4) / 2)));
  const first = Math.max(0, Math.min(selected - tableRows + 1, islands.length - tableRows));
  const chosen = islands[Math.min(selected, islands.length - 1)];
  return (
    <Box flexDirection="column">
      <Text
        bold
        wrap="truncate"
      >{`${fit('ISLAND', 16)} ${fit('GEN', 7)} ${fit('BEST', 11)} ${fit('MEAN', 11)} ${fit('DIVERSITY', 10)}`}</Text>
      {islands.slice(first, first + tableRows).map((r, i) => (
        <Text key={r.key} wrap="truncate" inverse={first + i === selected}>
          {`${fit(r.key, 16)} ${fit(String(r.generation), 7)} ${fit(num(r.best), 11)} ${fit(num(r.mean), 11)} ${fit(num(r.diversity), 10)}`}
        </Text>
      ))}
      <Text
        bold
        wrap="truncate"
      >{`best fitness of ${chosen?.key ?? '-'} over its last ${chosen?.history.length ?? 0} generations`}</Text>
      <LineChart values={chosen?.history ?? []} width={columns} height={Math.max(3, rows - tableRows - 4)} />
      {trials[0] && (
        <Text wrap="truncate">{`last trial: ${clockTime(trials[0].at)} ${trials[0].type} ${trials[0].text}`}</Text>
      )}
    </Box>
  );
}
