const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of `values` (lowest ▁, highest █); empty for no values. */
export function sparkline(values: readonly number[], width = 32): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '';
  const step = Math.max(1, Math.ceil(finite.length / width));
  const points = finite.filter((_, i) => i % step === 0 || i === finite.length - 1);
  const min = Math.min(...points);
  const max = Math.max(...points);
  return points.map((v) => BARS[max === min ? 0 : Math.round(((v - min) / (max - min)) * (BARS.length - 1))]).join('');
}
