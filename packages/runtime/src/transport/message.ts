import type { WireError } from '../errors.js';

/** A decoded HMS message as a handler sees it. */
export interface IncomingMessage {
  /** The subject it arrived on. */
  readonly subject: string;
  /** `hms-type`: the event or request type. */
  readonly type: string;
  /** `hms-from`: the sender's cell or node id ('' when absent). */
  readonly from: string;
  /**
   * `hms-v`: the schema version the sender wrote (1 when absent). The body is already upcast to
   * the version the subscriber reads.
   */
  readonly version: number;
  /** `hms-term`, where fencing applies. */
  readonly term: number | undefined;
  /** The decoded body. */
  readonly body: unknown;
  /** True when the sender waits for a reply. */
  readonly isRequest: boolean;
  /** Replies with a value (no-op when the message is not a request; at most once). */
  respond(value: unknown): void;
  /** Replies with an error, rebuilt as its own class on the requester's side. */
  fail(error: unknown): void;
}

/** Options of one outgoing message. */
export interface SendOptions {
  /** Overrides the transport's default `hms-from`. */
  from?: string;
  /** Sets `hms-term` (fencing). */
  term?: number;
  /**
   * The schema version of the body (`hms-v`); default the version this build declares for the
   * type (see MessageSchemas), else 1. Send the receiver's version: a newer one is refused.
   */
  version?: number;
}

/** Options of one request. */
export interface RequestOptions extends SendOptions {
  /** How long to wait for the reply, in millis; default 5000. */
  timeout?: number;
}

/** The shape of an error reply body. */
export type ErrorBody = WireError;
