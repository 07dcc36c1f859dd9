import { describe, expect, it } from 'vitest';
import type { AcceptRecord, ChaosRecords, Operation } from './chaos-records.js';
import { checkHistory } from './check-history.js';

let clock = 1_700_000_000_000;
/** An operation that took 10 ms, starting 20 ms after the previous one unless `at` says when. */
const op = (o: Partial<Operation> & Pick<Operation, 'outcome'>, at?: number): Operation => {
  if (at === undefined) clock += 20;
  const start = at ?? clock;
  return { client: 'c1', counter: 'k1', type: 'increment', start, end: start + 10, ...o };
};
const accept = (node: string, epoch: number, at: number, cell = 'k1'): AcceptRecord => ({
  cell,
  node,
  pid: node === 'n1' ? 101 : 102,
  epoch,
  at,
});
const run = (r: Partial<ChaosRecords>): ChaosRecords => ({
  operations: [],
  leaders: [],
  accepts: [],
  finals: [],
  lastHealAt: clock,
  recoveryBoundMs: 30_000,
  ...r,
});
const kinds = (r: Partial<ChaosRecords>) => checkHistory(run(r)).map((v) => v.kind);

describe('checkHistory', () => {
  const good = () => {
    const ops = [
      op({ outcome: 'ok', count: 1 }),
      op({ outcome: 'ok', count: 2 }),
      op({ outcome: 'info', error: 'REQUEST_TIMEOUT' }),
      op({ outcome: 'fail', error: 'CELL_FENCED' }),
      op({ outcome: 'ok', count: 4 }),
      op({ type: 'get', outcome: 'ok', count: 4 }),
    ];
    const end = clock + 100;
    return run({
      operations: ops,
      leaders: [
        { node: 'n1', term: 1, at: 1 },
        { node: 'n2', term: 2, at: 2 },
        { node: 'n2', term: 2, at: 3 },
      ],
      accepts: [accept('n1', 1, 10), accept('n1', 1, 20), accept('n2', 2, 21), accept('n2', 2, 40)],
      finals: [{ counter: 'k1', count: 4, answeredAt: end }],
      lastHealAt: end - 1000,
    });
  };

  it('passes a history with one leader per term, an unknown increment applied, and copies one after another', () => {
    expect(checkHistory(good())).toEqual([]);
  });

  it('passes when the unknown increment was not applied', () => {
    const r = good();
    r.operations = r.operations.map((o) => (o.count === 4 ? { ...o, count: 3 } : o));
    r.finals = [{ counter: 'k1', count: 3, answeredAt: r.lastHealAt + 10 }];
    expect(checkHistory(r)).toEqual([]);
  });

  it('flags two leaders in one term', () => {
    expect(
      kinds({
        leaders: [
          { node: 'n1', term: 7, at: 1 },
          { node: 'n3', term: 7, at: 2 },
        ],
      }),
    ).toEqual(['two-leaders-in-a-term']);
  });

  it('flags a lost acknowledged increment (final count below the acknowledged ones)', () => {
    const ops = [op({ outcome: 'ok', count: 1 }), op({ outcome: 'ok', count: 2 })];
    expect(kinds({ operations: ops, finals: [{ counter: 'k1', count: 1, answeredAt: clock }] })).toContain(
      'acknowledged-increment-lost',
    );
  });

  it('flags a count that went back after it was acknowledged, even when the totals add up', () => {
    // Acknowledged 1 and 2; a timed-out increment; final 2 — but a later read answered 1.
    const ops = [
      op({ outcome: 'ok', count: 1 }),
      op({ outcome: 'ok', count: 2 }),
      op({ type: 'get', outcome: 'ok', count: 1 }),
    ];
    expect(kinds({ operations: ops, finals: [{ counter: 'k1', count: 2, answeredAt: clock }] })).toEqual([
      'no-sequential-history',
      'acknowledged-increment-lost',
    ]);
  });

  it('flags an increment applied twice (final count above acknowledged plus unknown)', () => {
    const ops = [op({ outcome: 'ok', count: 1 }), op({ outcome: 'fail', error: 'CELL_FENCED' })];
    expect(kinds({ operations: ops, finals: [{ counter: 'k1', count: 2, answeredAt: clock }] })).toContain(
      'increment-applied-twice',
    );
  });

  it('flags an answer counting more increments than had been sent', () => {
    const ops = [op({ outcome: 'ok', count: 2 })];
    expect(kinds({ operations: ops })).toEqual(['increment-applied-twice']);
  });

  it('flags two increments acknowledged with the same count (two copies from one state)', () => {
    const t = clock + 1000;
    const ops = [
      op({ client: 'c1', outcome: 'ok', count: 1 }, t),
      op({ client: 'c2', outcome: 'ok', count: 1 }, t + 5),
    ];
    expect(kinds({ operations: ops })).toEqual(['no-sequential-history']);
  });

  it('flags overlapping copies of a cell, and not copies of different cells', () => {
    expect(kinds({ accepts: [accept('n1', 1, 10), accept('n2', 2, 15), accept('n1', 1, 20)] })).toEqual([
      'two-copies-accepting',
    ]);
    expect(kinds({ accepts: [accept('n1', 1, 10), accept('n2', 2, 15, 'k2'), accept('n1', 1, 20)] })).toEqual([]);
  });

  it('flags a cell that did not answer after the heal, or answered too late', () => {
    expect(kinds({ finals: [{ counter: 'k1', count: null }] })).toEqual(['not-answering-after-heal']);
    expect(
      kinds({ lastHealAt: 0, recoveryBoundMs: 100, finals: [{ counter: 'k1', count: 0, answeredAt: 101 }] }),
    ).toEqual(['not-answering-after-heal']);
  });
});
