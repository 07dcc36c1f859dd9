/** Events the health monitor emits (published on `hms.<swarm>.evt.<type>.<monitorId>`). */
export const HEALTH_EVENT = {
  /** A node or cell changed health: `{ kind, id, from, to, phi? }`. */
  changed: 'health.changed',
  /** Something needs an operator: `{ severity, kind, id, reason }` (kept in the alerts stream). */
  alert: 'alert.raised',
} as const;

/** How the monitor sees a node. */
export type NodeHealth = 'alive' | 'suspect' | 'left';

export interface HealthChanged {
  type: typeof HEALTH_EVENT.changed;
  kind: 'node' | 'cell';
  id: string;
  from: string | null;
  to: string;
  phi?: number;
}

export interface AlertRaised {
  type: typeof HEALTH_EVENT.alert;
  severity: 'warning' | 'critical';
  kind: 'node' | 'cell';
  id: string;
  reason: string;
}
