import { existsSync, readFileSync } from 'node:fs';
import type { AcceptRecord, LeaderRecord, Operation } from './chaos-records.js';

/** The clients' operations from their JSONL files (a torn last line is left out). */
export function readOperations(files: string[]): Operation[] {
  return files.flatMap((f) => (existsSync(f) ? jsonLines(f) : []) as Operation[]).filter((o) => o.end !== undefined);
}

/**
 * The leaders and cell copies the nodes recorded in their pino logs: `election changed` lines
 * with role `leader` (from the election thread) and `cell accepted` lines (debug level).
 */
export function readNodeRecords(logs: Array<{ node: string; file: string }>): {
  leaders: LeaderRecord[];
  accepts: AcceptRecord[];
} {
  const leaders: LeaderRecord[] = [];
  const accepts: AcceptRecord[] = [];
  for (const { node, file } of logs) {
    if (!existsSync(file)) continue;
    for (const line of jsonLines(file) as Array<Record<string, unknown>>) {
      if (line.msg === 'election changed' && line.role === 'leader')
        leaders.push({ node, term: Number(line.term), at: Number(line.time) });
      else if (line.msg === 'cell accepted')
        accepts.push({
          cell: String(line.cell),
          node,
          pid: Number(line.pid),
          epoch: Number(line.epoch),
          at: Number(line.time),
        });
    }
  }
  return { leaders, accepts };
}

function jsonLines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}
