import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CellHealth } from '../cell/cell-status.js';
import type { Logger } from '../logger.js';
import type { TransportStats } from '../transport/transport.js';
import type { Peer } from './peer-view.js';

/** The node's metrics: a registry to serve, and the request-latency histogram to feed. */
export interface NodeMetrics {
  registry: Registry;
  /** Records one request handled by a cell, in seconds. */
  observeRequest(cellId: string, type: string, seconds: number): void;
}

/** What the metrics are read from, at scrape time. */
export interface MetricsSources {
  nodeId: string;
  transport: () => TransportStats;
  cells: () => CellHealth[];
  peers: () => Peer[];
  eventLoopLagMs: () => number;
  /** Store watches resumed after they stalled, by watch (see guardWatch). */
  watchResumes: () => Readonly<Record<string, number>>;
}

/** A node's Prometheus endpoint. */
export interface MetricsServer {
  /** `http://<host>:<port>/metrics`. */
  readonly url: string;
  /** The metrics as Prometheus text, as a scrape returns them. */
  text(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Builds the node's metrics: process defaults, transport counters, per-cell message, error,
 * restart and mailbox figures and request latency histograms, peer suspicion. All but the
 * histogram are read when scraped, so the hot path pays nothing for them.
 */
export function createNodeMetrics(sources: MetricsSources): NodeMetrics {
  const registry = new Registry();
  const latency = new Histogram({
    name: 'hms_cell_request_duration_seconds',
    help: 'Time from a request reaching a cell to its reply, per cell.',
    labelNames: ['cell', 'type'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  registry.setDefaultLabels({ node: sources.nodeId });
  collectDefaultMetrics({ register: registry, prefix: 'hms_' });
  const transportCounter = (name: string, help: string, key: keyof TransportStats) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(sources.transport()[key]);
      },
    });
  transportCounter('hms_messages_published_total', 'Messages this node published.', 'published');
  transportCounter('hms_messages_received_total', 'Messages this node received.', 'received');
  transportCounter('hms_messages_malformed_total', 'Malformed messages counted, logged and dropped.', 'malformed');
  transportCounter('hms_handler_errors_total', 'Message handlers that threw.', 'handlerErrors');
  transportCounter('hms_messages_dropped_total', 'Messages not sent because the connection was closed.', 'dropped');

  const perCell = (name: string, help: string, value: (c: CellHealth) => number, kind: 'counter' | 'gauge') => {
    const Metric = kind === 'counter' ? Counter : Gauge;
    return new Metric({
      name,
      help,
      labelNames: ['cell', 'type'] as const,
      registers: [registry],
      collect(this: Counter<'cell' | 'type'> | Gauge<'cell' | 'type'>) {
        this.reset();
        for (const c of sources.cells()) this.inc({ cell: c.id, type: c.type }, value(c));
      },
    });
  };
  perCell('hms_cell_messages_handled_total', 'Messages a cell handled.', (c) => c.handled, 'counter');
  perCell('hms_cell_errors_total', 'Messages a cell failed on, and its crashes.', (c) => c.errors, 'counter');
  perCell(
    'hms_cell_unhandled_total',
    'Dead letters: messages a cell could not take in its state.',
    (c) => c.unhandled ?? 0,
    'counter',
  );
  perCell('hms_cell_restarts_total', 'Restarts of a cell by its supervisor.', (c) => c.restarts, 'counter');
  perCell('hms_cell_mailbox_depth', 'Messages waiting in a cell inbox.', (c) => c.mailbox, 'gauge');
  perCell('hms_cell_up', '1 when a cell is running, else 0.', (c) => (c.status === 'running' ? 1 : 0), 'gauge');

  new Gauge({
    name: 'hms_event_loop_lag_seconds',
    help: 'Event-loop delay, p99 over the last heartbeat interval.',
    registers: [registry],
    collect() {
      this.set(sources.eventLoopLagMs() / 1000);
    },
  });
  new Counter({
    name: 'hms_store_watch_resumes_total',
    help: 'Store watches (desired cells, plugin set, configuration) resumed after they stalled.',
    labelNames: ['watch'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [watch, n] of Object.entries(sources.watchResumes())) this.inc({ watch }, n);
    },
  });
  new Gauge({
    name: 'hms_peer_phi',
    help: 'Phi-accrual suspicion of each node of the swarm, as seen from this node.',
    labelNames: ['peer'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of sources.peers()) this.set({ peer: p.node }, p.phi);
    },
  });
  return {
    registry,
    observeRequest: (cell, type, seconds) => latency.observe({ cell, type }, seconds),
  };
}

/** Serves `registry` on `http://host:port/metrics` (port 0: any free port). */
export async function startMetricsServer(
  registry: Registry,
  options: { port: number; host?: string; logger: Logger },
): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        options.logger.error({ err }, 'metrics scrape failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/metrics`,
    text: () => registry.metrics(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
