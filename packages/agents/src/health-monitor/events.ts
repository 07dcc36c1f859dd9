/** Events the health monitor emits (published on `hms.<swarm>.evt.<type>.<monitorId>`). */
export const HEALTH_EVENT = {
  /** A node or cell changed health: `{ kind, id, from, to, phi? }`. */
  changed: 'health.changed',
  /**
   * Any cell may report that what it watches is degraded (e.g. a failing HTTP probe):
   * `{ reason, id? }` (id default: the sender). The monitor marks it degraded and raises a warning.
   */
  degraded: 'health.degraded',
  /** What a cell reported degraded works again: `{ id? }`. */
  recovered: 'health.recovered',
  /** Something needs an operator: `{ severity, kind, id, reason }` (kept in the alerts stream). */
  alert: 'alert.raised',
} as const;

/** How the monitor sees a node. */
export type NodeHealth = 'alive' | 'suspect' | 'left';

export interface HealthChanged {
  type: typeof HEALTH_EVENT.changed;
  kind: 'node' | 'cell' | 'probe';
  id: string;
  from: string | null;
  to: string;
  phi?: number;
}

export interface AlertRaised {
  type: typeof HEALTH_EVENT.alert;
  severity: 'warning' | 'critical';
  kind: 'node' | 'cell' | 'probe';
  id: string;
  reason: string;
}

/** A cell's report that what it watches is degraded (the {@link HEALTH_EVENT.degraded} topic). */
export interface HealthDegraded {
  type: typeof HEALTH_EVENT.degraded;
  /** The sending cell. */
  from: string;
  /** What is degraded; default the sender. */
  id?: string;
  reason: string;
}

/** A cell's report that what it watches works again. */
export interface HealthRecovered {
  type: typeof HEALTH_EVENT.recovered;
  from: string;
  id?: string;
}
