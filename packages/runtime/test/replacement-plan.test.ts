import { describe, expect, it } from 'vitest';
import { planReplacement } from '../src/coordination/replacement-plan.js';
import type { CellSpec } from '../src/persistence/desired-cells.js';

const spec = (id: string, node: string): CellSpec => ({ id, type: 't', config: {}, node, epoch: 1, createdAt: 0 });

describe('replacement plan', () => {
  const specs = [spec('a', 'n1'), spec('b', 'n2'), spec('c', 'n2'), spec('d', 'n3'), spec('e', 'n3')];

  it('moves the cells of a suspect node onto the least loaded live nodes', () => {
    const moves = planReplacement(
      specs,
      [
        { node: 'n1', status: 'alive' },
        { node: 'n2', status: 'alive' },
        { node: 'n3', status: 'suspect' },
      ],
      { sinceOfficeMs: 0 },
    );
    expect(moves.map((m) => [m.spec.id, m.to])).toEqual([
      ['d', 'n1'],
      ['e', 'n1'],
    ]);
  });

  it('moves the cells of a node that left at once', () => {
    const moves = planReplacement(
      [spec('a', 'n1')],
      [
        { node: 'n1', status: 'left' },
        { node: 'n2', status: 'alive' },
      ],
      { sinceOfficeMs: 0 },
    );
    expect(moves.map((m) => m.to)).toEqual(['n2']);
  });

  it('puts nothing on an overloaded node while another can take it, and never moves the overloaded node’s own cells (regression: they looked like cells of an unknown node and all moved)', () => {
    const nodes = [
      { node: 'n1', status: 'alive' as const },
      { node: 'n2', status: 'alive' as const, overloaded: true },
      { node: 'n3', status: 'suspect' as const },
    ];
    const moves = planReplacement(specs, nodes, { sinceOfficeMs: 99_999 });
    expect(moves.map((m) => [m.spec.id, m.to])).toEqual([
      ['d', 'n1'],
      ['e', 'n1'],
    ]);
  });

  it('uses overloaded nodes when every live node is overloaded', () => {
    const nodes = [
      { node: 'n2', status: 'alive' as const, overloaded: true },
      { node: 'n3', status: 'suspect' as const },
    ];
    expect(planReplacement(specs, nodes, { sinceOfficeMs: 0 }).map((m) => m.to)).toEqual(['n2', 'n2']);
  });

  it('waits a grace period before taking a node it never saw for dead', () => {
    const nodes = [{ node: 'n1', status: 'alive' as const }];
    expect(planReplacement([spec('x', 'n9')], nodes, { sinceOfficeMs: 5000 })).toEqual([]);
    expect(planReplacement([spec('x', 'n9')], nodes, { sinceOfficeMs: 10_000 }).map((m) => m.to)).toEqual(['n1']);
  });

  it('moves nothing when no node is alive, and nothing that is already on a live node', () => {
    expect(planReplacement(specs, [{ node: 'n1', status: 'suspect' }], { sinceOfficeMs: 99_999 })).toEqual([]);
    expect(
      planReplacement(
        specs,
        ['n1', 'n2', 'n3'].map((node) => ({ node, status: 'alive' as const })),
        { sinceOfficeMs: 0 },
      ),
    ).toEqual([]);
  });
});
