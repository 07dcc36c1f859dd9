import {
  type AnomalyDetector,
  type AnomalyDetectorOptions,
  createAnomalyDetector,
  type NodeHeartbeat,
} from '@hms/runtime';
import { ANOMALY_METRIC, type AnomalyDetected, type AnomalyMetric } from './events.js';

/** One series out of line, as the health monitor keeps it (by {@link anomalyKey}). */
export interface ActiveAnomaly extends Omit<AnomalyDetected, 'type'> {
  /** Epoch millis when it was detected. */
  since: number;
  /** Epoch millis when the series was last seen out of line. */
  lastSeen: number;
}

/** What one heartbeat shows: the series it fed, and those of them out of line now. */
export interface AnomalyObservation {
  /**
   * Keys ({@link anomalyKey}) of every series the heartbeat gave a value that was scored: not
   * those still warming up (after a restore every series does, and says nothing yet).
   */
  observed: string[];
  findings: Omit<AnomalyDetected, 'type'>[];
}

/** The key of a series: `<kind>:<id>:<metric>`. */
export function anomalyKey(a: { kind: string; id: string; metric: string }): string {
  return `${a.kind}:${a.id}:${a.metric}`;
}

/**
 * Floors of each metric's spread, in its own unit: below them a change is noise (a 2 ms wobble
 * of a sub-millisecond latency, a few queued messages). With threshold 6 a series must rise by
 * at least 6 × 1.4826 × minMad over its median: ~18 ms of latency, ~44 ms of event-loop lag (a
 * shared machine stalls a node's loop for tens of millis now and then; the overload limit is
 * 250 ms), ~44 queued messages, ~9 errors per second.
 */
const FLOORS: Record<AnomalyMetric, Pick<AnomalyDetectorOptions, 'minMad' | 'minRelativeMad'>> = {
  eventLoopLagMs: { minMad: 5, minRelativeMad: 0.1 },
  latencyMs: { minMad: 2, minRelativeMad: 0.1 },
  mailbox: { minMad: 5, minRelativeMad: 0.1 },
  errorRate: { minMad: 1, minRelativeMad: 0.1 },
};

/** What of the detectors' settings the health monitor's config may change (the floors are per metric). */
export type AnomalyWatchOptions = Omit<AnomalyDetectorOptions, 'minMad' | 'minRelativeMad'>;

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * Feeds heartbeats to native anomaly detectors, one per metric ({@link ANOMALY_METRIC}): each
 * node's event-loop lag, and each busiest cell's request latency, mailbox depth and error rate.
 * Holds Rust memory and is rebuilt empty with the machine (after a restore it warms up again),
 * so the monitor's snapshot does not grow with the swarm; each detector keeps at most
 * `maxSeries` series, evicting the least recently seen.
 */
export class AnomalyWatch {
  private readonly detectors: Record<AnomalyMetric, AnomalyDetector>;
  /** Each cell's error count at its previous heartbeat, for rates; bounded like the detectors. */
  private readonly errorsSeen = new Map<string, { errors: number; at: number }>();
  private readonly maxSeries: number;
  private readonly warmUp: number;
  private readonly windowSize: number;

  /** @throws NativeError naming the option when `options` are invalid. */
  constructor(options: AnomalyWatchOptions = {}) {
    this.maxSeries = options.maxSeries ?? 4096;
    this.warmUp = options.warmUp ?? 10;
    this.windowSize = options.windowSize ?? 60;
    const make = (m: AnomalyMetric) => createAnomalyDetector({ ...options, ...FLOORS[m] });
    this.detectors = {
      eventLoopLagMs: make('eventLoopLagMs'),
      latencyMs: make('latencyMs'),
      mailbox: make('mailbox'),
      errorRate: make('errorRate'),
    };
  }

  /** Feeds one heartbeat received at `now` (epoch millis): one native batch per metric. */
  observe(hb: NodeHeartbeat, now: number): AnomalyObservation {
    const out: AnomalyObservation = { observed: [], findings: [] };
    if (hb.leaving) return out;
    this.feed('node', ANOMALY_METRIC.eventLoopLagMs, [hb.node], [hb.eventLoopLagMs], now, out);
    const busiest = hb.busiest ?? [];
    const timed = busiest.filter((c) => c.latencyMs !== undefined);
    this.feed(
      'cell',
      ANOMALY_METRIC.latencyMs,
      timed.map((c) => c.id),
      timed.map((c) => c.latencyMs as number),
      now,
      out,
    );
    this.feed(
      'cell',
      ANOMALY_METRIC.mailbox,
      busiest.map((c) => c.id),
      busiest.map((c) => c.mailbox),
      now,
      out,
    );
    const rated: string[] = [];
    const rates: number[] = [];
    for (const c of busiest) {
      const before = this.errorsSeen.get(c.id);
      this.errorsSeen.delete(c.id);
      this.errorsSeen.set(c.id, { errors: c.errors, at: hb.ts });
      if (!before || hb.ts <= before.at) continue;
      rated.push(c.id);
      rates.push(Math.max(0, c.errors - before.errors) / ((hb.ts - before.at) / 1000));
    }
    while (this.errorsSeen.size > this.maxSeries) {
      this.errorsSeen.delete(this.errorsSeen.keys().next().value as string);
    }
    this.feed('cell', ANOMALY_METRIC.errorRate, rated, rates, now, out);
    return out;
  }

  private feed(
    kind: 'node' | 'cell',
    metric: AnomalyMetric,
    ids: string[],
    values: number[],
    now: number,
    out: AnomalyObservation,
  ): void {
    if (ids.length === 0) return;
    const detector = this.detectors[metric];
    const findings = detector.observe(ids, values, now);
    for (const id of ids) {
      // More than warmUp values held (or a full window): this one was scored.
      const held = detector.samples(id);
      if (held > this.warmUp || held === this.windowSize) out.observed.push(anomalyKey({ kind, id, metric }));
    }
    for (const f of findings) {
      out.findings.push({
        kind,
        id: f.key,
        metric,
        value: round(f.value),
        baseline: round(f.baseline),
        score: round(f.score),
      });
    }
  }
}
