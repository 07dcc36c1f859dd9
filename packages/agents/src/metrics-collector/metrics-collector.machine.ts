import type { NodeHeartbeat } from '@hms/runtime';
import { assign, emit, setup } from 'xstate';

/** One cell's figures in a sample. */
export interface CellSample {
  id: string;
  type: string;
  node: string;
  status: string;
  handled: number;
  errors: number;
  mailbox: number;
  restarts: number;
  /** Messages handled per second since the previous sample. */
  rate: number;
}

/** What the collector publishes every `sampleMs` as `metrics.sample` (kept in the metrics log). */
export interface MetricsSample {
  at: number;
  nodes: Array<{ node: string; eventLoopLagMs: number; rssBytes: number; cells: number; malformed: number }>;
  cells: CellSample[];
}

export interface MetricsCollectorContext {
  /** The latest heartbeat of every node (only the figures a sample needs). */
  latest: Record<
    string,
    Pick<NodeHeartbeat, 'node' | 'eventLoopLagMs' | 'rssBytes' | 'cellCount' | 'malformed' | 'cells'>
  >;
  /** handled counts at the previous sample, for rates. */
  previous: { at: number; handled: Record<string, number> };
  last: MetricsSample | null;
}

/**
 * The metrics collector's machine: aggregates the per-cell figures that nodes report in their
 * heartbeats into a sample every `sampleMs`, with message rates, and emits it as
 * `metrics.sample` (captured by the metrics log, a JetStream stream with a max age).
 */
export function createMetricsCollectorMachine(sampleMs: number, now: () => number) {
  return setup({
    types: {
      context: {} as MetricsCollectorContext,
      events: {} as ({ type: 'heartbeat' } & NodeHeartbeat) | { type: 'query' },
      emitted: {} as { type: 'metrics.sample' } & MetricsSample,
    },
    delays: { sample: () => sampleMs },
    actions: {
      sample: assign(({ context }) => {
        const at = now();
        const seconds = Math.max((at - context.previous.at) / 1000, 1e-3);
        const handled: Record<string, number> = {};
        const cells: CellSample[] = [];
        for (const hb of Object.values(context.latest)) {
          for (const c of hb.cells) {
            handled[c.id] = c.handled;
            const before = context.previous.handled[c.id];
            const rate = before === undefined || c.handled < before ? 0 : (c.handled - before) / seconds;
            cells.push({
              id: c.id,
              type: c.type,
              node: hb.node,
              status: c.status,
              handled: c.handled,
              errors: c.errors,
              mailbox: c.mailbox,
              restarts: c.restarts,
              rate: Math.round(rate * 100) / 100,
            });
          }
        }
        const nodes = Object.values(context.latest).map((hb) => ({
          node: hb.node,
          eventLoopLagMs: hb.eventLoopLagMs,
          rssBytes: hb.rssBytes,
          cells: hb.cellCount,
          malformed: hb.malformed,
        }));
        return { previous: { at, handled }, last: { at, nodes, cells } };
      }),
      publish: emit(({ context }) => ({ type: 'metrics.sample' as const, ...(context.last as MetricsSample) })),
    },
  }).createMachine({
    id: 'metrics-collector',
    context: () => ({ latest: {}, previous: { at: now(), handled: {} }, last: null }),
    initial: 'collecting',
    states: {
      collecting: {
        after: { sample: { target: 'collecting', reenter: true, actions: ['sample', 'publish'] } },
        on: {
          heartbeat: {
            actions: assign({
              latest: ({ context, event }) => {
                const { [event.node]: _gone, ...rest } = context.latest;
                if (event.leaving) return rest;
                const { node, eventLoopLagMs, rssBytes, cellCount, malformed, cells } = event;
                return { ...rest, [node]: { node, eventLoopLagMs, rssBytes, cellCount, malformed, cells } };
              },
            }),
          },
        },
      },
    },
  });
}
