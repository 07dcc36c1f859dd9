import { type JetStreamClient, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import { codecForContentType } from '../transport/codec.js';
import { HEADER } from '../transport/headers.js';
import { toJsonSafe } from '../transport/message-view.js';
import { createSubjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bucketNames } from './bucket-names.js';

/** An alert as kept in the stream. */
export interface Alert {
  /** Stream sequence: alerts are numbered in the order they were raised. */
  seq: number;
  /** Epoch millis when it was stored. */
  at: number;
  /** The event type, e.g. `cell.escalated`. */
  type: string;
  /** The cell it is about. */
  cell: string;
  /** The node that raised it. */
  from: string;
  body: Record<string, unknown>;
}

/** Options of {@link AlertLog.open}. */
export interface AlertLogOptions {
  /** How long alerts are kept, in millis; default 7 days. */
  maxAgeMs?: number;
}

/** Event types kept as alerts. */
export const ALERT_EVENTS = [LIFECYCLE_EVENT.escalated, 'alert.raised'] as const;

/**
 * The alerts of a swarm in the JetStream stream `hms-<swarm>-alerts`, which captures the alert
 * events (`cell.escalated`, `alert.raised`) as they are published: nothing writes to it twice,
 * and `hms monitor alerts` reads it back, also after restarts.
 */
export class AlertLog {
  private constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly logger: Logger,
  ) {}

  /** Creates the stream when missing (idempotent) and opens it. */
  static async open(
    transport: Transport,
    swarm: string,
    logger: Logger,
    options: AlertLogOptions = {},
  ): Promise<AlertLog> {
    const subjects = createSubjects(swarm);
    const stream = bucketNames(swarm).alerts;
    const jsm = await jetstreamManager(transport.nc);
    const config = {
      name: stream,
      subjects: ALERT_EVENTS.map((t) => subjects.eventPattern(t)),
      max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3600 * 1000),
    };
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add(config).catch(async () => {
        // Another node created it in between.
        await jsm.streams.info(stream);
      });
    }
    return new AlertLog(jetstream(transport.nc), stream, logger.child({ component: 'alert-log' }));
  }

  private toAlert(m: JsMsg): Alert | undefined {
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
      this.logger.warn({ err, seq: m.seq }, 'malformed alert skipped');
      return undefined;
    }
  }

  /** The last `limit` alerts, oldest first. */
  async recent(limit = 100): Promise<Alert[]> {
    const jsm = await this.js.jetstreamManager();
    const { state } = await jsm.streams.info(this.stream);
    if (state.messages === 0) return [];
    const start = Math.max(state.first_seq, state.last_seq - limit + 1);
    const consumer = await this.js.consumers.get(this.stream, {
      deliver_policy: 'by_start_sequence',
      opt_start_seq: start,
    });
    const out: Alert[] = [];
    const messages = await consumer.fetch({ max_messages: state.last_seq - start + 1, expires: 5000 });
    for await (const m of messages) {
      const alert = this.toAlert(m);
      if (alert) out.push(alert);
      if (m.seq >= state.last_seq) break;
    }
    return out;
  }

  /** Calls `onAlert` for every alert raised from now on; returns a function that stops. */
  async follow(onAlert: (alert: Alert) => void): Promise<() => void> {
    const consumer = await this.js.consumers.get(this.stream, { deliver_policy: 'new' });
    const messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) {
        const alert = this.toAlert(m);
        if (alert) onAlert(alert);
      }
    })();
    return () => void messages.close();
  }
}
