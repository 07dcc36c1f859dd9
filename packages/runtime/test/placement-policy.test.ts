import { describe, expect, it } from 'vitest';
import { CallAffinity } from '../src/coordination/call-affinity.js';
import { planDrain } from '../src/coordination/drain-plan.js';
import type { NodeLoad } from '../src/coordination/node-load.js';
import {
  callsByNode,
  chooseNode,
  createPlanChooser,
  PLACEMENT_POLICIES,
  placementPolicyOf,
} from '../src/coordination/placement-policy.js';
import { planRebalance } from '../src/coordination/rebalance-plan.js';
import { planReplacement } from '../src/coordination/replacement-plan.js';
import type { CellSpec } from '../src/persistence/desired-cells.js';
import type { CallTraceBatch } from '../src/resilience/call-trace.js';

const load = (node: string, cells: number, capacity = 10): NodeLoad => ({ node, cells, capacity });
const spec = (id: string, node: string, createdAt = 0, more: Partial<CellSpec> = {}): CellSpec => ({
  id,
  type: 't',
  config: {},
  node,
  epoch: 1,
  createdAt,
  ...more,
});
const peers = (entries: Record<string, Record<string, number>>) => (cell: string) =>
  new Map(Object.entries(entries[cell] ?? {}));

describe('placement policy', () => {
  it('names each value of placement.policy, and takes a value out of range for spread', () => {
    expect([0, 1, 2].map(placementPolicyOf)).toEqual([...PLACEMENT_POLICIES]);
    expect([undefined, 3, -1].map(placementPolicyOf)).toEqual(['spread', 'spread', 'spread']);
  });

  it('spread picks the lowest fill, as leastLoaded always did', () => {
    const nodes = [load('a', 5), load('b', 2), load('c', 2, 20)];
    expect(chooseNode(nodes, 'spread')?.node).toBe('c');
    expect(chooseNode([], 'spread')).toBeUndefined();
  });

  it('fill picks the fullest node that still has room, ties by name', () => {
    expect(chooseNode([load('a', 2), load('b', 7), load('c', 0)], 'fill')?.node).toBe('b');
    expect(chooseNode([load('b', 3), load('a', 3)], 'fill')?.node).toBe('a');
    // b is full (10 of 10): the next fullest with room.
    expect(chooseNode([load('a', 2), load('b', 10), load('c', 9, 100)], 'fill')?.node).toBe('a');
    // Room is judged against each node's own capacity: 9 of 10 beats 50 of 100.
    expect(chooseNode([load('a', 9), load('c', 50, 100)], 'fill')?.node).toBe('a');
  });

  it('fill falls back to spread when no node has room', () => {
    expect(chooseNode([load('a', 10), load('b', 12, 10), load('c', 30, 20)], 'fill')?.node).toBe('a');
  });

  it('affinity picks the node with room that exchanged the most calls with the cell', () => {
    const nodes = [load('a', 0), load('b', 5), load('c', 1)];
    expect(chooseNode(nodes, 'affinity', new Map([['b', 7]]))?.node).toBe('b');
    expect(
      chooseNode(
        nodes,
        'affinity',
        new Map([
          ['b', 3],
          ['c', 4],
        ]),
      )?.node,
    ).toBe('c');
    // A tie goes to the lower fill.
    expect(
      chooseNode(
        nodes,
        'affinity',
        new Map([
          ['b', 4],
          ['c', 4],
        ]),
      )?.node,
    ).toBe('c');
  });

  it('affinity falls back to spread with no trace, with peers only on nodes not listed, or with no room near them', () => {
    const nodes = [load('a', 3), load('b', 1), load('c', 10)];
    expect(chooseNode(nodes, 'affinity')?.node).toBe('b');
    expect(chooseNode(nodes, 'affinity', new Map())?.node).toBe('b');
    expect(chooseNode(nodes, 'affinity', new Map([['gone', 9]]))?.node).toBe('b');
    expect(chooseNode(nodes, 'affinity', new Map([['c', 9]]))?.node).toBe('b');
  });

  it('sums a cell’s calls by the node each peer is on, leaving out peers no cell has', () => {
    const where: Record<string, string> = { x: 'n1', y: 'n2', z: 'n1' };
    const near = callsByNode(
      new Map([
        ['x', 2],
        ['y', 5],
        ['z', 4],
        ['unknown', 100],
      ]),
      (id) => where[id],
    );
    expect(Object.fromEntries(near)).toEqual({ n1: 6, n2: 5 });
  });

  it('a plan’s chooser finds a peer where the same plan just put it', () => {
    const chooser = createPlanChooser([spec('x', 'dead'), spec('y', 'dead')], {
      policy: 'affinity',
      peersOf: peers({ y: { x: 3 } }),
    });
    const nodes = [load('a', 0), load('b', 4)];
    chooser.moved('x', 'b');
    expect(chooser.choose('y', nodes)?.node).toBe('b');
  });
});

