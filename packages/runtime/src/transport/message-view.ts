import { codecForContentType } from './codec.js';
import { HEADER } from './headers.js';

/** A message as `hms sub` prints it: headers readable, body decoded to JSON-able values. */
export interface MessageView {
  subject: string;
  type?: string;
  from?: string;
  v?: number;
  term?: number;
  reply?: string;
  body?: unknown;
  /** Set when the body could not be decoded; `raw` then holds it in base64. */
  error?: string;
  raw?: string;
}

/** Makes values that JSON cannot carry (bigint, bytes, Map) printable. */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonSafe(v)]));
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)]));
  }
  return value;
}

/** Decodes one raw message for display. Never throws: a bad body is shown as base64. */
export function viewMessage(
  subject: string,
  headers: ReadonlyMap<string, string>,
  data: Uint8Array,
  reply?: string,
): MessageView {
  const view: MessageView = { subject };
  const type = headers.get(HEADER.type);
  if (type) view.type = type;
  const from = headers.get(HEADER.from);
  if (from) view.from = from;
  const v = headers.get(HEADER.version);
  if (v) view.v = Number(v);
  const term = headers.get(HEADER.term);
  if (term) view.term = Number(term);
  if (reply) view.reply = reply;
  try {
    view.body = toJsonSafe(decodeBody(headers.get(HEADER.contentType), data));
  } catch (err) {
    view.error = err instanceof Error ? err.message : String(err);
    view.raw = Buffer.from(data).toString('base64');
  }
  return view;
}

/**
 * Decodes a body by its Content-Type; without one (as `nats sub --translate` gives it), tries
 * msgpack, then JSON, then UTF-8 text.
 */
export function decodeBody(contentType: string | undefined, data: Uint8Array): unknown {
  if (contentType) return codecForContentType(contentType).decode(data);
  try {
    return codecForContentType(undefined).decode(data);
  } catch {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
}
