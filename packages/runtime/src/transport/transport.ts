import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  errors as natsErrors,
  type Subscription,
} from '@nats-io/transport-node';
import {
  CodecError,
  ConnectionError,
  errorFromWire,
  errorToWire,
  HmsError,
  MessageVersionError,
  type WireError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import { credsRole } from '../security/creds-role.js';
import { type Codec, type CodecName, codecForContentType, getCodec } from './codec.js';
import { type HmsHeaders, readHmsHeaders } from './header-reader.js';
import { HeaderSets } from './header-sets.js';
import { ERROR_TYPE, HEADER, REPLY_TYPE } from './headers.js';
import type { IncomingMessage, RequestOptions, SendOptions } from './message.js';
import { type MessageSchemas, messageVersion, schemaOf, upcastMessage } from './message-versions.js';
import { type MessageView, viewMessage } from './message-view.js';
import { ReceivedMessage, type ReplySender } from './received-message.js';
import { ReplyMux } from './reply-mux.js';
import {
  connectionRefused,
  findPermissionDenied,
  permissionDenied,
  translateRequestError,
} from './transport-errors.js';

/** TLS files for the NATS connection. */
export interface TlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Options of {@link connectTransport}. */
export interface TransportOptions {
  /** NATS server URL(s); default `nats://127.0.0.1:4222`. */
  servers?: string | string[];
  /** The connection name the server shows (e.g. `hms-node-1`). */
  name?: string;
  /** Default `hms-from` of what this transport sends. */
  from: string;
  /** Body codec of what this transport sends; default `msgpack`. Receiving follows Content-Type. */
  codec?: CodecName;
  /** A NATS credentials file. */
  creds?: string;
  tls?: TlsOptions;
  /** Keep reconnecting forever (nodes) instead of giving up (CLI); default true. */
  reconnect?: boolean;
  /** How long to wait for the first connection, in millis; default 3000. */
  timeout?: number;
  logger: Logger;
}

/** A message handler. A thrown error or rejected promise becomes an error reply. */
export type MessageHandler = (msg: IncomingMessage) => void | Promise<void>;

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Queue group: one member of the group gets each message. */
  queue?: string;
  /** Called with each message that could not be decoded, after it was counted and logged. */
  onMalformed?: (subject: string, reason: string) => void;
  /**
   * Checks a decoded message before the handler sees it: returns why it is malformed, or
   * undefined to accept it. A refused message is counted, logged and dropped like one that did
   * not decode.
   */
  accept?: (msg: IncomingMessage) => string | undefined;
  /**
   * The schemas of the message types this subscriber reads (a cell type's `messages`); types
   * not listed are built-in or version 1. A body of an older version is upcast before the
   * handler sees it; a newer one is refused (MessageVersionError), counted and dropped.
   */
  messages?: MessageSchemas;
}

/** A live subscription. */
export interface TransportSubscription {
  readonly subject: string;
  /** Messages received but not yet handled (the mailbox depth). */
  pending(): number;
  /** Stops delivery at once. */
  unsubscribe(): void;
  /** Handles what is already received, then stops. */
  drain(): Promise<void>;
}

/** Counters of one transport since it connected. */
export interface TransportStats {
  published: number;
  received: number;
  /** Messages that could not be decoded (counted, logged and dropped). */
  malformed: number;
  /** Handlers that threw. */
  handlerErrors: number;
  /** Messages not sent because the connection was closed. */
  dropped: number;
}

/**
 * One NATS connection per process, speaking the HMS envelope: typed messages with readable
 * headers, msgpack (or JSON) bodies, request/reply with errors rebuilt by class.
 */
export class Transport {
  readonly stats: TransportStats = { published: 0, received: 0, malformed: 0, handlerErrors: 0, dropped: 0 };
  private readonly codec: Codec;
  private readonly headerSets: HeaderSets;
  /**
   * Requests without credentials go through one reply subscription (see ReplyMux); with
   * credentials through the client's `request()`, which reports a refused subject as such.
   */
  private readonly mux: ReplyMux | undefined;
  private disconnected = false;
  /** Subjects the server refused, by operation (`publish:<subject>`), newest last; bounded. */
  private readonly refused = new Set<string>();

