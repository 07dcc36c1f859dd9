import type { CellSpec } from '../persistence/desired-cells.js';
import type { NodeLoad } from './node-load.js';
import { fullestWithRoom } from './placement-policy.js';
import type { RebalancePlan } from './rebalance-plan.js';
import type { Reassignment } from './replacement-plan.js';

/**
 * The rebalancing of the `fill` placement policy, decided purely: nodes are not evened out (that
 * would undo the packing); first, pinned cells running away from their home node go back to it
 * when it is live; then each node holding more cells than its capacity gives up its newest
 * unpinned cells above it, each to the fullest node with room for it. A node joining moves
 * nothing unless some node is over its capacity. Returns at most `maxMoves` moves; cells whose
 * node is not among `nodes` are the replacement plan's, `frozen` cells stay put.
 */
export function planFillRebalance(
  specs: readonly CellSpec[],
  nodes: readonly Pick<NodeLoad, 'node' | 'capacity'>[],
  options: { maxMoves: number; frozen?: ReadonlySet<string> },
): RebalancePlan {
  const load = new Map<string, NodeLoad>(nodes.map((n) => [n.node, { node: n.node, cells: 0, capacity: n.capacity }]));
  const all: Reassignment[] = [];
  const movable = new Map<string, CellSpec[]>();
  for (const s of specs) {
    const at = load.get(s.node);
    if (!at || s.handoffTo !== undefined) continue;
    const home = s.pin === undefined ? undefined : load.get(s.pin);
    if (home && s.pin !== s.node) {
      all.push({ spec: s, to: home.node });
      home.cells++;
      continue;
    }
    at.cells++;
    if (s.pin === undefined && !options.frozen?.has(s.id)) {
      const list = movable.get(s.node) ?? [];
      list.push(s);
      movable.set(s.node, list);
    }
  }
  const loads = [...load.values()];
  for (const from of [...loads].sort((a, b) => a.node.localeCompare(b.node))) {
    const over = from.cells - Math.max(1, from.capacity);
    if (over <= 0) continue;
    // The newest cells leave: older ones have the longer-lived state and callers.
    const leaving = (movable.get(from.node) ?? []).sort((a, b) => b.createdAt - a.createdAt).slice(0, over);
    for (const spec of leaving) {
      const to = fullestWithRoom(loads.filter((n) => n !== from));
      if (!to) break;
      to.cells++;
      from.cells--;
      all.push({ spec, to: to.node });
    }
  }
  return { moves: all.slice(0, options.maxMoves), remaining: Math.max(0, all.length - options.maxMoves) };
}
