import { describe, expect, it } from 'vitest';
import { planDrain } from '../src/coordination/drain-plan.js';
import { planReplacement } from '../src/coordination/replacement-plan.js';
import type { CellSpec } from '../src/persistence/desired-cells.js';

const spec = (id: string, node: string, extra: Partial<CellSpec> = {}): CellSpec => ({
  id,
  type: 't',
  config: {},
  node,
  epoch: 1,
  createdAt: 0,
  ...extra,
});

describe('drain-plan', () => {
  const nodes = [
    { node: 'a', status: 'alive' as const },
    { node: 'b', status: 'alive' as const, drained: true },
    { node: 'c', status: 'alive' as const },
  ];

  it('moves the cells of a drained node, pinned ones too, to the emptiest schedulable nodes, a batch at a time', () => {
    const specs = [
      spec('a1', 'a'),
      spec('a2', 'a'),
      spec('b1', 'b'),
      spec('b2', 'b', { pin: 'b' }),
      spec('b3', 'b'),
      spec('b4', 'b'),
    ];
    const plan = planDrain(specs, nodes, { maxMoves: 3 });
    expect(plan.moves.map((m) => [m.spec.id, m.to])).toEqual([
      ['b1', 'c'],
      ['b2', 'c'],
      ['b3', 'a'],
    ]);
    expect(plan.remaining).toBe(1);
  });

  it('leaves cells already in handoff alone and counts them for the node they go to', () => {
    const specs = [spec('b1', 'b', { handoffTo: 'c' }), spec('b2', 'b')];
    expect(planDrain(specs, nodes, { maxMoves: 5 })).toEqual({ moves: [{ spec: specs[1], to: 'a' }], remaining: 0 });
  });

  it('moves nothing without a schedulable live node, or when no drained node is live', () => {
    const specs = [spec('b1', 'b')];
    const onlyDrained = [{ node: 'b', status: 'alive' as const, drained: true }];
    expect(planDrain(specs, onlyDrained, { maxMoves: 5 })).toEqual({ moves: [], remaining: 1 });
    const down = [
      { node: 'a', status: 'alive' as const },
      { node: 'b', status: 'suspect' as const, drained: true },
    ];
    expect(planDrain(specs, down, { maxMoves: 5 })).toEqual({ moves: [], remaining: 0 });
  });

  it('never re-places the cells of a dead node onto a drained one', () => {
    const live = [
      { node: 'a', status: 'suspect' as const },
      { node: 'b', status: 'alive' as const, drained: true },
    ];
    expect(planReplacement([spec('a1', 'a')], live, { sinceOfficeMs: 0 })).toEqual([]);
    const moves = planReplacement([spec('a1', 'a')], [...live, { node: 'c', status: 'alive' }], { sinceOfficeMs: 0 });
    expect(moves.map((m) => m.to)).toEqual(['c']);
  });
});
