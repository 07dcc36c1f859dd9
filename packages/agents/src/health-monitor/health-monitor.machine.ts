import type { Clock, NodeHeartbeat, PhiDetector } from '@hms/runtime';
import { enqueueActions, setup } from 'xstate';
import { fromInterval } from '../timers/from-interval.js';
import { type ActiveAnomalies, anomalyEvents, applyObservation, expireAnomalies } from './active-anomalies.js';
import type { AnomalyWatch, AnomalyWatchOptions } from './anomaly-watch.js';
import {
  type AlertRaised,
  type AnomalyDetected,
  HEALTH_EVENT,
  type HealthChanged,
  type HealthDegraded,
  type HealthRecovered,
  type NodeHealth,
} from './events.js';

/** Settings of the health monitor. */
export interface HealthMonitorConfig {
  /** Phi at which a node is suspect; default 8. */
  suspectPhi: number;
  /** How often node suspicion is re-scored, in millis; default 500. */
  checkMs: number;
  /**
   * Anomaly detector settings (see `AnomalyDetectorOptions`: windowSize, warmUp, threshold,
   * clearThreshold, confirm, maxSeries); default {} (window 60 heartbeats, threshold 6).
   */
  anomaly: AnomalyWatchOptions;
}

export interface HealthMonitorContext {
  /** Every node seen: its health, phi, and while it reports overload, what is over its limit. */
  nodes: Record<string, { status: NodeHealth; phi: number; overload?: string[] | null }>;
  /**
   * The cells that are not running, by id, with the node that reported them. A cell reported
   * back to `running` is dropped (after its `health.changed`), so this is bounded by the cells
   * in trouble, not by the swarm's size.
   */
  cells: Record<string, { status: string; node: string }>;
  /** What cells reported degraded (absent in snapshots of older versions), by id. */
  degraded?: Record<string, { reason: string; by: string; since: number }>;
  /** Node and cell metrics out of line now, by `<kind>:<id>:<metric>` (absent in older snapshots). */
  anomalies?: ActiveAnomalies;
}

/** An anomaly ends when its series is not seen for this many check intervals. */
const ANOMALY_STALE_CHECKS = 10;

/**
 * The health monitor's machine. Heartbeats feed a native phi-accrual detector (passed in, as it
 * owns Rust memory and is not part of the snapshot); every `checkMs` on `clock` all nodes are scored in one
 * native call. Changes of node or cell health are emitted as `health.changed`; a suspect node or
 * a failed cell also raises `alert.raised`, and so does a node that starts reporting overload. Heartbeats name only the cells that are not running
 * or just changed, and only those are kept. Heartbeats also feed `anomalies` (native too, outside
 * the context): a node's or cell's metric out of line is published as `anomaly.detected`, raises
 * a warning and makes it `degraded` (a `health.changed`) until it is back in line.
 */
