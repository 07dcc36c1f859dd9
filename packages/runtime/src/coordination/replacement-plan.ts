import type { CellSpec } from '../persistence/desired-cells.js';
import { DEFAULT_NODE_CAPACITY, type NodeLoad } from './node-load.js';
import { createPlanChooser, type PlacementOptions } from './placement-policy.js';

/** How the leader sees one node when it plans. */
export interface NodeLiveness {
  node: string;
  /** `alive`, `suspect` (phi over threshold) or `left` (graceful leave). */
  status: 'alive' | 'suspect' | 'left';
  /** Cells it is sized for; default {@link DEFAULT_NODE_CAPACITY}. */
  capacity?: number;
  /** Over its limits: it takes no cells while another live node can (it is still live). */
  overloaded?: boolean;
  /** Drained by an operator (`hms node drain`): it takes no cells at all, and its cells move off. */
  drained?: boolean;
}

/** A cell to move: from a dead node to a live one, with the next epoch. */
export interface Reassignment {
  spec: CellSpec;
  to: string;
}

/** Options of {@link planReplacement}. */
export interface ReplacementOptions extends PlacementOptions {
  /** Millis since this leader took office. */
  sinceOfficeMs: number;
  /** A node never seen by this leader counts as dead only after this long; default 10000. */
  unseenGraceMs?: number;
}

/**
 * Decides, purely, which cells to move: those assigned to a node that is suspect, has left, or
 * (after a grace period) was never seen; each goes to the node the placement policy chooses
 * (`options.policy`, default spread: the lowest fill, cells / capacity) at that point of the
 * plan, among the live nodes not drained and not overloaded (all schedulable live nodes if every
 * one is overloaded). No schedulable live node: nothing
 * moves — a drained node never takes cells, not even those of a dead one.
 */
export function planReplacement(
  specs: readonly CellSpec[],
  nodes: readonly NodeLiveness[],
  options: ReplacementOptions,
): Reassignment[] {
  const live = nodes.filter((n) => n.status === 'alive' && !n.drained);
  const open = live.some((n) => !n.overloaded) ? live.filter((n) => !n.overloaded) : live;
  const load = new Map<string, NodeLoad>(
    open.map((n) => [n.node, { node: n.node, cells: 0, capacity: n.capacity ?? DEFAULT_NODE_CAPACITY }]),
  );
  if (load.size === 0) return [];
  const known = new Map(nodes.map((n) => [n.node, n.status]));
  const graceOver = options.sinceOfficeMs >= (options.unseenGraceMs ?? 10_000);
  for (const s of specs) {
    const l = load.get(s.node);
    if (l) l.cells++;
  }
  const moves: Reassignment[] = [];
  const loads = [...load.values()];
  const chooser = createPlanChooser(specs, options);
  for (const spec of specs) {
    const status = known.get(spec.node);
    const dead = status === 'suspect' || status === 'left' || (status === undefined && graceOver);
    if (!dead) continue;
    const to = chooser.choose(spec.id, loads) as NodeLoad;
    to.cells++;
    chooser.moved(spec.id, to.node);
    moves.push({ spec, to: to.node });
  }
  return moves;
}
