import type { NodeHeartbeat, PhiDetector } from '@hms/runtime';
import { enqueueActions, setup } from 'xstate';
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
  nodes: Record<string, { status: NodeHealth; phi: number }>;
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
 * owns Rust memory and is not part of the snapshot); every `checkMs` all nodes are scored in one
 * native call. Changes of node or cell health are emitted as `health.changed`; a suspect node or
 * a failed cell also raises `alert.raised`. Heartbeats also feed `anomalies` (native too, outside
 * the context): a node's or cell's metric out of line is published as `anomaly.detected`, raises
 * a warning and makes it `degraded` (a `health.changed`) until it is back in line.
 */
export function createHealthMonitorMachine(
  config: HealthMonitorConfig,
  detector: PhiDetector,
  anomalies: AnomalyWatch,
  now: () => number,
) {
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
    delays: { check: () => config.checkMs },
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
          nodes[node] = { status: to, phi };
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
        after: { check: { target: 'watching', reenter: true, actions: 'score' } },
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
          heartbeat: {
            actions: enqueueActions(({ context, event, enqueue }) => {
              const nodes = { ...context.nodes };
              const cells = { ...context.cells };
              const was = nodes[event.node]?.status ?? null;
              if (event.leaving) {
                detector.remove(event.node);
                nodes[event.node] = { status: 'left', phi: 0 };
              } else {
                detector.heartbeat(event.node, now());
                nodes[event.node] = {
                  status: was === 'suspect' ? 'suspect' : 'alive',
                  phi: nodes[event.node]?.phi ?? 0,
                };
              }
              const to = nodes[event.node]?.status as NodeHealth;
              if (was !== to) enqueue.emit({ type: HEALTH_EVENT.changed, kind: 'node', id: event.node, from: was, to });
              for (const c of event.cells ?? []) {
                const before = cells[c.id]?.status ?? null;
                cells[c.id] = { status: c.status, node: event.node };
                if (before === c.status) continue;
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
