import type { CellSpec } from '../persistence/desired-cells.js';
import { planFillRebalance } from './fill-rebalance-plan.js';
import type { NodeLoad } from './node-load.js';
import { callsByNode, type PlacementOptions } from './placement-policy.js';
import type { Reassignment } from './replacement-plan.js';

/** What {@link planRebalance} decided. */
export interface RebalancePlan {
  /** The moves to start now (at most `maxMoves`). */
  moves: Reassignment[];
  /** Moves still needed after these, for the progress report. */
  remaining: number;
}

/**
 * A spread between the fullest and the emptiest node (in cells above their shares) up to this
 * fraction of a node's average share is left alone: creates at hundreds a second always leave a
 * few cells of difference, and chasing them moved the newest cells back and forth. Never below
 * one cell, so a small swarm is still evened out to within one.
 */
const TOLERATED_SPREAD = 0.02;

/**
 * Decides, purely, how to even out the load over live nodes after one joined (or returned):
 * first, pinned cells running away from their home node go back to it when it is live; then,
 * while the node most above its share (total × its capacity / all capacities) is further above
 * it than the node most below its share by more than the tolerated spread (one cell, or 2% of a
 * node's average share if that is more), one unpinned cell moves from the former to the latter.
 * Returns at most `maxMoves` of them, so a join never moves everything at once.
 * Cells whose node is not among `nodes` are left to the replacement plan; `frozen` cells stay put.
 *
 * Under the placement policy (`options.policy`): `spread` as above, the newest cell of a node
 * moving first; `affinity` the same, but a node's cells with no traced peer on it
 * (`options.peersOf`) move before those with one; `fill` does not even out at all
 * ({@link planFillRebalance}).
 *
 * Linear in the cells plus the moves (each node's candidates are sorted once, newest first):
 * a plan over 100,000 cells is computed in milliseconds — the quadratic version stalled a
 * leader's event loop for up to 28 s at 70,000 cells, long enough to lose its office.
 */
export function planRebalance(
  specs: readonly CellSpec[],
  nodes: readonly Pick<NodeLoad, 'node' | 'capacity'>[],
  options: {
    maxMoves: number;
    /** Cells not to move now (moved a moment ago); they still count toward their node's load. */
    frozen?: ReadonlySet<string>;
  } & PlacementOptions,
): RebalancePlan {
  if (options.policy === 'fill') return planFillRebalance(specs, nodes, options);
  if (nodes.length < 2 && !specs.some((s) => s.pin !== undefined)) return { moves: [], remaining: 0 };
  const live = new Set(nodes.map((n) => n.node));
  const all: Reassignment[] = [];
  const load = new Map<string, number>(nodes.map((n) => [n.node, 0]));
  /** Each node's movable cells, in the order seen; sorted newest first once it gives one up. */
  const movable = new Map<string, { cells: CellSpec[]; sorted: boolean; next: number }>(
    nodes.map((n) => [n.node, { cells: [], sorted: false, next: 0 }]),
  );
  let total = 0;
  for (const s of specs) {
    if (!live.has(s.node) || s.handoffTo !== undefined) continue;
    total++;
    if (s.pin !== undefined && s.pin !== s.node && live.has(s.pin)) {
      all.push({ spec: s, to: s.pin });
      load.set(s.pin, (load.get(s.pin) ?? 0) + 1);
      continue;
    }
    load.set(s.node, (load.get(s.node) ?? 0) + 1);
    if (s.pin === undefined && !options.frozen?.has(s.id)) movable.get(s.node)?.cells.push(s);
  }

  const capacity = nodes.reduce((sum, n) => sum + Math.max(1, n.capacity), 0);
  const share = new Map(nodes.map((n) => [n.node, (total * Math.max(1, n.capacity)) / capacity]));
  const tolerated = Math.max(1, (TOLERATED_SPREAD * total) / nodes.length) + 1e-9;
  // Cells above (or, negative, below) a node's share.
  const excess = (n: string) => (load.get(n) ?? 0) - (share.get(n) ?? 0);
  const names = nodes.map((n) => n.node).sort();
  for (;;) {
    const from = names.reduce((a, b) => (excess(b) > excess(a) ? b : a));
    const to = names.reduce((a, b) => (excess(b) < excess(a) ? b : a));
    if (excess(from) - excess(to) <= tolerated) break;
    const source = movable.get(from);
    if (!source || source.next >= source.cells.length) break;
    // The newest unpinned cell moves: older ones have the longer-lived state and callers.
    if (!source.sorted) {
      const tied = tiedToNode(specs, from, source.cells, options);
      source.cells.sort((a, b) => (tied.has(a.id) ? 1 : 0) - (tied.has(b.id) ? 1 : 0) || b.createdAt - a.createdAt);
      source.sorted = true;
    }
    const spec = source.cells[source.next++] as CellSpec;
    load.set(from, (load.get(from) ?? 0) - 1);
    load.set(to, (load.get(to) ?? 0) + 1);
    all.push({ spec, to });
  }
  return { moves: all.slice(0, options.maxMoves), remaining: Math.max(0, all.length - options.maxMoves) };
}

/**
 * Under `affinity`, which of `cells` (all on `node`) have a traced peer on that node: they move
 * last. Empty under other policies.
 */
function tiedToNode(
  specs: readonly CellSpec[],
  node: string,
  cells: readonly CellSpec[],
  options: PlacementOptions,
): Set<string> {
  const tied = new Set<string>();
  const { peersOf } = options;
  if (options.policy !== 'affinity' || peersOf === undefined) return tied;
  const where = new Map(specs.map((s) => [s.id, s.handoffTo ?? s.node]));
  for (const c of cells) {
    if ((callsByNode(peersOf(c.id), (id) => where.get(id)).get(node) ?? 0) > 0) tied.add(c.id);
  }
  return tied;
}
