import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { CellEventRing, plainValue, stateTree, valueHasPath } from '../src/cell/cell-inspection.js';

describe('valueHasPath', () => {
  const cases: Array<[unknown, string[], boolean]> = [
    ['idle', ['idle'], true],
    ['idle', ['busy'], false],
    [{ active: 'waiting' }, ['active'], true],
    [{ active: 'waiting' }, ['active', 'waiting'], true],
    [{ active: 'waiting' }, ['active', 'busy'], false],
    [{ p: { a: 'x', b: 'y' } }, ['p', 'b', 'y'], true],
    [{ p: { a: 'x', b: 'y' } }, ['p', 'c'], false],
    ['idle', ['idle', 'deeper'], false],
  ];
  for (const [value, path, expected] of cases) {
    it(`says ${JSON.stringify(value)} is ${expected ? '' : 'not '}in ${path.join('.')}`, () => {
      expect(valueHasPath(value, path)).toBe(expected);
    });
  }
});

describe('stateTree', () => {
  it('lists every state of a machine and marks the active ones', () => {
    const machine = setup({}).createMachine({
      id: 'm',
      initial: 'active',
      states: {
        idle: {},
        active: { initial: 'waiting', states: { waiting: {}, busy: {} } },
        done: { type: 'final' },
      },
    });
    const actor = createActor(machine).start();
    const snapshot = actor.getSnapshot();
    const tree = stateTree(machine.root, (path) => valueHasPath(snapshot.value, path));
    expect(tree).toEqual({
      key: 'm',
      type: 'compound',
      active: true,
      children: [
        { key: 'idle', type: 'atomic', active: false, children: [] },
        {
          key: 'active',
          type: 'compound',
          active: true,
          children: [
            { key: 'waiting', type: 'atomic', active: true, children: [] },
            { key: 'busy', type: 'atomic', active: false, children: [] },
          ],
        },
        { key: 'done', type: 'final', active: false, children: [] },
      ],
    });
    actor.stop();
  });
});

describe('plainValue', () => {
  it('keeps plain data as it is', () => {
    expect(plainValue({ a: 1, b: ['x', true, null], c: { d: 'e' } })).toEqual({
      a: 1,
      b: ['x', true, null],
      c: { d: 'e' },
    });
  });

  it('drops functions, turns bigints into strings, bytes into a size, and cuts long lists and strings', () => {
    const out = plainValue({
      f: () => 1,
      n: 10n,
      bytes: new Uint8Array(3),
      list: Array.from({ length: 60 }, (_, i) => i),
      s: 'x'.repeat(600),
    }) as Record<string, unknown>;
    expect(out.f).toBeUndefined();
    expect(out.n).toBe('10');
    expect(out.bytes).toBe('<3 bytes>');
    expect((out.list as unknown[]).length).toBe(51);
    expect((out.list as unknown[]).at(-1)).toBe('… 10 more');
    expect((out.s as string).length).toBe(501);
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(plainValue(a)).toEqual({ name: 'a', self: '…' });
  });
});

describe('CellEventRing', () => {
  it('keeps the last events, oldest first', () => {
    const ring = new CellEventRing(3);
    for (const t of ['a', 'b', 'c', 'd']) ring.record('in', t, 'x');
    expect(ring.list().map((e) => e.type)).toEqual(['b', 'c', 'd']);
    expect(ring.list()[0]).toMatchObject({ dir: 'in', peer: 'x' });
  });
});
