import type { BusyCell, CellStatus, CellTotals, Clock, NodeHeartbeat } from '@hms/runtime';
import { assign, emit, setup } from 'xstate';
import { type HeartbeatFigures, heartbeatFigures } from '../heartbeat/heartbeat-figures.js';
import { fromInterval } from '../timers/from-interval.js';

/** How many of the swarm's busiest cells a sample names. */
export const SAMPLE_BUSIEST = 10;
/** A node silent this long (millis) is dropped from samples, as one that left. */
export const NODE_STALE_MS = 30_000;

/** One node's figures in a sample. */
export interface NodeSample {
  node: string;
  eventLoopLagMs: number;
  rssBytes: number;
  /** How many cells the node hosts. */
  cells: number;
  malformed: number;
  /** Hosted cells by status. */
  counts: Partial<Record<CellStatus, number>>;
  /** Sums over the hosted cells, as of the node's latest heartbeat. */
  totals: CellTotals;
  /** Messages its cells handled per second since the previous sample (0 on the first). */
  rate: number;
  /** Messages that failed per second since the previous sample. */
  errorRate: number;
  /** What is over its limit while the node is overloaded (e.g. `store-latency`); absent otherwise. */
  overload?: string[];
}

/** One of the swarm's busiest cells in a sample, with the node that hosts it. */
export interface BusyCellSample extends BusyCell {
  node: string;
}

/**
 * What the collector publishes every `sampleMs` as `metrics.sample` (kept in the metrics log):
 * per-node figures and the swarm's busiest cells, so its size depends on the node count, not
 * on the cell count.
 */
export interface MetricsSample {
  /** Epoch millis. */
  at: number;
  nodes: NodeSample[];
  /**
   * The SAMPLE_BUSIEST cells with the highest message rate, highest first: each node's busiest
   * cells as its latest heartbeat reports them (rates over that node's heartbeat interval).
   */
  busiest: BusyCellSample[];
}

/** The collector's persisted context: bounded by the number of nodes. */
export interface MetricsCollectorContext {
  /** Every live node's latest figures, and when they arrived (epoch millis, collector's clock). */
  latest: Record<string, HeartbeatFigures & { seenAt: number }>;
  /** Each node's handled and error totals at the previous sample, for rates. */
  previous: { at: number; totals: Record<string, { handled: number; errors: number }> };
  last: MetricsSample | null;
}

/**
 * The metrics collector's machine (time from `clock`): keeps the latest bounded figures of every node's heartbeat
 * (counts by status, totals, busiest cells, lag, memory) and every `sampleMs` emits a sample
 * with per-node message rates computed from the totals as `metrics.sample` (captured by the
 * metrics log, a JetStream stream with a max age). History lives in that stream, never here.
 */
export function createMetricsCollectorMachine(sampleMs: number, clock: Clock) {
  const now = () => clock.now();
  return setup({
    types: {
      context: {} as MetricsCollectorContext,
      events: {} as ({ type: 'heartbeat' } & NodeHeartbeat) | { type: 'query' } | { type: 'sample.due' },
      emitted: {} as { type: 'metrics.sample' } & MetricsSample,
    },
    // An invoked timer, not `after`: it survives a restore from a snapshot.
    actors: { sampler: fromInterval(clock, () => sampleMs, 'sample.due') },
    actions: {
      sample: assign(({ context }) => {
        const at = now();
        // Entries restored from a snapshot of the earlier shape have no `seenAt` and are dropped.
        const latest = Object.fromEntries(
          Object.entries(context.latest).filter(([, f]) => at - f.seenAt <= NODE_STALE_MS),
        );
        const seconds = Math.max((at - context.previous.at) / 1000, 1e-3);
        const perSecond = (total: number, before: number | undefined) =>
          before === undefined || total < before ? 0 : Math.round(((total - before) / seconds) * 100) / 100;
        const totals: MetricsCollectorContext['previous']['totals'] = {};
        const busiest: BusyCellSample[] = [];
        const nodes = Object.values(latest).map((f): NodeSample => {
          // `previous.totals` is absent in a snapshot of the earlier shape (per-cell counts).
          const before = context.previous.totals?.[f.node];
          totals[f.node] = { handled: f.totals.handled, errors: f.totals.errors };
          for (const b of f.busiest) busiest.push({ ...b, node: f.node });
          return {
            node: f.node,
            eventLoopLagMs: f.eventLoopLagMs,
            rssBytes: f.rssBytes,
            cells: f.cellCount,
            malformed: f.malformed,
            counts: f.counts,
            totals: f.totals,
            rate: perSecond(f.totals.handled, before?.handled),
            errorRate: perSecond(f.totals.errors, before?.errors),
            ...(f.overload ? { overload: f.overload.reasons } : {}),
          };
        });
        busiest.sort((a, b) => b.rate - a.rate);
        return {
          latest,
          previous: { at, totals },
          last: { at, nodes, busiest: busiest.slice(0, SAMPLE_BUSIEST) },
        };
      }),
      publish: emit(({ context }) => ({ type: 'metrics.sample' as const, ...(context.last as MetricsSample) })),
    },
  }).createMachine({
    id: 'metrics-collector',
    context: () => ({ latest: {}, previous: { at: now(), totals: {} }, last: null }),
    initial: 'collecting',
    states: {
      collecting: {
        invoke: { src: 'sampler' },
        on: {
          'sample.due': { actions: ['sample', 'publish'] },
          heartbeat: {
            actions: assign({
              latest: ({ context, event }) => {
                const { [event.node]: _gone, ...rest } = context.latest;
                if (event.leaving) return rest;
                return { ...rest, [event.node]: { ...heartbeatFigures(event), seenAt: now() } };
              },
            }),
          },
        },
      },
    },
  });
}
