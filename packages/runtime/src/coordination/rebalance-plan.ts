import type { CellSpec } from '../persistence/desired-cells.js';
import type { NodeLoad } from './node-load.js';
import type { Reassignment } from './replacement-plan.js';

/** What {@link planRebalance} decided. */
export interface RebalancePlan {
  /** The moves to start now (at most `maxMoves`). */
  moves: Reassignment[];
  /** Moves still needed after these, for the progress report. */
  remaining: number;
}

/**
 * Decides, purely, how to even out the load over live nodes after one joined (or returned):
 * first, pinned cells running away from their home node go back to it when it is live; then,
 * while the node most above its share (total × its capacity / all capacities) is more than one
 * cell further above it than the node most below its share, one unpinned cell moves from the
 * former to the latter. Returns at most `maxMoves` of them, so a join never moves everything at once.
 * Cells whose node is not among `nodes` are left to the replacement plan; `frozen` cells stay put.
 */
export function planRebalance(
  specs: readonly CellSpec[],
  nodes: readonly Pick<NodeLoad, 'node' | 'capacity'>[],
  options: {
    maxMoves: number;
    /** Cells not to move now (moved a moment ago); they still count toward their node's load. */
    frozen?: ReadonlySet<string>;
  },
): RebalancePlan {
  if (nodes.length < 2 && !specs.some((s) => s.pin !== undefined)) return { moves: [], remaining: 0 };
  const live = new Set(nodes.map((n) => n.node));
  const placed = specs.filter((s) => live.has(s.node) && s.handoffTo === undefined);
  const all: Reassignment[] = [];
  const byNode = new Map<string, CellSpec[]>(nodes.map((n) => [n.node, []]));
  for (const s of placed) {
    if (s.pin !== undefined && s.pin !== s.node && live.has(s.pin)) all.push({ spec: s, to: s.pin });
    else byNode.get(s.node)?.push(s);
  }
  for (const m of all) byNode.get(m.to)?.push(m.spec);

  const total = placed.length;
  const capacity = nodes.reduce((sum, n) => sum + Math.max(1, n.capacity), 0);
  const share = new Map(nodes.map((n) => [n.node, (total * Math.max(1, n.capacity)) / capacity]));
  // Cells above (or, negative, below) a node's share; moving one cell pays while the fullest
  // node's excess exceeds the emptiest node's by more than one.
  const excess = (n: string) => (byNode.get(n)?.length ?? 0) - (share.get(n) ?? 0);
  const names = nodes.map((n) => n.node).sort();
  for (;;) {
    const from = names.reduce((a, b) => (excess(b) > excess(a) ? b : a));
    const to = names.reduce((a, b) => (excess(b) < excess(a) ? b : a));
    if (excess(from) - excess(to) <= 1 + 1e-9) break;
    const cells = byNode.get(from) as CellSpec[];
    // The newest unpinned cell moves: older ones have the longer-lived state and callers.
    let pick = -1;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i] as CellSpec;
      if (
        c.pin === undefined &&
        !options.frozen?.has(c.id) &&
        (pick < 0 || c.createdAt > (cells[pick] as CellSpec).createdAt)
      )
        pick = i;
    }
    if (pick < 0) break;
    const [spec] = cells.splice(pick, 1) as [CellSpec];
    byNode.get(to)?.push(spec);
    all.push({ spec, to });
  }
  return { moves: all.slice(0, options.maxMoves), remaining: Math.max(0, all.length - options.maxMoves) };
}