  private constructor(
    /** The NATS connection. Only `runtime/src/transport` and persistence may use it directly. */
    readonly nc: NatsConnection,
    private readonly options: TransportOptions,
    private readonly logger: Logger,
    private readonly roleName: string | undefined,
  ) {
    this.codec = getCodec(options.codec ?? 'msgpack');
    this.headerSets = new HeaderSets(this.codec.contentType);
    this.mux = roleName === undefined ? new ReplyMux(nc) : undefined;
  }

  /** The codec this transport writes with. */
  get codecName(): CodecName {
    return this.codec.name;
  }

  /**
   * How this transport connected (servers, credentials, TLS, codec), for a second connection of
   * the same process, e.g. a worker thread's.
   */
  get connectionOptions(): Omit<TransportOptions, 'logger'> {
    const { logger: _, ...rest } = this.options;
    return rest;
  }

  /**
   * The role the credentials were issued for (`node`, `operator`, `observer`), read from the
   * creds file's user JWT; undefined without credentials.
   */
  get role(): string | undefined {
    return this.roleName;
  }

  /** True while the connection is up (false while reconnecting, and once closed). */
  get isConnected(): boolean {
    return !this.disconnected && !this.nc.isClosed();
  }

  /** The server this transport is connected to. */
  get server(): string {
    return this.nc.getServer();
  }

