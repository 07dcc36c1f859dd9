// Small helpers shared by the benchmarks: percentiles and a plain-text table.

/** The q-quantile (0..1) of `samples` (sorted in place). */
export function percentile(samples, q) {
  samples.sort((a, b) => a - b);
  const i = Math.min(samples.length - 1, Math.max(0, Math.ceil(q * samples.length) - 1));
  return samples[i];
}

/** Prints rows (objects) as an aligned table under a title. */
export function printTable(title, rows) {
  const cols = Object.keys(rows[0]);
  const cells = [cols, ...rows.map((r) => cols.map((c) => String(r[c])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  console.log(`\n${title}`);
  for (const [n, r] of cells.entries()) {
    console.log(`| ${r.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`);
    if (n === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}
