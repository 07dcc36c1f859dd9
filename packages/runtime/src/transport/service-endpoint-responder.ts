import { headers as createHeaders, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import { errorToWire, HmsError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Codec, codecForContentType, getCodec } from './codec.js';
import { ERROR_TYPE, HEADER, PROTOCOL_VERSION, REPLY_TYPE, SERVICE_ERROR_HEADER } from './headers.js';
import type { Transport, TransportSubscription } from './transport.js';

/** A request to a service endpoint, decoded. */
export interface ServiceRequest {
  /** The subject it came on. */
  readonly subject: string;
  /** The decoded body: by Content-Type (msgpack or JSON); without one, JSON or else the text. */
  readonly body: unknown;
  /** The sender's `hms-from`; undefined for plain NATS clients. */
  readonly from: string | undefined;
}

/** Options of {@link serveServiceEndpoint}. */
export interface ServiceEndpointResponderOptions {
  subject: string;
  /** The queue group: one member answers each request. */
  queue: string;
  /** `hms-from` of the replies. */
  from: string;
  /** Answers a request; a thrown error or rejection becomes an error reply. */
  handler: (request: ServiceRequest) => unknown;
  /** Called after each request with its handling time, in nanoseconds, and its error if it failed. */
  onHandled: (elapsedNs: number, error?: unknown) => void;
  logger: Logger;
}

const json = getCodec('json');
const decoder = new TextDecoder();

/** HTTP-like numbers for `Nats-Service-Error-Code`, by HMS error code. */
const SERVICE_ERROR_CODE: Record<string, number> = {
  VALIDATION_ERROR: 400,
  INVALID_NAME: 400,
  CODEC_ERROR: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  NO_RESPONDERS: 503,
  REQUEST_TIMEOUT: 504,
};

/** The `Nats-Service-Error-Code` of an error: 400, 404, 409, 503, 504, or 500 for anything else. */
export function serviceErrorCode(err: unknown): number {
  return (err instanceof HmsError && SERVICE_ERROR_CODE[err.code]) || 500;
}

/** A plain NATS client's body (no Content-Type): JSON when it parses, else the text. */
function decodePlain(data: Uint8Array): unknown {
  if (data.length === 0) return undefined;
  const text = decoder.decode(data);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function replyHeaders(type: string, from: string, codec: Codec): MsgHdrs {
  const h = createHeaders();
  h.set(HEADER.type, type);
  h.set(HEADER.from, from);
  h.set(HEADER.version, String(PROTOCOL_VERSION));
  h.set(HEADER.contentType, codec.contentType);
  return h;
}

/**
 * Serves one NATS Services endpoint. It speaks both HMS and plain NATS: a request with a
 * Content-Type is decoded and answered in that codec, with the usual HMS headers, so
 * `transport.request()` gets its value or its error rebuilt by class; a request without one
 * (`nats req`, `nats micro request`) is read as JSON and answered in JSON. Error replies also
 * carry the ADR-32 `Nats-Service-Error` and `Nats-Service-Error-Code` headers.
 */
export function serveServiceEndpoint(
  transport: Transport,
  options: ServiceEndpointResponderOptions,
): TransportSubscription {
  const { subject, from, handler, onHandled, logger } = options;
  const inflight = new Set<Promise<void>>();

  const answer = async (msg: Msg): Promise<void> => {
    const started = process.hrtime.bigint();
    const contentType = msg.headers?.get(HEADER.contentType) || undefined;
    let codec = json;
    let error: unknown;
    let data: Uint8Array | undefined;
    try {
      codec = contentType ? codecForContentType(contentType) : json;
      const body = contentType ? codec.decode(msg.data) : decodePlain(msg.data);
      const value = await handler({ subject: msg.subject, body, from: msg.headers?.get(HEADER.from) || undefined });
      data = codec.encode(value);
    } catch (err) {
      error = err;
    }
    onHandled(Number(process.hrtime.bigint() - started), error);
    if (!msg.reply) return;
    if (data !== undefined) {
      msg.respond(data, { headers: replyHeaders(REPLY_TYPE, from, codec) });
      return;
    }
    if (!(error instanceof HmsError)) logger.error({ err: error, subject }, 'service endpoint failed');
    const wire = errorToWire(error);
    const h = replyHeaders(ERROR_TYPE, from, codec);
    h.set(SERVICE_ERROR_HEADER.message, wire.message.replace(/[\r\n]+/g, ' '));
    h.set(SERVICE_ERROR_HEADER.code, String(serviceErrorCode(error)));
    msg.respond(codec.encode(wire), { headers: h });
  };

  const sub = transport.nc.subscribe(subject, {
    queue: options.queue,
    callback: (err, msg) => {
      if (err) {
        logger.error({ err, subject }, 'service endpoint subscription error');
        return;
      }
      const pending = answer(msg).catch((e: unknown) => logger.error({ err: e, subject }, 'service reply not sent'));
      inflight.add(pending);
      void pending.finally(() => inflight.delete(pending));
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
