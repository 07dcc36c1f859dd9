// A partition that flaps: a proxy in front of the minority node is cut and healed over and over,
// and each cycle records what the swarm did about it, so a bench shows the fault was a real one.

/** How often the nodes are looked at, in millis. */
const LOOK_MS = 100;

/** A follower that has not heard a leader for this long, in millis, fences its cells (the majority lease). */
const LEASE_MS = 1000;

/**
 * @typedef {object} PartitionCycle
 * @property {number} cutAt - when the proxy was cut (epoch millis).
 * @property {number | null} healAt - when it was healed; null while cut.
 * @property {number | null} fencedMs - cut → the minority node had not heard a leader for the lease (its cells fenced).
 * @property {number | null} movedMs - cut → the cell ran on a majority node (re-placed by the leader).
 * @property {number | null} homeMs - heal → the cell ran on the minority node only (handed back home).
 */

/**
 * Cuts `proxy` for `cutMs`, heals it for `healMs`, and again, until stopped; meanwhile watches
 * where `cellId` (pinned to `minority`) runs and whether `minority` still hears a leader.
 * @param {{
 *   proxy: import('./partition-proxy.mjs').PartitionProxy,
 *   cutMs: number,
 *   healMs: number,
 *   minority: import('@hms/runtime').NodeHost,
 *   nodes: readonly import('@hms/runtime').NodeHost[],
 *   cellId: string,
 * }} options
 * @returns {{ cycles: PartitionCycle[], stop: () => Promise<void> }} `stop` heals the proxy and resolves once the loop ended.
 */
export function startPartitionCycles({ proxy, cutMs, healMs, minority, nodes, cellId }) {
  /** @type {PartitionCycle[]} */
  const cycles = [];
  let stopped = false;
  let wake = () => undefined;
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const look = setInterval(() => {
    const cycle = cycles.at(-1);
    if (!cycle) return;
    const now = Date.now();
    const on = nodes.filter((n) => n.cells().some((c) => c.id === cellId)).map((n) => n.nodeId);
    if (cycle.healAt === null) {
      if (cycle.fencedMs === null && now - minority.election().lastLeaderContact > LEASE_MS)
        cycle.fencedMs = now - cycle.cutAt;
      if (cycle.movedMs === null && on.some((id) => id !== minority.nodeId)) cycle.movedMs = now - cycle.cutAt;
    } else if (cycle.homeMs === null && on.length === 1 && on[0] === minority.nodeId) {
      cycle.homeMs = now - cycle.healAt;
    }
  }, LOOK_MS);
  const loop = (async () => {
    while (!stopped) {
      cycles.push({ cutAt: Date.now(), healAt: null, fencedMs: null, movedMs: null, homeMs: null });
      proxy.cut();
      await pause(cutMs);
      proxy.heal();
      /** @type {PartitionCycle} */ (cycles.at(-1)).healAt = Date.now();
      if (!stopped) await pause(healMs);
    }
  })();
  return {
    cycles,
    stop: async () => {
      stopped = true;
      wake();
      await loop;
      clearInterval(look);
    },
  };
}

/** One line on what the cycles did: how many, and when the cell was fenced, moved away and came home (medians). */
export function describeCycles(cycles) {
  const median = (xs) => {
    if (xs.length === 0) return '-';
    const s = [...xs].sort((a, b) => a - b);
    return `${(s[Math.floor(s.length / 2)] / 1000).toFixed(1)} s`;
  };
  const of = (key) => cycles.map((c) => c[key]).filter((v) => v !== null);
  const healed = cycles.filter((c) => c.healAt !== null && c.homeMs !== null);
  return (
    `${cycles.length} cuts; minority fenced in ${of('fencedMs').length} (median ${median(of('fencedMs'))} after the cut), ` +
    `cell re-placed on the majority in ${of('movedMs').length} (median ${median(of('movedMs'))}), ` +
    `home again in ${healed.length} heals (median ${median(of('homeMs'))} after the heal)`
  );
}
