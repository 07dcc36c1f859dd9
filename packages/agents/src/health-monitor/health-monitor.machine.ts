import type { NodeHeartbeat, PhiDetector } from '@hms/runtime';
import { enqueueActions, setup } from 'xstate';
import {
  type AlertRaised,
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
}

export interface HealthMonitorContext {
  nodes: Record<string, { status: NodeHealth; phi: number }>;
  cells: Record<string, { status: string; node: string }>;
  /** What cells reported degraded (absent in snapshots of older versions), by id. */
  degraded?: Record<string, { reason: string; by: string; since: number }>;
}

/**
 * The health monitor's machine. Heartbeats feed a native phi-accrual detector (passed in, as it
 * owns Rust memory and is not part of the snapshot); every `checkMs` all nodes are scored in one
 * native call. Changes of node or cell health are emitted as `health.changed`; a suspect node or
 * a failed cell also raises `alert.raised`.
 */
export function createHealthMonitorMachine(config: HealthMonitorConfig, detector: PhiDetector, now: () => number) {
  return setup({
    types: {
      context: {} as HealthMonitorContext,
      events: {} as
        | ({ type: 'heartbeat' } & NodeHeartbeat)
        | { type: 'check' }
        | { type: 'report' }
        | HealthDegraded
        | HealthRecovered,
      emitted: {} as HealthChanged | AlertRaised,
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
      }),
    },
  }).createMachine({
    id: 'health-monitor',
    context: { nodes: {}, cells: {}, degraded: {} },
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
            }),
          },
        },
      },
    },
  });
}
