import { describe, expect, it } from 'vitest';
import { heartbeatProblem } from '../src/node/heartbeat-shape.js';
import type { NodeHeartbeat } from '../src/node/node-heartbeat.js';

const good: NodeHeartbeat = {
  node: 'n1',
  host: 'h',
  version: '0.1.0',
  pid: 1,
  startedAt: 1,
  ts: 2,
  seq: 0,
  intervalMs: 1000,
  configVersion: 0,
  cellsRevision: 42,
  leaving: false,
  types: ['counter'],
  capacity: 10_000,
  rebalance: null,
  eventLoopLagMs: 0,
  elu: 0.2,
  calls: { to: ['c2', 'c3'], dep: [0, 1, 0], at: [1, 2, 3], ms: [2, 2, 2], outcome: [0, 1, 0], dropped: 0 },
  rssBytes: 1,
  malformed: 0,
  election: { role: 'leader', term: 3, leader: 'n1' },
  store: { latencyMs: 1, queued: 0, writes: 2, failed: 0 },
  overload: null,
  cells: [
    {
      id: 'c1',
      type: 'counter',
      node: 'n1',
      status: 'crashed',
      state: 'x',
      mailbox: 0,
      handled: 1,
      errors: 0,
      restarts: 1,
      startedAt: 1,
    },
  ],
  cellCount: 1,
  counts: { crashed: 1 },
  totals: { handled: 1, errors: 0, restarts: 1, mailbox: 0 },
  busiest: [],
  truncated: false,
  plugins: [{ id: 'p', version: '1.0.0', status: 'loaded' }],
};

describe('heartbeatProblem', () => {
  it('accepts heartbeats as nodes send them', () => {
    expect(heartbeatProblem(good)).toBeUndefined();
    expect(
      heartbeatProblem({
        ...good,
        election: null,
        capacity: undefined,
        version: undefined,
        cellsRevision: undefined,
        overload: { since: 1, reasons: ['event-loop'], storeLatencyMs: 0, storeQueued: 0, eventLoopLagMs: 90 },
      }),
    ).toBeUndefined();
  });

  it.each([
    ['not an object', 'x'],
    ['null', null],
    ['node not an id (regression: a number broke the peer list)', { ...good, node: 5 }],
    ['node missing (regression: crashed the health monitor in the native phi detector)', { ...good, node: undefined }],
    ['cells a string (regression: crashed adaptive-config: n.cells is not iterable)', { ...good, cells: 'x' }],
    ['counts null', { ...good, counts: null }],
    ['a cell without counters', { ...good, cells: [{ id: 'c1', type: 't', status: 'running' }] }],
    ['term -1', { ...good, election: { role: 'leader', term: -1, leader: 'n1' } }],
    ['term NaN', { ...good, election: { role: 'leader', term: Number.NaN, leader: 'n1' } }],
    ['leaving a string', { ...good, leaving: 'yes' }],
    ['types not names', { ...good, types: [1] }],
    ['capacity 0', { ...good, capacity: 0 }],
    ['cellsRevision a string (a peer would take it for the highest revision)', { ...good, cellsRevision: '9' }],
    ['totals incomplete', { ...good, totals: { handled: 1 } }],
    ['overload without reasons', { ...good, overload: { since: 1 } }],
    ['calls of uneven columns', { ...good, calls: { ...good.calls, ms: [] } }],
    ['calls to a target it does not list', { ...good, calls: { ...good.calls, dep: [0, 2, 0] } }],
    ['busiest a number', { ...good, busiest: 3 }],
    ['startedAt Infinity', { ...good, startedAt: Number.POSITIVE_INFINITY }],
    ['version a number', { ...good, version: 1 }],
    ['version longer than 64 characters', { ...good, version: `1.0.0-${'x'.repeat(60)}` }],
  ])('refuses %s', (_, body) => {
    expect(heartbeatProblem(body)).toMatch(/^heartbeat/);
  });
});
