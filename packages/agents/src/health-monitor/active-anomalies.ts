import { type ActiveAnomaly, type AnomalyObservation, anomalyKey } from './anomaly-watch.js';
import { type AlertRaised, type AnomalyDetected, HEALTH_EVENT, type HealthChanged } from './events.js';

/** The anomalies in force, by {@link anomalyKey}: only series out of line now, so it stays small. */
export type ActiveAnomalies = Record<string, ActiveAnomaly>;

/** How the anomalies in force changed. */
export interface AnomalyChanges {
  /** The anomalies in force now. */
  next: ActiveAnomalies;
  /** Series newly out of line: each is an `anomaly.detected` event and an alert. */
  detected: ActiveAnomaly[];
  /** Nodes and cells with a first anomaly: degraded from now on. */
  degraded: ActiveAnomaly[];
  /** Nodes and cells whose last anomaly ended: healthy again. */
  recovered: { kind: 'node' | 'cell'; id: string }[];
}

const owner = (a: { kind: string; id: string }) => `${a.kind}:${a.id}`;

function changes(before: ActiveAnomalies, next: ActiveAnomalies, detected: ActiveAnomaly[]): AnomalyChanges {
  const owners = (m: ActiveAnomalies) => new Set(Object.values(m).map(owner));
  const was = owners(before);
  const is = owners(next);
  const degraded: ActiveAnomaly[] = [];
  for (const a of detected) {
    if (!was.has(owner(a)) && !degraded.some((d) => owner(d) === owner(a))) degraded.push(a);
  }
  const recovered = Object.values(before)
    .filter((a) => !is.has(owner(a)))
    .filter((a, i, all) => all.findIndex((b) => owner(b) === owner(a)) === i)
    .map(({ kind, id }) => ({ kind, id }));
  return { next, detected, degraded, recovered };
}

/**
 * Applies one heartbeat's {@link AnomalyObservation} at `now` (epoch millis): findings start or
 * refresh anomalies; a series the heartbeat fed that is no longer out of line ends its anomaly.
 */
export function applyObservation(before: ActiveAnomalies, seen: AnomalyObservation, now: number): AnomalyChanges {
  const next: ActiveAnomalies = { ...before };
  const detected: ActiveAnomaly[] = [];
  const flagged = new Set<string>();
  for (const f of seen.findings) {
    const key = anomalyKey(f);
    flagged.add(key);
    const was = before[key];
    next[key] = { ...f, since: was?.since ?? now, lastSeen: now };
    if (!was) detected.push(next[key] as ActiveAnomaly);
  }
  for (const key of seen.observed) if (!flagged.has(key)) delete next[key];
  return changes(before, next, detected);
}

/**
 * Ends the anomalies of series not seen for `staleMs` (millis) at `now`: a cell that left the
 * busiest list, a node that stopped sending heartbeats.
 */
export function expireAnomalies(before: ActiveAnomalies, now: number, staleMs: number): AnomalyChanges {
  const next: ActiveAnomalies = {};
  for (const [key, a] of Object.entries(before)) if (now - a.lastSeen <= staleMs) next[key] = a;
  return changes(before, next, []);
}

/** Why `a` is out of line, as alerts and `health.changed` say it. */
export function anomalyReason(a: Omit<AnomalyDetected, 'type'>): string {
  return `anomaly: ${a.metric} ${a.value} against a baseline of ${a.baseline} (score ${a.score})`;
}

/**
 * The events of `c`: `anomaly.detected` and a warning `alert.raised` per new anomaly, and
 * `health.changed` to `degraded` and back (to the status `statusOf` gives, e.g. `running`).
 */
export function anomalyEvents(
  c: AnomalyChanges,
  statusOf: (kind: 'node' | 'cell', id: string) => string,
): Array<AnomalyDetected | AlertRaised | HealthChanged> {
  const events: Array<AnomalyDetected | AlertRaised | HealthChanged> = [];
  for (const { since: _since, lastSeen: _lastSeen, ...a } of c.detected) {
    events.push({ type: HEALTH_EVENT.anomaly, ...a });
    events.push({ type: HEALTH_EVENT.alert, severity: 'warning', kind: a.kind, id: a.id, reason: anomalyReason(a) });
  }
  for (const a of c.degraded) {
    const from = statusOf(a.kind, a.id);
    events.push({ type: HEALTH_EVENT.changed, kind: a.kind, id: a.id, from, to: 'degraded', reason: anomalyReason(a) });
  }
  for (const { kind, id } of c.recovered) {
    events.push({ type: HEALTH_EVENT.changed, kind, id, from: 'degraded', to: statusOf(kind, id) });
  }
  return events;
}
