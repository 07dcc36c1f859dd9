import { createSilentLogger, EventLog, type LoggedEvent, METRICS_LOG, type Transport } from '@hms/runtime';
import { createListeners, type Feed } from './feed.js';

/** One `metrics.sample` of the metrics-collector, as the metrics view reads it. */
export interface MetricsPoint {
  at: number;
  nodes: Array<{ node: string; eventLoopLagMs: number; rssBytes: number; cells: number }>;
  cells: Array<{ id: string; node?: string; handled?: number; errors?: number; mailbox?: number; rate?: number }>;
}

/** What the metrics view shows. */
export interface MetricsSnapshot {
  points: MetricsPoint[];
  /** True until the history was read. */
  loading: boolean;
}

/** Samples kept (the collector samples every few seconds; the stream keeps an hour). */
const KEEP = 720;

function toPoint(e: LoggedEvent): MetricsPoint {
  const body = e.body as Partial<MetricsPoint>;
  return { at: typeof body.at === 'number' ? body.at : e.at, nodes: body.nodes ?? [], cells: body.cells ?? [] };
}

/**
 * The metrics history: the last hour of samples read once from the metrics stream, then each new
 * sample as the stream receives it (a JetStream consumer, not a poll).
 */
export function createMetricsFeed(transport: Transport, swarm: string): Feed<MetricsSnapshot> {
  const listeners = createListeners();
  let state: MetricsSnapshot = { points: [], loading: true };
  let stopFollow: (() => void) | undefined;
  let stopped = false;
  const add = (points: MetricsPoint[]) => {
    // A sample can come both from the history and from the live consumer: keep it once.
    const seen = new Set(state.points.map((p) => p.at));
    const merged = [...state.points, ...points.filter((p) => !seen.has(p.at))].sort((a, b) => a.at - b.at);
    state = { points: merged.slice(-KEEP), loading: false };
    listeners.emit();
  };
  void (async () => {
    try {
      const log = await EventLog.open(transport, swarm, METRICS_LOG, createSilentLogger());
      const follow = await log.follow((e) => add([toPoint(e)]));
      if (stopped) follow();
      else stopFollow = follow;
      add((await log.recent(KEEP)).map(toPoint));
    } catch {
      state = { ...state, loading: false };
      listeners.emit();
    }
  })();
  return {
    snapshot: () => state,
    subscribe: listeners.add,
    stop() {
      stopped = true;
      stopFollow?.();
    },
  };
}
