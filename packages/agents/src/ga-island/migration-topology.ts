/** How the islands of a run are linked for migration. */
export const TOPOLOGY = {
  /** Each island sends to the next one (island i → i+1, the last → the first), as DEAP and pygmo's ring. */
  ring: 'ring',
  /** Each island sends to every other. */
  full: 'full',
  /** Each island sends to `degree` other islands drawn anew at every migration. */
  random: 'random',
} as const;

export type Topology = (typeof TOPOLOGY)[keyof typeof TOPOLOGY];

/** True when `value` names a topology. */
export function isTopology(value: unknown): value is Topology {
  return typeof value === 'string' && Object.values<string>(TOPOLOGY).includes(value);
}

/**
 * The islands (indexes in `0..count-1`) that island `index` sends its migrants to. `random`
 * supplies the draws of the random topology (a seeded generator makes a run reproducible);
 * `degree` is its number of targets, default 2, at most `count - 1`.
 * @throws RangeError for an index outside the run or a count below 1.
 */
export function migrationTargets(
  topology: Topology,
  index: number,
  count: number,
  random: () => number,
  degree = 2,
): number[] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`island count must be a whole number >= 1, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`island index must be in 0..${count - 1}, got ${index}`);
  }
  if (count === 1) return [];
  const others = Array.from({ length: count }, (_, i) => i).filter((i) => i !== index);
  switch (topology) {
    case TOPOLOGY.ring:
      return [(index + 1) % count];
    case TOPOLOGY.full:
      return others;
    case TOPOLOGY.random: {
      const k = Math.min(Math.max(1, Math.floor(degree)), others.length);
      // A partial Fisher-Yates shuffle: k distinct targets.
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(random() * (others.length - i));
        [others[i], others[j]] = [others[j] as number, others[i] as number];
      }
      return others.slice(0, k).sort((a, b) => a - b);
    }
  }
}
