import type { CellHealth } from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/dashboard/components/app.js';
import type { DashboardFeeds } from '../../src/dashboard/dashboard-feeds.js';
import type { Feed } from '../../src/dashboard/feed.js';
import type { HealthSnapshot } from '../../src/dashboard/health-model.js';

/** A feed that always shows `value` (the component test needs no swarm). */
const still = <T>(value: T): Feed<T> => ({ snapshot: () => value, subscribe: () => () => {}, stop: () => {} });

const cell = (id: string, type: string, node: string): CellHealth => ({
  id,
  type,
  node,
  status: 'running',
  state: 'idle',
  mailbox: 0,
  handled: 1,
  errors: 0,
  restarts: 0,
  startedAt: 0,
});

const health: HealthSnapshot = {
  swarm: 'demo',
  connected: true,
  leader: 'node-1',
  term: 1,
  nodes: [],
  cellsByStatus: {},
  totalCells: 0,
  rebalance: null,
  healing: [],
  alerts: [],
  consoles: [],
  busiest: [],
  rates: {},
  watchingMs: 0,
};

function feeds(): DashboardFeeds {
  const cells = [
    cell('counter-1', 'counter', 'node-1'),
    cell('ponger-1', 'ponger', 'node-2'),
    cell('ponger-2', 'ponger', 'node-3'),
  ];
  return {
    health: { ...still(health), alertPushed: () => {} },
    cells: { ...still({ cells, loading: false, refreshedAt: 1 }), open: () => () => {} },
    calls: still({ edges: [] }),
    evolution: still({ islands: [], trials: [] }),
    metrics: still({ points: [], loading: false }),
    stop: () => {},
  };
}

/** Resolves once the app's last frame contains `text` (renders are asynchronous). */
const shows = (app: ReturnType<typeof render>, text: string) =>
  waitFor(() => (app.lastFrame() ?? '').includes(text), { timeoutMs: 2000, what: JSON.stringify(text) });

describe('App', () => {
  it('switches views with the number keys and Tab', async () => {
    const app = render(h(App, { swarm: 'demo', feeds: feeds(), connected: () => true, fetchCell: async () => ({}) }));
    await shows(app, 'status ');
    app.stdin.write('2');
    await shows(app, 'counter-1');
    app.stdin.write('\t');
    await shows(app, 'no GA islands reporting');
    app.stdin.write('4');
    await shows(app, 'waiting for node heartbeats');
    app.unmount();
  });

  it('takes keys that arrive in one read one by one (regression: "/ponger⏎" left the filter open)', async () => {
    const app = render(h(App, { swarm: 'demo', feeds: feeds(), connected: () => true, fetchCell: async () => ({}) }));
    await shows(app, 'status ');
    app.stdin.write('2');
    await shows(app, 'counter-1');
    app.stdin.write('/ponger\r');
    await shows(app, '[ponger]');
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('2 cells');
    expect(frame).not.toContain('counter-1');
    expect(frame).toContain('[ponger]');
    app.unmount();
  });

  it('shows "disconnected — reconnecting" while NATS is away', async () => {
    const app = render(h(App, { swarm: 'demo', feeds: feeds(), connected: () => false, fetchCell: async () => ({}) }));
    await shows(app, 'disconnected — reconnecting');
    app.unmount();
  });
});
