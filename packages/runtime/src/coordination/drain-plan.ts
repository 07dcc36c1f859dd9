import type { CellSpec } from '../persistence/desired-cells.js';
import { DEFAULT_NODE_CAPACITY, type NodeLoad } from './node-load.js';
import { createPlanChooser, type PlacementOptions } from './placement-policy.js';
import type { RebalancePlan } from './rebalance-plan.js';
import type { NodeLiveness } from './replacement-plan.js';

/**
 * Decides, purely, which cells to move off drained nodes now: every cell on a live drained node
 * (pinned ones too: like a pinned cell whose home died, it runs elsewhere until the node is
 * undrained), not already in handoff, each to the schedulable live node the placement policy
 * chooses at that point of the plan (`options.policy`, default spread: the lowest fill) — one
 * not overloaded while any is. Returns at most `maxMoves` of
 * them and how many wait after those. Cells of a drained node that is down are the replacement
 * plan's; with no schedulable live node nothing moves.
 */
export function planDrain(
  specs: readonly CellSpec[],
  nodes: readonly NodeLiveness[],
  options: { maxMoves: number } & PlacementOptions,
): RebalancePlan {
  const drainedLive = new Set(nodes.filter((n) => n.drained && n.status === 'alive').map((n) => n.node));
  if (drainedLive.size === 0) return { moves: [], remaining: 0 };
  const schedulable = nodes.filter((n) => n.status === 'alive' && !n.drained);
  const open = schedulable.some((n) => !n.overloaded) ? schedulable.filter((n) => !n.overloaded) : schedulable;
  const load = new Map<string, NodeLoad>(
    open.map((n) => [n.node, { node: n.node, cells: 0, capacity: n.capacity ?? DEFAULT_NODE_CAPACITY }]),
  );
  const leaving: CellSpec[] = [];
  for (const s of specs) {
    // A cell in handoff already counts for the node it goes to.
    const l = load.get(s.handoffTo ?? s.node);
    if (l) l.cells++;
    if (drainedLive.has(s.node) && s.handoffTo === undefined) leaving.push(s);
  }
  if (load.size === 0 || leaving.length === 0) return { moves: [], remaining: leaving.length };
  const loads = [...load.values()];
  const chooser = createPlanChooser(specs, options);
  const moves = leaving.slice(0, Math.max(0, options.maxMoves)).map((spec) => {
    const to = chooser.choose(spec.id, loads) as NodeLoad;
    to.cells++;
    chooser.moved(spec.id, to.node);
    return { spec, to: to.node };
  });
  return { moves, remaining: leaving.length - moves.length };
}
