import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { describe, expect, it } from 'vitest';
import { HealthView } from '../../src/dashboard/components/health-view.js';
import { NodesPanel } from '../../src/dashboard/components/nodes-panel.js';
import { withBackoff } from '../../src/dashboard/health-feed.js';
import { type HealthSnapshot, type NodeRow, overallHealth } from '../../src/dashboard/health-model.js';

const node = (name: string, over: Partial<NodeRow> = {}): NodeRow => ({
  node: name,
  state: 'alive',
  phi: 0,
  role: 'follower',
  term: 2,
  cells: 4,
  lagMs: 1.5,
  rssBytes: 100 * 1024 * 1024,
  version: '0.1.0',
  overload: null,
  configVersion: 0,
  silentMs: 100,
  intervalMs: 1000,
  ...over,
});

const snapshot = (over: Partial<HealthSnapshot> = {}): HealthSnapshot => ({
  swarm: 'demo',
  connected: true,
  leader: 'node-1',
  term: 2,
  nodes: [node('node-1', { role: 'leader' }), node('node-2'), node('node-3')],
  cellsByStatus: { running: 12 },
  totalCells: 12,
  rebalance: null,
  healing: [],
  alerts: [],
  consoles: [],
  busiest: [],
  rates: {},
  watchingMs: 10_000,
  ...over,
});

describe('overallHealth', () => {
  const cases: Array<[string, Partial<HealthSnapshot>, string, RegExp]> = [
    ['every node alive and every cell running', {}, 'healthy', /all nodes alive/],
    ['disconnected from NATS', { connected: false }, 'critical', /disconnected/],
    ['no leader after the grace period', { leader: null }, 'critical', /no leader/],
    ['a failed cell', { cellsByStatus: { running: 11, failed: 1 } }, 'critical', /1 cell\(s\) failed/],
    [
      'one node of three down',
      { nodes: [node('node-1'), node('node-2'), node('node-3', { state: 'down' })] },
      'degraded',
      /node-3 down/,
    ],
    [
      'two nodes of three down',
      { nodes: [node('node-1'), node('node-2', { state: 'down' }), node('node-3', { state: 'down' })] },
      'critical',
      /majority lost/,
    ],
    ['a crashed cell', { cellsByStatus: { running: 11, crashed: 1 } }, 'degraded', /1 cell\(s\) not running/],
    ['an overloaded node', { nodes: [node('node-1', { overload: 'event-loop' })] }, 'degraded', /node-1 overloaded/],
  ];
  for (const [what, over, level, reason] of cases) {
    it(`is ${level} with ${what}`, () => {
      const h = overallHealth(snapshot(over));
      expect(h.level).toBe(level);
      expect(h.reason).toMatch(reason);
    });
  }
});

// Plain .ts (the test include is *.test.ts): elements made with createElement.
describe('HealthView', () => {
  it('shows the status with its reason, the leader and term, every node and the cells by status', () => {
    const { lastFrame } = render(h(HealthView, { health: snapshot(), selected: 0, rows: 24 }));
    const frame = lastFrame() ?? '';
    expect(frame).toContain('HEALTHY — all nodes alive, all cells running');
    expect(frame).toContain('leader node-1 · term 2 · 3 nodes');
    for (const n of ['node-1', 'node-2', 'node-3']) expect(frame).toMatch(new RegExp(`${n}\\s+alive`));
    expect(frame).toContain('cells 12: 12 running');
  });

  it('shows a down node with phi 99+ and no cells, and the healing under way', () => {
    const health = snapshot({
      nodes: [
        node('node-1', { role: 'leader' }),
        node('node-2'),
        node('node-3', { state: 'down', phi: 1234, role: '-' }),
      ],
      healing: [
        {
          at: Date.now(),
          type: 'placement.moved',
          about: 'counter-1',
          text: 're-placed counter-1 node-3 → node-1',
          severity: 'info',
        },
      ],
    });
    const frame = render(h(HealthView, { health, selected: 0, rows: 24 })).lastFrame() ?? '';
    expect(frame).toMatch(/node-3\s+down\s+99\+\s+-\s+-\s/);
    expect(frame).toContain('re-placed counter-1 node-3 → node-1');
    expect(frame).toContain('DEGRADED — node-3 down');
  });
});

describe('NodesPanel', () => {
  it('shows each node’s HMS version and keeps the table within 80 columns at its widest values', () => {
    const widest = node('node-with-a-long-name', {
      role: 'pre-candidate',
      phi: 1234,
      cells: 100_000,
      lagMs: 12_345.6,
      rssBytes: 12_345 * 1024 * 1024,
      version: '10.20.30-rc.1',
      overload: 'store-latency,event-loop',
    });
    const health = snapshot({
      nodes: [node('node-1', { role: 'leader' }), node('node-2', { version: undefined }), widest],
    });
    const lines = (render(h(NodesPanel, { nodes: health.nodes, selected: -1, maxRows: 5 })).lastFrame() ?? '').split(
      '\n',
    );
    expect(lines[0]).toMatch(/^NODE\s+STATUS\s+PHI\s+ROLE\s+CELLS\s+LAG\s+RSS\s+VERSION\s+OVERLOAD$/);
    expect(lines[1]).toMatch(/^node-1\s+alive\s+0\.0\s+leader\s+4\s+1\.5ms\s+100\.0M\s+0\.1\.0\s+-$/);
    expect(lines[2]).toMatch(/\s+100\.0M\s+-\s+-$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('withBackoff', () => {
  const row = { at: 1000, type: 'cell.crashed', about: 'c1', text: 'c1 crashed: boom', severity: 'warning' as const };
  it('counts a crashed cell’s restart backoff down, then says it is restarting', () => {
    expect(withBackoff({ ...row, restartAt: 3000 }, 1500).text).toBe('c1 crashed: boom — restart in 1.5 s');
    expect(withBackoff({ ...row, restartAt: 3000 }, 3000).text).toBe('c1 crashed: boom — restarting');
  });
  it('leaves rows without a backoff as they are', () => {
    expect(withBackoff(row, 1500)).toBe(row);
  });
});
