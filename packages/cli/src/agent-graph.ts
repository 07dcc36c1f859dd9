import {
  CALL_OUTCOME,
  type CallTraceBatch,
  type CellHealth,
  createSubjects,
  fetchNodeCells,
  type NodeHeartbeat,
  type Transport,
} from '@hms/runtime/client';

/** A call edge: `from` requested `to` this many times in the window. */
export interface CallEdge {
  from: string;
  to: string;
  calls: number;
  /** Calls that failed (error reply, no responders), timed out, or were never sent (circuit open). */
  failed: number;
  timeouts: number;
  rejected: number;
  /** Latency of the answered calls, in millis. */
  p50Ms: number;
  p99Ms: number;
  /** The caller's circuit breaker towards `to`, if it has one (`closed`, `open`, `halfOpen`). */
  circuit?: string;
}

/** An event edge: `to` listens to `event` from `from` (`*`: from any cell). */
export interface EventEdge {
  from: string;
  to: string;
  event: string;
}

/** The swarm's communication graph. */
export interface AgentGraph {
  /** How long calls were collected, in millis. */
  windowMs: number;
  cells: Array<Pick<CellHealth, 'id' | 'type' | 'node' | 'status'>>;
  calls: CallEdge[];
  events: EventEdge[];
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : 0;

/** Adds one heartbeat's call batch to `into` (keyed `from\0to`, latencies of answered calls). */
export function addCalls(into: Map<string, { edge: CallEdge; ms: number[] }>, batch: CallTraceBatch): void {
  for (let i = 0; i < batch.dep.length; i++) {
    const to = batch.to[batch.dep[i] as number] as string;
    const from = (batch.from && batch.src ? batch.from[batch.src[i] as number] : undefined) || '?';
    const key = `${from}\u0000${to}`;
    const entry = into.get(key) ?? {
      edge: { from, to, calls: 0, failed: 0, timeouts: 0, rejected: 0, p50Ms: 0, p99Ms: 0 },
      ms: [],
    };
    const outcome = batch.outcome[i];
    entry.edge.calls++;
    if (outcome === CALL_OUTCOME.ok) entry.ms.push(batch.ms[i] as number);
    else if (outcome === CALL_OUTCOME.timeout) entry.edge.timeouts++;
    else if (outcome === CALL_OUTCOME.rejected) entry.edge.rejected++;
    else entry.edge.failed++;
    into.set(key, entry);
  }
}

/** The event edges of `cells` from their topics (`event`, `event@cell`; heartbeats and migrants left out). */
export function eventEdges(cells: readonly CellHealth[]): EventEdge[] {
  const out: EventEdge[] = [];
  for (const c of cells) {
    for (const t of c.topics ?? []) {
      if (t === 'heartbeats' || t === 'migrants') continue;
      const at = t.indexOf('@');
      out.push(at < 0 ? { from: '*', to: c.id, event: t } : { from: t.slice(at + 1), to: c.id, event: t.slice(0, at) });
    }
  }
  return out;
}

/**
 * Watches the node heartbeats for `windowMs` (each carries the calls its cells made since the
 * previous one, with caller and callee), then asks the nodes seen for their cells (statuses,
 * circuits, topics) and builds the graph.
 */
export async function collectAgentGraph(transport: Transport, swarm: string, windowMs: number): Promise<AgentGraph> {
  const subjects = createSubjects(swarm);
  const edges = new Map<string, { edge: CallEdge; ms: number[] }>();
  const nodes = new Set<string>();
  const sub = transport.subscribe(subjects.heartbeatPattern(), (msg) => {
    const hb = msg.body as NodeHeartbeat;
    if (!hb.leaving) nodes.add(hb.node);
    if (hb.calls) addCalls(edges, hb.calls);
  });
  await new Promise((r) => setTimeout(r, windowMs));
  sub.unsubscribe();
  const cells = (
    await Promise.all([...nodes].map((n) => fetchNodeCells(transport, subjects, n).catch(() => [] as CellHealth[])))
  ).flat();
  const circuitOf = new Map(cells.map((c) => [c.id, c.circuits ?? {}]));
  const calls = [...edges.values()]
    .map(({ edge, ms }) => {
      ms.sort((a, b) => a - b);
      const circuit = circuitOf.get(edge.from)?.[edge.to];
      return { ...edge, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99), ...(circuit ? { circuit } : {}) };
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return {
    windowMs,
    cells: cells
      .map(({ id, type, node, status }) => ({ id, type, node, status }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    calls,
    events: eventEdges(cells),
  };
}
