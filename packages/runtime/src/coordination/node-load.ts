/** A live node as placement sees it. */
export interface NodeLoad {
  node: string;
  /** Cells assigned to it now. */
  cells: number;
  /** How many cells it is sized for (`hms node start --capacity`); placement weighs by it. */
  capacity: number;
}

/** The capacity a node reports when none was configured. */
export const DEFAULT_NODE_CAPACITY = 10_000;

/**
 * The node a new cell should go to: the lowest fill ratio after taking it, `(cells + 1) /
 * capacity`, ties broken by name so every leader decides alike. Undefined when `nodes` is empty.
 */
export function leastLoaded(nodes: readonly NodeLoad[]): NodeLoad | undefined {
  let best: NodeLoad | undefined;
  let bestFill = Number.POSITIVE_INFINITY;
  for (const n of nodes) {
    const fill = (n.cells + 1) / Math.max(1, n.capacity);
    if (fill < bestFill || (fill === bestFill && best !== undefined && n.node < best.node)) {
      best = n;
      bestFill = fill;
    }
  }
  return best;
}

/** True when `n` stays within its capacity after taking one more cell. */
export function hasRoom(n: NodeLoad): boolean {
  return n.cells + 1 <= Math.max(1, n.capacity);
}
