import type { CellSpec } from '../persistence/desired-cells.js';

/** How the leader sees one node when it plans. */
export interface NodeLiveness {
  node: string;
  /** `alive`, `suspect` (phi over threshold) or `left` (graceful leave). */
  status: 'alive' | 'suspect' | 'left';
}

/** A cell to move: from a dead node to a live one, with the next epoch. */
export interface Reassignment {
  spec: CellSpec;
  to: string;
}

/** Options of {@link planReplacement}. */
export interface ReplacementOptions {
  /** Millis since this leader took office. */
  sinceOfficeMs: number;
  /** A node never seen by this leader counts as dead only after this long; default 10000. */
  unseenGraceMs?: number;
}

/**
 * Decides, purely, which cells to move: those assigned to a node that is suspect, has left, or
 * (after a grace period) was never seen; each goes to the live node with the fewest cells at
 * that point of the plan. No live node: nothing moves.
 */
export function planReplacement(
  specs: readonly CellSpec[],
  nodes: readonly NodeLiveness[],
  options: ReplacementOptions,
): Reassignment[] {
  const alive = nodes.filter((n) => n.status === 'alive').map((n) => n.node);
  if (alive.length === 0) return [];
  const known = new Map(nodes.map((n) => [n.node, n.status]));
  const graceOver = options.sinceOfficeMs >= (options.unseenGraceMs ?? 10_000);
  const load = new Map(alive.map((n) => [n, 0]));
  for (const s of specs) if (load.has(s.node)) load.set(s.node, (load.get(s.node) ?? 0) + 1);
  const moves: Reassignment[] = [];
  for (const spec of specs) {
    const status = known.get(spec.node);
    const dead = status === 'suspect' || status === 'left' || (status === undefined && graceOver);
    if (!dead) continue;
    const to = [...load].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0] as string;
    load.set(to, (load.get(to) ?? 0) + 1);
    moves.push({ spec, to });
  }
  return moves;
}
