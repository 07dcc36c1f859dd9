import { hasRoom, leastLoaded, type NodeLoad } from './node-load.js';

/**
 * Where an unpinned cell goes whenever a node is chosen for it (a create without `--node`, the
 * re-placement of a dead node's cells, a drain, a rebalance): the `placement.policy` setting (a
 * strategy gene evolution may choose, read live by the leader at each placement).
 *
 * - `spread` (0, the default): the node with the lowest fill after taking the cell,
 *   `(cells + 1) / capacity` ({@link leastLoaded}); rebalancing evens the nodes out.
 * - `fill` (1): the fullest node that still has room for the cell — its cells stay below its
 *   capacity (`hms node start --capacity`, default 10,000) after taking it; when none has room,
 *   spread. Nodes are packed one after the other (fewer hot nodes, more idle ones to drain or
 *   stop); rebalancing moves only the cells above a node's capacity.
 * - `affinity` (2): the node with room that runs most of the cell's callers and callees, by
 *   the calls the swarm's call traces recorded recently (the heartbeats' call batches, also what
 *   `hms agent graph` shows; calls to a cell that does not exist yet count too, so a cell created
 *   after its callers tried it goes to them); ties and cells with no traced peer on a node with
 *   room: spread. Rebalancing evens out as with spread, but moves first the cells that have no
 *   traced peer on the node they leave.
 *
 * Pinned cells (`--node`) are never placed by the policy.
 */
export const PLACEMENT_POLICIES = ['spread', 'fill', 'affinity'] as const;
export type PlacementPolicy = (typeof PLACEMENT_POLICIES)[number];

/** The policy a `placement.policy` value stands for (out of range: spread). */
export function placementPolicyOf(value: number | undefined): PlacementPolicy {
  return PLACEMENT_POLICIES[value ?? 0] ?? 'spread';
}

/** A cell's traced peers (callers and callees) with the calls seen between them, by peer cell id. */
export type CallPeers = ReadonlyMap<string, number>;

/**
 * The calls between a cell and its traced peers, summed by the node each peer is on now
 * (`nodeOf`: undefined for a peer no desired cell has, which counts nowhere).
 */
export function callsByNode(peers: CallPeers, nodeOf: (id: string) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [peer, calls] of peers) {
    const node = nodeOf(peer);
    if (node !== undefined) out.set(node, (out.get(node) ?? 0) + calls);
  }
  return out;
}

/**
 * The fullest node with room for one more cell (highest `(cells + 1) / capacity` not above 1),
 * ties broken by name; undefined when none has room.
 */
export function fullestWithRoom(nodes: readonly NodeLoad[]): NodeLoad | undefined {
  let best: NodeLoad | undefined;
  let bestFill = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    if (!hasRoom(n)) continue;
    const fill = (n.cells + 1) / Math.max(1, n.capacity);
    if (fill > bestFill || (fill === bestFill && best !== undefined && n.node < best.node)) {
      best = n;
      bestFill = fill;
    }
  }
  return best;
}

/**
 * The node with room whose cells exchanged the most calls with the cell (`near`: calls by
 * node, {@link callsByNode}); ties go to the lower fill, then the name. Undefined when no node
 * with room has any.
 */
export function nearestWithRoom(nodes: readonly NodeLoad[], near: ReadonlyMap<string, number>): NodeLoad | undefined {
  let top = 0;
  let tied: NodeLoad[] = [];
  for (const n of nodes) {
    const calls = near.get(n.node) ?? 0;
    if (calls <= 0 || !hasRoom(n)) continue;
    if (calls > top) {
      top = calls;
      tied = [n];
    } else if (calls === top) tied.push(n);
  }
  return leastLoaded(tied);
}

/**
 * The node a cell should go to under `policy` (see {@link PLACEMENT_POLICIES}), among `nodes`
 * (those that may take cells now); `near` is the calls of the cell by node, read by `affinity`
 * only. Deterministic, so every leader decides alike. Undefined when `nodes` is empty.
 */
export function chooseNode(
  nodes: readonly NodeLoad[],
  policy: PlacementPolicy,
  near?: ReadonlyMap<string, number>,
): NodeLoad | undefined {
  if (policy === 'fill') return fullestWithRoom(nodes) ?? leastLoaded(nodes);
  if (policy === 'affinity' && near !== undefined && near.size > 0) {
    return nearestWithRoom(nodes, near) ?? leastLoaded(nodes);
  }
  return leastLoaded(nodes);
}

/** How a plan chooses nodes: the policy in force and, for `affinity`, the cells' traced peers. */
export interface PlacementOptions {
  /** Default `spread`. */
  policy?: PlacementPolicy;
  /** A cell's callers and callees by the call traces (see CallAffinity); none: no peers known. */
  peersOf?: (cell: string) => CallPeers;
}

/**
 * Chooses nodes for the cells of one plan: `choose` picks under the policy, and `moved` tells it
 * where a cell goes, so a cell placed later in the same plan finds its peers where they go.
 */
export function createPlanChooser(
  specs: ReadonlyArray<{ id: string; node: string; handoffTo?: string }>,
  options: PlacementOptions = {},
): { choose(cell: string, nodes: readonly NodeLoad[]): NodeLoad | undefined; moved(cell: string, to: string): void } {
  const policy = options.policy ?? 'spread';
  const { peersOf } = options;
  const affinity = policy === 'affinity' && peersOf !== undefined;
  // Where each cell is, built at the first use (only affinity needs it).
  let where: Map<string, string> | undefined;
  const located = () => {
    where ??= new Map(specs.map((s) => [s.id, s.handoffTo ?? s.node]));
    return where;
  };
  return {
    choose(cell, nodes) {
      if (!affinity) return chooseNode(nodes, policy);
      const at = located();
      return chooseNode(
        nodes,
        policy,
        callsByNode(peersOf(cell), (id) => at.get(id)),
      );
    },
    moved(cell, to) {
      if (affinity) located().set(cell, to);
    },
  };
}
