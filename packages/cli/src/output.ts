import { toJsonSafe } from '@hms/runtime/client';

export { type Output, processOutput } from './process-output.js';

/** One JSON document (pretty for humans reading --json, one line when `compact`). */
export function formatJson(value: unknown, compact = false): string {
  return JSON.stringify(toJsonSafe(value), null, compact ? undefined : 2);
}

/** A plain-text table with a header row, columns padded to their widest cell. */
export function formatTable<T extends object>(rows: readonly T[], columns: readonly string[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '-';
    if (typeof v !== 'object') return String(v);
    return Object.keys(v).length === 0 ? '-' : JSON.stringify(v);
  };
  const grid = [
    columns.map((c) => c.toUpperCase()),
    ...rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c]))),
  ];
  const widths = columns.map((_, i) => Math.max(...grid.map((row) => (row[i] ?? '').length)));
  return grid
    .map((row) =>
      row
        .map((v, i) => v.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
