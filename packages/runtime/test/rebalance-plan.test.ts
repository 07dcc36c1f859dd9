import { describe, expect, it } from 'vitest';
import { leastLoaded } from '../src/coordination/node-load.js';
import { planRebalance } from '../src/coordination/rebalance-plan.js';
import type { CellSpec } from '../src/persistence/desired-cells.js';

const spec = (id: string, node: string, extra: Partial<CellSpec> = {}): CellSpec => ({
  id,
  type: 't',
  config: {},
  node,
  epoch: 1,
  createdAt: Number(id.replace(/\D/g, '')) || 0,
  ...extra,
});
const cellsOn = (n: number, node: string, from = 0) => Array.from({ length: n }, (_, i) => spec(`c${from + i}`, node));
const applied = (specs: CellSpec[], moves: { spec: CellSpec; to: string }[]) => {
  const to = new Map(moves.map((m) => [m.spec.id, m.to]));
  return specs.map((s) => ({ ...s, node: to.get(s.id) ?? s.node }));
};
const count = (specs: CellSpec[]) => {
  const c: Record<string, number> = {};
  for (const s of specs) c[s.node] = (c[s.node] ?? 0) + 1;
  return c;
};

describe('rebalance plan', () => {
  it('moves cells onto a node that joined until every node holds its share, newest cells first', () => {
    const specs = [...cellsOn(9, 'n1'), ...cellsOn(9, 'n2', 9)];
    const nodes = ['n1', 'n2', 'n3'].map((node) => ({ node, capacity: 100 }));
    const plan = planRebalance(specs, nodes, { maxMoves: 100 });
    expect(plan.remaining).toBe(0);
    expect(plan.moves.every((m) => m.to === 'n3')).toBe(true);
    expect(count(applied(specs, plan.moves))).toEqual({ n1: 6, n2: 6, n3: 6 });
    expect(plan.moves.map((m) => m.spec.id)).toContain('c17');
    expect(plan.moves.map((m) => m.spec.id)).not.toContain('c0');
  });

  it('moves at most maxMoves at a time and says how many remain', () => {
    const specs = cellsOn(30, 'n1');
    const plan = planRebalance(
      specs,
      [
        { node: 'n1', capacity: 10 },
        { node: 'n2', capacity: 10 },
      ],
      { maxMoves: 4 },
    );
    expect(plan.moves).toHaveLength(4);
    expect(plan.remaining).toBe(11);
  });

  it('shares by capacity: a node sized for three times as many cells gets three times as many', () => {
    const specs = cellsOn(40, 'small');
    const plan = planRebalance(
      specs,
      [
        { node: 'small', capacity: 100 },
        { node: 'big', capacity: 300 },
      ],
      { maxMoves: 1000 },
    );
    expect(count(applied(specs, plan.moves))).toEqual({ small: 10, big: 30 });
  });

  it('never moves a pinned cell away, and brings one that ran elsewhere back to its live home node', () => {
    const specs = [
      ...cellsOn(6, 'n1').map((s) => ({ ...s, pin: 'n1' })),
      spec('p1', 'n2', { pin: 'n3' }),
      spec('p2', 'n2', { pin: 'n4' }),
    ];
    const plan = planRebalance(
      specs,
      ['n1', 'n2', 'n3'].map((node) => ({ node, capacity: 10 })),
      { maxMoves: 100 },
    );
    expect(plan.moves.map((m) => [m.spec.id, m.to])).toEqual([['p1', 'n3']]);
  });

  it('leaves an even swarm alone, and cells in handoff or on nodes it does not know', () => {
    const even = [...cellsOn(3, 'n1'), ...cellsOn(2, 'n2', 3)];
    expect(
      planRebalance(
        even,
        ['n1', 'n2'].map((node) => ({ node, capacity: 1 })),
        { maxMoves: 10 },
      ).moves,
    ).toEqual([]);
    const busy = [...cellsOn(4, 'n1').map((s) => ({ ...s, handoffTo: 'n2' })), ...cellsOn(4, 'gone', 4)];
    expect(
      planRebalance(
        busy,
        ['n1', 'n2'].map((node) => ({ node, capacity: 1 })),
        { maxMoves: 10 },
      ).moves,
    ).toEqual([]);
  });
  it('leaves the few cells of difference that creates always leave (2% of a share), but evens out a node that joined', () => {
    const five = ['n1', 'n2', 'n3', 'n4', 'n5'].map((node) => ({ node, capacity: 30_000 }));
    // 100,000 cells, 20,000 a node give or take 150 (under 2% of 20,000 = 400): left alone.
    const uneven = five.flatMap(({ node }, i) => cellsOn(20_000 + (i - 2) * 75, node, i * 30_000));
    expect(planRebalance(uneven, five, { maxMoves: 1000 }).moves).toEqual([]);
    // A sixth node joins empty: it gets cells until the spread is within the tolerance.
    const six = [...five, { node: 'n6', capacity: 30_000 }];
    const plan = planRebalance(uneven, six, { maxMoves: 1000 });
    expect(plan.moves).toHaveLength(1000);
    expect(plan.moves.every((m) => m.to === 'n6')).toBe(true);
    const needed = plan.moves.length + plan.remaining;
    expect(needed).toBeGreaterThan(16_000);
    expect(needed).toBeLessThanOrEqual(100_000 / 6);
  });
});

describe('leastLoaded', () => {
  it('picks the lowest fill after taking one more cell, ties by name', () => {
    expect(
      leastLoaded([
        { node: 'b', cells: 1, capacity: 10 },
        { node: 'a', cells: 1, capacity: 10 },
      ])?.node,
    ).toBe('a');
    expect(
      leastLoaded([
        { node: 'a', cells: 2, capacity: 10 },
        { node: 'b', cells: 5, capacity: 100 },
      ])?.node,
    ).toBe('b');
    expect(leastLoaded([])).toBeUndefined();
  });
});
