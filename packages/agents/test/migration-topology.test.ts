import { describe, expect, it } from 'vitest';
import { isTopology, migrationTargets } from '../src/ga-island/migration-topology.js';

const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

describe('migration topology', () => {
  it('links a ring one way round: 0→1→2→3→0', () => {
    expect([0, 1, 2, 3].map((i) => migrationTargets('ring', i, 4, Math.random))).toEqual([[1], [2], [3], [0]]);
  });

  it('sends to every other island when fully connected', () => {
    expect(migrationTargets('full', 2, 4, Math.random)).toEqual([0, 1, 3]);
  });

  it('draws `degree` distinct other islands for the random topology, reproducibly from a seed', () => {
    const a = migrationTargets('random', 1, 8, seeded(7), 3);
    expect(a).toHaveLength(3);
    expect(new Set(a).size).toBe(3);
    expect(a).not.toContain(1);
    expect(migrationTargets('random', 1, 8, seeded(7), 3)).toEqual(a);
    expect(migrationTargets('random', 0, 3, seeded(1), 10)).toEqual([1, 2]);
  });

  it('has no targets for a lone island', () => {
    expect(migrationTargets('ring', 0, 1, Math.random)).toEqual([]);
  });

  it.each([
    [4, 4],
    [-1, 4],
    [0.5, 4],
    [0, 0],
  ])('refuses island %d of %d', (index, count) => {
    expect(() => migrationTargets('ring', index, count, Math.random)).toThrow(RangeError);
  });

  it('knows the topology names, and nothing else', () => {
    expect(['ring', 'full', 'random'].every(isTopology)).toBe(true);
    expect(['star', '', 'RING', 3, null].some(isTopology)).toBe(false);
  });
});
