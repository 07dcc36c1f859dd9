import { headers as createHeaders, createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { NoRespondersError, RequestTimeoutError } from '../errors.js';

/** How often requests past their deadline are failed, in millis. */
const SWEEP_MS = 250;

interface Pending {
  resolve: (msg: Msg) => void;
  reject: (err: Error) => void;
  deadline: number;
  subject: string;
}

/**
 * JetStream requests (KV reads and fenced writes) sent with a reply subject under one inbox
 * subscription, answered by a map lookup. A `nc.request()` costs a timer, a deferred, a muxed
 * entry and an Error with its stack made for every request (nats.js rejects the settled
 * promise with one); at thousands of cells started or restored a second that was a tenth of
 * the node's CPU. Deadlines are checked by one sweep timer for all requests in flight.
 */
export class JetStreamRequests {
  private readonly prefix: string;
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5000,
  ) {
    this.prefix = createInbox();
    this.nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const token = msg.subject.slice(this.prefix.length + 1);
        const waiting = this.pending.get(token);
        if (!waiting) return;
        this.pending.delete(token);
        if (msg.headers?.code === 503) {
          waiting.reject(new NoRespondersError(`no responders on ${waiting.subject}`));
          return;
        }
        waiting.resolve(msg);
      },
    });
  }

  /** Publishes `data` to `subject` and resolves with the reply. */
  request(subject: string, data: Uint8Array | string, headers?: Record<string, string>): Promise<Msg> {
    const token = (this.next++).toString(36);
    const hdrs = headers ? createHeaders() : undefined;
    if (hdrs && headers) for (const [k, v] of Object.entries(headers)) hdrs.set(k, v);
    const reply = new Promise<Msg>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs, subject });
    });
    try {
      this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, ...(hdrs ? { headers: hdrs } : {}) });
    } catch (err) {
      this.pending.delete(token);
      return Promise.reject(err);
    }
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref?.();
    return reply;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.pending) {
      if (waiting.deadline > now) continue;
      this.pending.delete(token);
      waiting.reject(new RequestTimeoutError(`no answer on ${waiting.subject} within ${this.timeoutMs} ms`));
    }
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