  /**
   * Connects to NATS.
   * @throws ConnectionError with a one-line message when no server answers.
   */
  static async connect(options: TransportOptions): Promise<Transport> {
    const servers = options.servers ?? 'nats://127.0.0.1:4222';
    const logger = options.logger.child({ component: 'transport' });
    const where = [servers].flat().join(',');
    let creds: Uint8Array | undefined;
    if (options.creds) {
      try {
        creds = readFileSync(options.creds);
      } catch (cause) {
        throw new ConnectionError(`cannot read the NATS credentials file ${options.creds}`, { cause });
      }
    }
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers,
        name: options.name ?? options.from,
        timeout: options.timeout ?? 3000,
        maxReconnectAttempts: options.reconnect === false ? 0 : -1,
        reconnectTimeWait: 250,
        // An Error (with its stack) made up front for every request and flush, in case it times
        // out: 4% of a leader's CPU at hundreds of creates a second, for traces HMS's own errors
        // (which name the subject and the timeout) do not need.
        noAsyncTraces: true,
        ...(creds ? { authenticator: credsAuthenticator(creds) } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
      });
    } catch (cause) {
      throw connectionRefused(cause, where, options.creds);
    }
    const role = creds ? credsRole(new TextDecoder().decode(creds)) : undefined;
    const transport = new Transport(nc, options, logger, role);
    transport.watchStatus();
    return transport;
  }

  private watchStatus(): void {
    void (async () => {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect') this.disconnected = true;
        else if (status.type === 'reconnect') this.disconnected = false;
        if (status.type === 'disconnect' || status.type === 'reconnect') {
          this.logger.warn({ status: status.type, server: status.server }, `nats ${status.type}`);
        } else if (status.type === 'error' && status.error instanceof natsErrors.PermissionViolationError) {
          this.noteRefused(status.error.operation, status.error.subject);
        } else if (status.type === 'error' || status.type === 'staleConnection') {
          this.logger.error({ status: status.type }, 'nats connection problem');
        }
      }
    })();
  }

  private noteRefused(operation: string, subject: string): void {
    const key = `${operation}:${subject}`;
    this.refused.delete(key);
    this.refused.add(key);
    if (this.refused.size > 1000) this.refused.delete(this.refused.values().next().value as string);
    this.logger.error({ role: this.roleName, operation, subject }, 'nats refused: permission denied');
  }

  /**
   * Checks that the credentials may publish to `subject`: sends an empty message there and
   * waits for the server to have handled it. Pick a subject nobody subscribes to.
   * @throws PermissionDeniedError naming the role and the subject.
   */
  async assertMayPublish(subject: string): Promise<void> {
    this.nc.publish(subject);
    await this.assertPublished(subject);
  }

  /**
   * Publishes like {@link publish}, then waits until the server has handled it, so a refusal
   * (which NATS reports only asynchronously) is thrown here: for one-off sends such as the CLI's.
   * @throws PermissionDeniedError naming the role and the subject.
   */
  async publishChecked(subject: string, type: string, body?: unknown, options: SendOptions = {}): Promise<void> {
    this.publish(subject, type, body, options);
    await this.assertPublished(subject);
  }

  private async assertPublished(subject: string): Promise<void> {
    // The server reports a refusal before it answers the next ping; the second round trip
    // lets the status loop, which reads the report, run first.
    await this.nc.flush();
    await this.nc.flush();
    if (this.refused.has(`publish:${subject}`)) throw permissionDenied(this.roleName, 'publish', subject);
  }

  private headersFor(type: string, from: string, term: number | undefined, version: number): MsgHdrs {
    return this.headerSets.get(type, from, term, version);
  }

  /**
   * Publishes a typed message (fire and forget). On a connection closed for good the message
   * is counted as dropped and logged, never thrown: publishers are often timers.
   */
  publish(subject: string, type: string, body?: unknown, options: SendOptions = {}): void {
    const from = options.from ?? this.options.from;
    const data = this.codec.encode(body);
    try {
      this.nc.publish(subject, data, {
        headers: this.headersFor(type, from, options.term, options.version ?? messageVersion(type)),
      });
    } catch (err) {
      if (this.stats.dropped++ % 1000 === 0) {
        this.logger.warn({ err, subject, dropped: this.stats.dropped }, 'publish dropped: connection closed');
      }
      return;
    }
    this.stats.published++;
  }

  /**
   * Sends a request and resolves with the decoded reply body.
   * @throws RequestTimeoutError, NoRespondersError, or the error the responder failed with.
   */
  async request(subject: string, type: string, body?: unknown, options: RequestOptions = {}): Promise<unknown> {
    const from = options.from ?? this.options.from;
    const timeout = options.timeout ?? 5000;
    const headers = this.headersFor(type, from, options.term, options.version ?? messageVersion(type));
    let reply: Msg;
    let h: HmsHeaders;
    if (this.mux) {
      ({ msg: reply, headers: h } = await this.mux.request(subject, this.codec.encode(body), headers, timeout));
    } else {
      try {
        reply = await this.nc.request(subject, this.codec.encode(body), { timeout, headers });
      } catch (cause) {
        throw translateRequestError(cause, subject, timeout, this.roleName);
      }
      h = readHmsHeaders(reply);
    }
    this.stats.published++;
    const decoded = codecForContentType(h.contentType).decode(reply.data);
    if (h.type === ERROR_TYPE) throw errorFromWire(decoded as WireError);
    return decoded;
  }

  /**
   * Subscribes `handler` to `subject`. Malformed messages are counted, logged and dropped.
   * `drain()` resolves only when every handler it started has settled, so no reply in flight
   * is lost on shutdown.
   */
  subscribe(subject: string, handler: MessageHandler, options: SubscribeOptions = {}): TransportSubscription {
    const inflight = new Set<Promise<void>>();
    const sub: Subscription = this.nc.subscribe(subject, {
      ...(options.queue ? { queue: options.queue } : {}),
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject, role: this.roleName }, 'subscription error');
          return;
        }
        const pending = this.dispatch(msg, handler, options);
        if (pending) {
          inflight.add(pending);
          void pending.finally(() => inflight.delete(pending));
        }
      },
    });
    return {
      subject,
      pending: () => sub.getPending() + inflight.size,
      unsubscribe: () => sub.unsubscribe(),
      drain: async () => {
        if (!sub.isClosed()) await sub.drain();
        await Promise.allSettled([...inflight]);
      },
    };
  }

  /**
   * Taps every raw message on `subject` (wildcards allowed), decoded or not, for observers such
   * as `hms sub`. `onError` hears why the tap ended early: a {@link PermissionDeniedError} when
   * the credentials may not subscribe there. Returns a function that stops the tap.
   */
  tap(subject: string, onMessage: (view: MessageView) => void, onError?: (err: Error) => void): () => void {
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          onError?.(findPermissionDenied(err, this.roleName) ?? err);
          return;
        }
        const headers = new Map<string, string>();
        if (msg.headers) for (const k of msg.headers.keys()) headers.set(k, msg.headers.get(k));
        onMessage(viewMessage(msg.subject, headers, msg.data, msg.reply));
      },
    });
    return () => sub.unsubscribe();
  }

  /** Publishes raw bytes with no HMS headers (for tests of malformed input and tools). */
  publishRaw(subject: string, data: Uint8Array): void {
    this.nc.publish(subject, data);
  }

  /** Handles one message; returns the handler's promise when it is still running. */
  private dispatch(msg: Msg, handler: MessageHandler, options: SubscribeOptions): Promise<void> | undefined {
    this.stats.received++;
    const incoming = this.decode(msg, options.messages);
    const problem =
      typeof incoming === 'string' || incoming instanceof MessageVersionError ? incoming : options.accept?.(incoming);
    if (problem !== undefined || typeof incoming === 'string' || incoming instanceof MessageVersionError) {
      const reason = problem instanceof MessageVersionError ? problem.message : (problem ?? 'malformed');
      // One line per 1,000: a flood of malformed messages must not become a flood of log lines.
      if (this.stats.malformed++ % 1000 === 0) {
        this.logger.warn(
          { subject: msg.subject, bytes: msg.data.length, reason, malformed: this.stats.malformed },
          'malformed message dropped',
        );
      }
      if (msg.reply) {
        this.replyError(
          msg,
          problem instanceof MessageVersionError ? problem : new CodecError(`malformed message: ${reason}`),
        );
      }
      options.onMalformed?.(msg.subject, reason);
      return undefined;
    }
    let result: void | Promise<void>;
    try {
      result = handler(incoming);
    } catch (err) {
      this.onHandlerError(incoming, err);
      return undefined;
    }
    if (result && typeof result.then === 'function') {
      return result.then(undefined, (err: unknown) => this.onHandlerError(incoming, err));
    }
    return undefined;
  }

  private onHandlerError(msg: IncomingMessage, err: unknown): void {
    this.stats.handlerErrors++;
    if (!(err instanceof HmsError)) {
      this.logger.error({ err, subject: msg.subject, type: msg.type }, 'message handler failed');
    }
    msg.fail(err);
  }

  /**
   * Decodes a raw message and reads its body as the version this subscriber speaks; returns why
   * it is malformed, or the MessageVersionError of a version it cannot read.
   */
  private decode(msg: Msg, schemas: MessageSchemas | undefined): IncomingMessage | string | MessageVersionError {
    const h = readHmsHeaders(msg);
    if (!h.type) return `no ${HEADER.type} header`;
    let body: unknown;
    try {
      body = codecForContentType(h.contentType).decode(msg.data);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    const schema = schemaOf(h.type, schemas);
    if (h.version !== (schema?.version ?? 1)) {
      try {
        body = upcastMessage(h.type, body, h.version, schema);
      } catch (err) {
        if (err instanceof MessageVersionError) return err;
        throw err;
      }
    }
    return new ReceivedMessage(this.replies, msg, h, body);
  }

  private readonly replies: ReplySender = {
    reply: (msg, value) => this.respondWith(msg, REPLY_TYPE, value),
    replyError: (msg, error) => this.replyError(msg, error),
  };

  private respondWith(msg: Msg, type: string, value: unknown): void {
    let data: Uint8Array;
    try {
      data = this.codec.encode(value);
    } catch (err) {
      this.replyError(msg, err);
      return;
    }
    msg.respond(data, { headers: this.headersFor(type, this.options.from, undefined, messageVersion(type)) });
    this.stats.published++;
  }

  private replyError(msg: Msg, error: unknown): void {
    msg.respond(this.codec.encode(errorToWire(error)), {
      headers: this.headersFor(ERROR_TYPE, this.options.from, undefined, messageVersion(ERROR_TYPE)),
    });
    this.stats.published++;
  }

  /** Waits until the server has processed everything sent so far. */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  /** Handles everything received, sends everything pending, then closes the connection. */
  async drain(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }

  /** Closes the connection at once. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.close();
  }

  /** Resolves when the connection is closed for good. */
  async closed(): Promise<void> {
    await this.nc.closed();
  }
}

/** Connects a {@link Transport}. */
export function connectTransport(options: TransportOptions): Promise<Transport> {
  return Transport.connect(options);
}
