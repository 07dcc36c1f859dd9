import { type JetStreamClient, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { EVOLUTION_EVENT } from '../control/evolution-commands.js';
import type { Logger } from '../logger.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import { codecForContentType } from '../transport/codec.js';
import { HEADER } from '../transport/headers.js';
import { toJsonSafe } from '../transport/message-view.js';
import { createSubjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bucketNames } from './bucket-names.js';
import { storageReplicas } from './storage-replicas.js';

/** An event as kept in a log. */
export interface LoggedEvent {
  /** Stream sequence: events are numbered in the order they were published. */
  seq: number;
  /** Epoch millis when it was stored. */
  at: number;
  /** The event type, e.g. `cell.escalated`. */
  type: string;
  /** The cell the subject names. */
  cell: string;
  /** `hms-from`: the cell or node that published it. */
  from: string;
  body: Record<string, unknown>;
}

/** An alert (a {@link LoggedEvent} of the alerts log). */
export type Alert = LoggedEvent;

/** Which events a log keeps, and for how long. */
export interface EventLogSpec {
  /** The stream is `hms-<swarm>-<name>`. */
  name: string;
  /** Event types captured. */
  events: readonly string[];
  /** How long events are kept, in millis. */
  maxAgeMs: number;
}

/**
 * Escalated cells, unsaveable snapshots, overloaded nodes, raised alerts and detected anomalies,
 * kept 7 days: `hms monitor alerts`.
 */
export const ALERT_LOG: EventLogSpec = {
  name: 'alerts',
  events: [
    LIFECYCLE_EVENT.escalated,
    LIFECYCLE_EVENT.snapshotTooLarge,
    LIFECYCLE_EVENT.overloaded,
    LIFECYCLE_EVENT.recovered,
    'alert.raised',
    'anomaly.detected',
  ],
  maxAgeMs: 7 * 24 * 3600 * 1000,
};

/** Metric samples of the metrics-collector, kept 1 hour: `hms monitor metrics --history`. */
export const METRICS_LOG: EventLogSpec = { name: 'metrics', events: ['metrics.sample'], maxAgeMs: 3600 * 1000 };

/**
 * The evolution history, kept 30 days: every island's statistics per generation, runs started
 * and stopped, and every configuration applied, kept or rolled back.
 */
export const EVOLUTION_LOG: EventLogSpec = {
  name: 'evolution',
  events: Object.values(EVOLUTION_EVENT),
  maxAgeMs: 30 * 24 * 3600 * 1000,
};

/**
 * A JetStream stream `hms-<swarm>-<name>` that captures some event types as they are
 * published: nothing writes to it twice, and readers get the history back, also after
 * restarts. Used for alerts and for metrics history.
 */
export class EventLog {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly logger: Logger,
  ) {}

  /** Creates the stream when missing (idempotent) and opens it. */
  static async open(transport: Transport, swarm: string, spec: EventLogSpec, logger: Logger): Promise<EventLog> {
    const subjects = createSubjects(swarm);
    const stream = bucketNames(swarm).log(spec.name);
    const jsm = await jetstreamManager(transport.nc);
    const config = {
      name: stream,
      subjects: spec.events.map((t) => subjects.eventPattern(t)),
      max_age: nanos(spec.maxAgeMs),
      num_replicas: storageReplicas(transport),
    };
    try {
      const info = await jsm.streams.info(stream);
      // A swarm made by an older version captures fewer event types: widen it.
      const missing = config.subjects.filter((s) => !info.config.subjects?.includes(s));
      if (missing.length > 0) await jsm.streams.update(stream, { ...info.config, subjects: config.subjects });
    } catch {
      await jsm.streams.add(config).catch(async () => {
        // Another node created it in between.
        await jsm.streams.info(stream);
      });
    }
    return new EventLog(jetstream(transport.nc), stream, logger.child({ component: 'event-log', stream }));
  }

  private toEvent(m: JsMsg): LoggedEvent | undefined {
    try {
      const body = codecForContentType(m.headers?.get(HEADER.contentType) || undefined).decode(m.data);
      return {
        seq: m.seq,
        at: Math.round(m.info.timestampNanos / 1e6),
        type: m.headers?.get(HEADER.type) ?? '',
        cell: m.subject.slice(m.subject.lastIndexOf('.') + 1),
        from: m.headers?.get(HEADER.from) ?? '',
        body: toJsonSafe(body) as Record<string, unknown>,
      };
    } catch (err) {
      this.logger.warn({ err, seq: m.seq }, 'malformed event skipped');
      return undefined;
    }
  }

  /** The last `limit` events, oldest first. */
  async recent(limit = 100): Promise<LoggedEvent[]> {
    const jsm = await this.js.jetstreamManager();
    const { state } = await jsm.streams.info(this.stream);
    if (state.messages === 0) return [];
    const start = Math.max(state.first_seq, state.last_seq - limit + 1);
    const consumer = await this.js.consumers.get(this.stream, {
      deliver_policy: 'by_start_sequence',
      opt_start_seq: start,
    });
    const out: LoggedEvent[] = [];
    const messages = await consumer.fetch({ max_messages: state.last_seq - start + 1, expires: 5000 });
    for await (const m of messages) {
      const event = this.toEvent(m);
      if (event) out.push(event);
      if (m.seq >= state.last_seq) break;
    }
    return out;
  }

  /**
   * Calls `onEvent` for every event logged from now on; returns a function that stops.
   * `onEnd` is called if the follow ends other than by that function (with the error, if any).
   */
  async follow(onEvent: (event: LoggedEvent) => void, onEnd?: (err?: unknown) => void): Promise<() => void> {
    const consumer = await this.js.consumers.get(this.stream, { deliver_policy: 'new' });
    const messages = await consumer.consume();
    let closed = false;
    void (async () => {
      for await (const m of messages) {
        const event = this.toEvent(m);
        if (event) onEvent(event);
      }
    })().then(
      () => {
        if (!closed) onEnd?.();
      },
      // Unhandled, a consumer's failure would end the process (a node's, in the alert push).
      (err: unknown) => {
        if (!closed) onEnd?.(err);
      },
    );
    return () => {
      closed = true;
      messages.close().catch(() => {});
    };
  }
}
