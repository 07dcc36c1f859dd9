import { createSubjects, type NodeHeartbeat, type Transport } from '@hms/runtime';
import { addCalls, type CallEdge } from '../agent-graph.js';
import { createListeners, type Feed } from './feed.js';

/** How long calls count toward the edges, in millis. */
export const CALLS_WINDOW_MS = 60_000;

/** Who called whom over the last {@link CALLS_WINDOW_MS}. */
export interface CallsSnapshot {
  edges: CallEdge[];
}

/**
 * The calls between cells, from the batches the node heartbeats carry (caller, callee,
 * latency, outcome): each heartbeat's batch is kept for {@link CALLS_WINDOW_MS}.
 */
export function createCallsFeed(transport: Transport, swarm: string): Feed<CallsSnapshot> {
  const subjects = createSubjects(swarm);
  const listeners = createListeners();
  const batches: Array<{ at: number; batch: NonNullable<NodeHeartbeat['calls']> }> = [];
  const sub = transport.subscribe(subjects.heartbeatPattern(), (msg) => {
    const hb = msg.body as NodeHeartbeat;
    if (!hb.calls) return;
    batches.push({ at: Date.now(), batch: hb.calls });
    listeners.emit();
  });
  return {
    snapshot() {
      const cut = Date.now() - CALLS_WINDOW_MS;
      while (batches.length && (batches[0]?.at ?? 0) < cut) batches.shift();
      const edges = new Map<string, { edge: CallEdge; ms: number[] }>();
      for (const b of batches) addCalls(edges, b.batch);
      return {
        edges: [...edges.values()].map(({ edge, ms }) => {
          ms.sort((x, y) => x - y);
          const at = (q: number) =>
            ms.length ? (ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] as number) : 0;
          return { ...edge, p50Ms: at(0.5), p99Ms: at(0.99) };
        }),
      };
    },
    subscribe: listeners.add,
    stop: () => sub.unsubscribe(),
  };
}

/** One line per call edge of `cell`: `→ callee` for its calls, `← caller` for calls to it. */
export function callLines(edges: readonly CallEdge[], cell: string): string[] {
  const line = (arrow: string, peer: string, e: CallEdge) => {
    const bad = e.failed + e.timeouts + e.rejected;
    return `${arrow} ${peer}  ${e.calls} calls${bad ? `, ${bad} failed` : ''}, p50 ${e.p50Ms.toFixed(1)} ms, p99 ${e.p99Ms.toFixed(1)} ms${e.circuit ? `, circuit ${e.circuit}` : ''}`;
  };
  return [
    ...edges.filter((e) => e.from === cell).map((e) => line('→', e.to, e)),
    ...edges.filter((e) => e.to === cell).map((e) => line('←', e.from, e)),
  ];
}
