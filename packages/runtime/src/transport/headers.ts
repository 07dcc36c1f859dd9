/**
 * The headers every HMS message carries, so an observer (`nats sub`) can tell what a message is
 * and who sent it without decoding the body.
 */
export const HEADER = {
  /** The message type: an event type, a request type, `reply` or `error`. */
  type: 'hms-type',
  /** The sending cell or node id. */
  from: 'hms-from',
  /** The schema version of the body, so protocols can evolve. */
  version: 'hms-v',
  /** The election term, where fencing applies. */
  term: 'hms-term',
  /** `application/msgpack` (default) or `application/json`. */
  contentType: 'Content-Type',
} as const;

/** `hms-type` of a successful reply. */
export const REPLY_TYPE = 'reply';
/** `hms-type` of an error reply; the body is a {@link WireError}. */
export const ERROR_TYPE = 'error';
/** The protocol version this build writes in `hms-v`. */
export const PROTOCOL_VERSION = 1;

/**
 * Headers of a NATS Services (ADR-32) error reply, which `nats micro` and other NATS clients
 * check: a message for people, and a code that always parses as a number (HTTP-like: 400, 404, 500).
 */
export const SERVICE_ERROR_HEADER = {
  message: 'Nats-Service-Error',
  code: 'Nats-Service-Error-Code',
} as const;