export function createHealthMonitorMachine(
  config: HealthMonitorConfig,
  detector: PhiDetector,
  anomalies: AnomalyWatch,
  clock: Clock,
) {
  const now = () => clock.now();
  const statusIn =
    (nodes: HealthMonitorContext['nodes'], cells: HealthMonitorContext['cells']) =>
    (kind: 'node' | 'cell', id: string) =>
      kind === 'node' ? (nodes[id]?.status ?? 'alive') : (cells[id]?.status ?? 'running');
  return setup({
    types: {
      context: {} as HealthMonitorContext,
      events: {} as
        | ({ type: 'heartbeat' } & NodeHeartbeat)
        | { type: 'check' }
        | { type: 'report' }
        | HealthDegraded
        | HealthRecovered,
      emitted: {} as HealthChanged | AlertRaised | AnomalyDetected,
    },
    // An invoked timer, not `after`: it survives a restore from a snapshot.
    actors: { checker: fromInterval(clock, () => config.checkMs, 'check') },
    actions: {
      score: enqueueActions(({ context, enqueue }) => {
        const scores = detector.phiAll(now());
        const nodes = { ...context.nodes };
        scores.keys.forEach((node, i) => {
          const phi = Math.round((scores.phi[i] ?? 0) * 100) / 100;
          const entry = nodes[node];
          if (!entry || entry.status === 'left') return;
          const to: NodeHealth = phi >= config.suspectPhi ? 'suspect' : 'alive';
          if (to !== entry.status) {
            enqueue.emit({ type: HEALTH_EVENT.changed, kind: 'node', id: node, from: entry.status, to, phi });
            if (to === 'suspect') {
              enqueue.emit({
                type: HEALTH_EVENT.alert,
                severity: 'warning',
                kind: 'node',
                id: node,
                reason: `node suspect (phi ${phi})`,
              });
            }
          }
          nodes[node] = { ...entry, status: to, phi };
        });
        enqueue.assign({ nodes });
        const expired = expireAnomalies(context.anomalies ?? {}, now(), ANOMALY_STALE_CHECKS * config.checkMs);
        if (expired.recovered.length === 0) return;
        for (const e of anomalyEvents(expired, statusIn(nodes, context.cells))) enqueue.emit(e);
        enqueue.assign({ anomalies: expired.next });
      }),
    },
  }).createMachine({
    id: 'health-monitor',
    context: { nodes: {}, cells: {}, degraded: {}, anomalies: {} },
    initial: 'watching',
    states: {
      watching: {
        invoke: { src: 'checker' },
        on: {
          [HEALTH_EVENT.degraded]: {
            actions: enqueueActions(({ context, event, enqueue }) => {
              const e = event as HealthDegraded;
              const id = e.id ?? e.from;
              const degraded = { ...context.degraded };
              const was = degraded[id];
              degraded[id] = { reason: e.reason, by: e.from, since: was?.since ?? now() };
              enqueue.assign({ degraded });
              if (was) return;
              enqueue.emit({ type: HEALTH_EVENT.changed, kind: 'probe', id, from: 'healthy', to: 'degraded' });
              enqueue.emit({ type: HEALTH_EVENT.alert, severity: 'warning', kind: 'probe', id, reason: e.reason });
            }),
          },
          [HEALTH_EVENT.recovered]: {
            actions: enqueueActions(({ context, event, enqueue }) => {
              const e = event as HealthRecovered;
              const id = e.id ?? e.from;
              if (!context.degraded?.[id]) return;
              const { [id]: _gone, ...degraded } = context.degraded;
              enqueue.assign({ degraded });
              enqueue.emit({ type: HEALTH_EVENT.changed, kind: 'probe', id, from: 'degraded', to: 'healthy' });
            }),
          },
          check: { actions: 'score' },
          heartbeat: {
            actions: enqueueActions(({ context, event, enqueue }) => {
              const nodes = { ...context.nodes };
              const cells = { ...context.cells };
              const was = nodes[event.node]?.status ?? null;
              const wasOverloaded = nodes[event.node]?.overload ?? null;
              const overload = event.leaving ? null : (event.overload?.reasons ?? null);
              if (event.leaving) {
                detector.remove(event.node);
                nodes[event.node] = { status: 'left', phi: 0, overload };
              } else {
                detector.heartbeat(event.node, now());
                nodes[event.node] = {
                  status: was === 'suspect' ? 'suspect' : 'alive',
                  phi: nodes[event.node]?.phi ?? 0,
                  overload,
                };
              }
              if (overload && !wasOverloaded && event.overload) {
                const { storeLatencyMs, eventLoopLagMs } = event.overload;
                enqueue.emit({
                  type: HEALTH_EVENT.alert,
                  severity: 'warning',
                  kind: 'node',
                  id: event.node,
                  reason: `node overloaded: ${overload.join(', ')} (store writes p90 ${storeLatencyMs} ms, event-loop lag ${eventLoopLagMs} ms)`,
                });
              }
              const to = nodes[event.node]?.status as NodeHealth;
              if (was !== to) enqueue.emit({ type: HEALTH_EVENT.changed, kind: 'node', id: event.node, from: was, to });
              // A node that leaves stops its cells; they are placed elsewhere and reported from there.
              const listed = event.leaving ? [] : (event.cells ?? []);
              // A full list names every cell of the node that is not running: the others went away.
              if (event.leaving || !event.truncated) dropCellsOf(cells, event.node, new Set(listed.map((c) => c.id)));
              // A node of the previous version lists its running cells in every heartbeat, not
              // just when they change: only a known cell's return to running is news there.
              const everyCell = event.counts === undefined;
              for (const c of listed) {
                const before = cells[c.id]?.status ?? null;
                if (c.status === 'running') delete cells[c.id];
                else cells[c.id] = { status: c.status, node: event.node };
                if (before === c.status || (everyCell && before === null && c.status === 'running')) continue;
                enqueue.emit({ type: HEALTH_EVENT.changed, kind: 'cell', id: c.id, from: before, to: c.status });
                if (c.status === 'failed') {
                  enqueue.emit({
                    type: HEALTH_EVENT.alert,
                    severity: 'critical',
                    kind: 'cell',
                    id: c.id,
                    reason: `cell failed on ${event.node}`,
                  });
                }
              }
              enqueue.assign({ nodes, cells });
              const seen = anomalies.observe(event, now());
              if (seen.observed.length === 0) return;
              const changed = applyObservation(context.anomalies ?? {}, seen, now());
              for (const e of anomalyEvents(changed, statusIn(nodes, cells))) enqueue.emit(e);
              enqueue.assign({ anomalies: changed.next });
            }),
          },
        },
      },
    },
  });
}

/** Forgets the cells `node` reported, except those in `keep`. */
function dropCellsOf(cells: HealthMonitorContext['cells'], node: string, keep?: ReadonlySet<string>): void {
  for (const [id, c] of Object.entries(cells)) if (c.node === node && !keep?.has(id)) delete cells[id];
}