describe('call affinity', () => {
  const batch = (calls: Array<[string, string]>): CallTraceBatch => {
    const to = [...new Set(calls.map((c) => c[1]))];
    const from = [...new Set(calls.map((c) => c[0]))];
    return {
      to,
      dep: calls.map((c) => to.indexOf(c[1])),
      from,
      src: calls.map((c) => from.indexOf(c[0])),
      at: calls.map(() => 0),
      ms: calls.map(() => 1),
      outcome: calls.map(() => 0),
      dropped: 0,
    };
  };

  it('counts calls both ways: a callee knows its callers, a caller its callees (also one not created yet)', () => {
    const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };
    const a = new CallAffinity({ clock });
    a.observe(
      batch([
        ['caller', 'future'],
        ['caller', 'future'],
        ['other', 'future'],
        ['caller', 'caller'],
      ]),
    );
    expect(Object.fromEntries(a.peersOf('future'))).toEqual({ caller: 2, other: 1 });
    expect(Object.fromEntries(a.peersOf('caller'))).toEqual({ future: 2 });
    expect(a.peersOf('nobody').size).toBe(0);
  });

  it('forgets calls after two windows, and ignores batches without callers (older nodes)', () => {
    let now = 0;
    const a = new CallAffinity({ clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined } });
    a.observe(batch([['p', 'q']]));
    const { from: _f, src: _s, ...anonymous } = batch([['p', 'q']]);
    a.observe(anonymous);
    now = 130_000;
    a.observe(batch([['p', 'q']]));
    expect(a.peersOf('q').get('p')).toBe(2);
    now = 250_000;
    expect(a.peersOf('q').get('p')).toBe(1);
    now = 600_000;
    expect(a.peersOf('q').size).toBe(0);
  });

  it('remembers at most maxPairs pairs per window', () => {
    const a = new CallAffinity({
      clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined },
      maxPairs: 4,
    });
    a.observe(
      batch([
        ['a', 'b'],
        ['c', 'd'],
        ['e', 'f'],
      ]),
    );
    expect(a.peersOf('a').size + a.peersOf('c').size + a.peersOf('e').size).toBe(2);
    expect(a.peersOf('e').size).toBe(0);
  });
});

describe('plans under each policy', () => {
  const alive = (node: string, capacity = 10) => ({ node, status: 'alive' as const, capacity });

  it('re-places a dead node’s cells onto one node until its capacity under fill', () => {
    const specs = [spec('x1', 'n3'), spec('x2', 'n3'), spec('x3', 'n3'), spec('k', 'n1')];
    const moves = planReplacement(specs, [alive('n1', 3), alive('n2', 3), { node: 'n3', status: 'suspect' }], {
      sinceOfficeMs: 0,
      policy: 'fill',
    });
    expect(moves.map((m) => m.to)).toEqual(['n1', 'n1', 'n2']);
    // The same under spread: the lowest fill each time.
    const spread = planReplacement(specs, [alive('n1', 3), alive('n2', 3), { node: 'n3', status: 'suspect' }], {
      sinceOfficeMs: 0,
    });
    expect(spread.map((m) => m.to)).toEqual(['n2', 'n1', 'n2']);
  });

  it('re-places a dead node’s cell beside its callers under affinity', () => {
    const specs = [spec('callee', 'n3'), spec('caller', 'n2'), spec('a', 'n1'), spec('b', 'n2')];
    const nodes = [alive('n1'), alive('n2'), { node: 'n3', status: 'suspect' as const }];
    const moves = planReplacement(specs, nodes, {
      sinceOfficeMs: 0,
      policy: 'affinity',
      peersOf: peers({ callee: { caller: 5 } }),
    });
    expect(moves.map((m) => [m.spec.id, m.to])).toEqual([['callee', 'n2']]);
  });

  it('drains onto the fullest node with room under fill', () => {
    const specs = [spec('d1', 'n1'), spec('d2', 'n1'), spec('e', 'n3'), spec('f', 'n3')];
    const plan = planDrain(specs, [{ ...alive('n1'), drained: true }, alive('n2'), alive('n3', 3)], {
      maxMoves: 10,
      policy: 'fill',
    });
    expect(plan.moves.map((m) => m.to)).toEqual(['n3', 'n2']);
  });

  it('does not even nodes out under fill: only cells above a node’s capacity move, newest first, pinned ones go home', () => {
    const specs = [
      ...Array.from({ length: 5 }, (_, i) => spec(`c${i}`, 'n1', i)),
      spec('pinned', 'n1', 9, { pin: 'n2' }),
    ];
    const spread = planRebalance(specs, [load('n1', 0, 4), load('n2', 0, 4)], { maxMoves: 10 });
    expect(spread.moves.length).toBe(3);
    const fill = planRebalance(specs, [load('n1', 0, 4), load('n2', 0, 4)], { maxMoves: 10, policy: 'fill' });
    expect(fill.moves.map((m) => [m.spec.id, m.to])).toEqual([
      ['pinned', 'n2'],
      ['c4', 'n2'],
    ]);
    const roomy = planRebalance(specs.slice(0, 5), [load('n1', 0, 10), load('n2', 0, 10)], {
      maxMoves: 10,
      policy: 'fill',
    });
    expect(roomy.moves).toEqual([]);
  });

  it('under affinity, rebalancing moves first the cells with no traced peer on the node they leave', () => {
    const specs = [spec('solo', 'n1', 0), spec('friend', 'n1', 1), spec('mate', 'n1', 2), spec('new', 'n1', 3)];
    const nodes = [load('n1', 0), load('n2', 0)];
    const trace = peers({ new: { mate: 4 }, mate: { new: 4 } });
    const spread = planRebalance(specs, nodes, { maxMoves: 10 });
    expect(spread.moves.map((m) => m.spec.id)).toEqual(['new', 'mate']);
    const affinity = planRebalance(specs, nodes, { maxMoves: 10, policy: 'affinity', peersOf: trace });
    expect(affinity.moves.map((m) => m.spec.id)).toEqual(['friend', 'solo']);
  });
});
