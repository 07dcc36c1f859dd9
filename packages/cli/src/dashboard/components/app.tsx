import { Box, type Key, Text, useApp, useInput } from 'ink';
import { useEffect } from 'react';
import { callLines } from '../calls-feed.js';
import type { DashboardFeeds } from '../dashboard-feeds.js';
import { useConnection } from '../use-connection.js';
import { useFeed } from '../use-feed.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { type Detail, useUiState } from '../use-ui-state.js';
import { AgentsView, filterCells } from './agents-view.js';
import { CellDetail } from './cell-detail.js';
import { EvolutionView } from './evolution-view.js';
import { Footer, Header, VIEWS, type ViewName } from './header.js';
import { HealthView } from './health-view.js';
import { HelpPanel } from './help-panel.js';
import { MetricsView, NODE_METRICS } from './metrics-view.js';

/** What the app needs: its feeds, and how to ask one cell for its status. */
export interface AppProps {
  swarm: string;
  feeds: DashboardFeeds;
  connected: () => boolean;
  fetchCell: (id: string) => Promise<Record<string, unknown>>;
}

/**
 * `hms dashboard`: four views over the swarm, one key apart; Enter drills down, Esc goes back,
 * `/` filters, `?` shows the keys, `q` quits.
 */
export function App({ swarm, feeds, connected: isConnected, fetchCell }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [ui, update] = useUiState();
  const connected = useConnection(isConnected);
  // Heartbeats arrive every second from every node: the health view redraws at most twice a
  // second for them, and once a second as silence grows; a new leader is drawn at once.
  const health = useFeed(feeds.health, 500, 1000);
  const cells = useFeed(feeds.cells, 500);
  const evolution = useFeed(feeds.evolution, 500);
  const metrics = useFeed(feeds.metrics, 500);
  const calls = useFeed(feeds.calls, 1000);
  const { view, filter, editing, help, detail } = ui();

  // The cell list is asked for only while the agents view is open.
  useEffect(() => (view === 'Agents' ? feeds.cells.open() : undefined), [view, feeds]);

  const filteredNodes = health.nodes.filter((n) => !filter || n.node.includes(filter) || n.state.includes(filter));
  const filteredCells = filterCells(cells.cells, filter);
  const filteredIslands = evolution.islands.filter((r) => !filter || r.key.includes(filter));
  /** How many rows the view `v` lists with filter `f` (for keys handled before the next render). */
  const count = (v: ViewName, f: string): number =>
    v === 'Health'
      ? health.nodes.filter((n) => !f || n.node.includes(f) || n.state.includes(f)).length
      : v === 'Agents'
        ? filterCells(cells.cells, f).length
        : v === 'Evolution'
          ? evolution.islands.filter((r) => !f || r.key.includes(f)).length
          : new Set([...health.nodes.map((n) => n.node), ...(metrics.points.at(-1)?.nodes.map((n) => n.node) ?? [])])
              .size;
  const current = (s = ui()) => Math.min(s.selected[s.view], Math.max(0, count(s.view, s.filter) - 1));
  const sel = current();
  const select = (delta: number) =>
    update((s) => ({
      selected: {
        ...s.selected,
        [s.view]: Math.max(0, Math.min(current(s) + delta, count(s.view, s.filter) - 1)),
      },
    }));
  const switchTo = (v: ViewName) => update(() => ({ view: v, detail: undefined, help: false }));
  const showCell = (id: string) => {
    update(() => ({ detail: { id } }));
    const settle = (d: Detail) => update((s) => (s.detail?.id === id ? { detail: d } : {}));
    fetchCell(id).then(
      (status) => settle({ id, status }),
      (err: unknown) => settle({ id, error: (err as Error).message }),
    );
  };

  const onKey = (input: string, key: Key) => {
    const s = ui();
    if (s.editing) {
      if (key.return) update(() => ({ editing: false }));
      else if (key.escape) update(() => ({ filter: '', editing: false }));
      else if (key.backspace || key.delete) update((u) => ({ filter: u.filter.slice(0, -1) }));
      else if (input && !key.ctrl && !key.meta) update((u) => ({ filter: u.filter + input }));
      return;
    }
    if (input === 'q') exit();
    else if (input === '?') update((u) => ({ help: !u.help }));
    else if (input === '/') update(() => ({ editing: true }));
    else if (input >= '1' && input <= '4') switchTo(VIEWS[Number(input) - 1] as ViewName);
    else if (key.tab) switchTo(VIEWS[(VIEWS.indexOf(s.view) + (key.shift ? 3 : 1)) % 4] as ViewName);
    else if (key.upArrow) select(-1);
    else if (key.downArrow) select(1);
    else if (key.leftArrow) update((u) => ({ metric: (u.metric + NODE_METRICS.length - 1) % NODE_METRICS.length }));
    else if (key.rightArrow) update((u) => ({ metric: (u.metric + 1) % NODE_METRICS.length }));
    else if (key.pageUp) select(-10);
    else if (key.pageDown) select(10);
    else if (key.escape) {
      if (s.help) update(() => ({ help: false }));
      else if (s.detail) update(() => ({ detail: undefined }));
      else update(() => ({ filter: '' }));
    } else if (key.return) {
      const at = current(s);
      const nodes = health.nodes.filter((n) => !s.filter || n.node.includes(s.filter) || n.state.includes(s.filter));
      const listed = filterCells(cells.cells, s.filter);
      if (s.view === 'Health' && nodes[at]) {
        // A node → the agents view filtered to its cells.
        update(() => ({ filter: nodes[at]?.node ?? '', view: 'Agents', detail: undefined }));
      } else if (s.view === 'Agents' && listed[at]) {
        showCell(listed[at].id);
      }
    }
  };
  useInput((input, key) => {
    // Keys that arrive in one read come as one string: take them one by one.
    if (input.length > 1 && !key.ctrl && !key.meta && !input.startsWith('\x1b')) {
      for (const c of input) onKey(c, keyOf(c, key));
    } else onKey(input, key);
  });

  const body = rows - 3;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header view={view} swarm={swarm} connected={connected && health.connected} />
      <Box flexDirection="column" flexGrow={1} overflow="hidden">
        {help ? (
          <HelpPanel />
        ) : detail ? (
          <CellDetail
            id={detail.id}
            status={detail.status}
            error={detail.error}
            calls={callLines(calls.edges, detail.id)}
            rows={body}
          />
        ) : view === 'Health' ? (
          <HealthView health={{ ...health, nodes: filteredNodes }} selected={sel} rows={body} />
        ) : view === 'Agents' ? (
          <AgentsView cells={filteredCells} loading={cells.loading} selected={sel} rows={body} />
        ) : view === 'Evolution' ? (
          <EvolutionView
            evolution={{ ...evolution, islands: filteredIslands }}
            selected={sel}
            rows={body}
            columns={columns}
          />
        ) : (
          <MetricsView
            metrics={metrics}
            health={health}
            selected={sel}
            metric={ui().metric}
            rows={body}
            columns={columns}
          />
        )}
      </Box>
      {!connected && <Text color="red">disconnected — reconnecting…</Text>}
      <Footer filter={filter} editing={editing} />
    </Box>
  );
}

/** The key flags of one character `c` taken out of a multi-character read. */
function keyOf(c: string, key: Key): Key {
  return {
    ...key,
    return: c === '\r' || c === '\n',
    tab: c === '\t',
    backspace: c === '\x7f' || c === '\b',
    delete: false,
    escape: false,
  };
}
