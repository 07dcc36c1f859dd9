import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ConnectionError, NoRespondersError, RequestTimeoutError } from '../errors.js';
import { type HmsHeaders, readHmsHeaders } from './header-reader.js';

/** A reply as the requester reads it: the message and its HMS headers, read once. */
export interface MuxedReply {
  msg: Msg;
  headers: HmsHeaders;
}

interface Pending {
  resolve(reply: MuxedReply): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
  subject: string;
}

/** The status a server puts on the reply to a request nobody subscribes to. */
const NO_RESPONDERS = 503;

/**
 * Request/reply over one reply subscription per connection (`_INBOX.<id>.*`): each request
 * publishes with its own reply subject under it and waits on a map entry and one timer. The
 * NATS client's own `request()` does the same, plus a request object, an Error made up front
 * for its timeout and a header-map decode of every reply — a quarter of a request's client time.
 */
export class ReplyMux {
  private readonly prefix = `${createInbox()}.`;
  private readonly pending = new Map<string, Pending>();
  private sub: Subscription | undefined;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    void nc.closed().then(() => this.failAll(new ConnectionError('the NATS connection is closed')));
  }

  /**
   * Publishes `data` to `subject` with a reply subject of this mux and resolves with the reply.
   * @throws RequestTimeoutError, NoRespondersError, or ConnectionError when the connection is closed.
   */
  request(subject: string, data: Uint8Array, headers: MsgHdrs, timeout: number): Promise<MuxedReply> {
    if (this.sub === undefined) {
      this.sub = this.nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => this.onReply(err, msg) });
    }
    const token = (this.next++).toString(36);
    return new Promise<MuxedReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new RequestTimeoutError(`no reply on ${subject} within ${timeout} ms`));
      }, timeout);
      this.pending.set(token, { resolve, reject, timer, subject });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (cause) {
        clearTimeout(timer);
        this.pending.delete(token);
        reject(new ConnectionError('the NATS connection is closed', { cause }));
      }
    });
  }

  private onReply(err: Error | null, msg: Msg): void {
    if (err) {
      this.sub = undefined;
      this.failAll(new ConnectionError(`the reply subscription failed: ${err.message}`, { cause: err }));
      return;
    }
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.pending.get(token);
    // A reply after its request timed out, or a second reply: nobody waits for it.
    if (waiting === undefined) return;
    this.pending.delete(token);
    clearTimeout(waiting.timer);
    const headers = readHmsHeaders(msg);
    if (headers.status === NO_RESPONDERS) {
      waiting.reject(new NoRespondersError(`nobody answers on ${waiting.subject}`));
      return;
    }
    waiting.resolve({ msg, headers });
  }

  private failAll(err: Error): void {
    for (const [token, waiting] of this.pending) {
      this.pending.delete(token);
      clearTimeout(waiting.timer);
      waiting.reject(err);
    }
  }
}
