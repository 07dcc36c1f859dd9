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
  /** A node's or cell's metric is out of line with its own recent values (kept in the alerts stream). */
  anomaly: 'anomaly.detected',
} as const;

/** The metrics watched for anomalies, as heartbeats name them. */
export const ANOMALY_METRIC = {
  /** A node's event-loop delay, p99 over a heartbeat interval, in millis. */
  eventLoopLagMs: 'eventLoopLagMs',
  /** A busiest cell's request latency, p90 over a heartbeat interval, in millis. */
  latencyMs: 'latencyMs',
  /** A busiest cell's mailbox depth, in messages. */
  mailbox: 'mailbox',
  /** A busiest cell's failed messages per second since its previous heartbeat. */
  errorRate: 'errorRate',
} as const;

export type AnomalyMetric = (typeof ANOMALY_METRIC)[keyof typeof ANOMALY_METRIC];

/** A metric out of line: `{ kind, id, metric, value, baseline, score }`. */
export interface AnomalyDetected {
  type: typeof HEALTH_EVENT.anomaly;
  kind: 'node' | 'cell';
  /** The node or cell id. */
  id: string;
  metric: AnomalyMetric;
  /** The value seen, in the metric's unit. */
  value: number;
  /** The series' median over its recent values, in the metric's unit. */
  baseline: number;
  /** Robust z-score: (value - baseline) / (1.4826 × floored MAD); 6 and above is out of line. */
  score: number;
}

/** How the monitor sees a node. */
export type NodeHealth = 'alive' | 'suspect' | 'left';

export interface HealthChanged {
  type: typeof HEALTH_EVENT.changed;
  kind: 'node' | 'cell' | 'probe';
  id: string;
  from: string | null;
  to: string;
  phi?: number;
  /** Why it is degraded, for `to: 'degraded'` (e.g. an anomaly). */
  reason?: string;
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
