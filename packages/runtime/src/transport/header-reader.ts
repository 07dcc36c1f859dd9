import type { Msg } from '@nats-io/transport-node';
import { HEADER } from './headers.js';

/** The HMS headers of one received message, read in one pass over its header bytes. */
export interface HmsHeaders {
  /** `hms-type`; '' when absent. */
  type: string;
  /** `hms-from`; '' when absent. */
  from: string;
  /** `hms-v`, parsed; 1 when absent or unparsable. */
  version: number;
  /** `hms-term`, parsed; undefined when absent. */
  term: number | undefined;
  /** `Content-Type`; undefined when absent. */
  contentType: string | undefined;
  /** The status code of a server status message (503: no responders); 0 for an ordinary message. */
  status: number;
}

/** The parts of the NATS client's message object the one-pass reader needs (nats.js 3's MsgImpl). */
interface RawMsg {
  _rdata?: Uint8Array;
  _msg?: { hdr: number };
}

const CR = 13;
const COLON = 58;
const SPACE = 32;
const TAB = 9;

/** The keys the reader picks out, as bytes, each with the field it fills. */
const KEYS: ReadonlyArray<[Uint8Array, keyof HmsHeaders]> = [
  [Buffer.from(HEADER.type, 'latin1'), 'type'],
  [Buffer.from(HEADER.from, 'latin1'), 'from'],
  [Buffer.from(HEADER.version, 'latin1'), 'version'],
  [Buffer.from(HEADER.term, 'latin1'), 'term'],
  [Buffer.from(HEADER.contentType, 'latin1'), 'contentType'],
];

function keyAt(bytes: Uint8Array, start: number, end: number): keyof HmsHeaders | undefined {
  const length = end - start;
  for (const [key, field] of KEYS) {
    if (key.length !== length) continue;
    let i = 0;
    while (i < length && key[i] === bytes[start + i]) i++;
    if (i === length) return field;
  }
  return undefined;
}

/** A whole decimal number from the ASCII digits in [start, end); NaN when there are none or others. */
function intAt(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = (bytes[i] as number) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

function empty(): HmsHeaders {
  return { type: '', from: '', version: 1, term: undefined, contentType: undefined, status: 0 };
}

/**
 * Reads the HMS headers of `msg`. With the NATS client's own message object it walks the raw
 * header block once (no header map, no per-key list: the client's `headers.get` builds both);
 * any other message goes through `msg.headers`. A message without headers gives the defaults.
 */
export function readHmsHeaders(msg: Msg): HmsHeaders {
  const raw = msg as unknown as RawMsg;
  const bytes = raw._rdata;
  const end = raw._msg?.hdr;
  if (bytes === undefined || end === undefined) return readViaClient(msg);
  const out = empty();
  if (end <= 0) return out;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, end);
  // The status line: `NATS/1.0` or `NATS/1.0 503` (a no-responders reply, for example).
  let i = buf.indexOf(CR);
  if (i < 0) return out;
  if (i > 9) out.status = intAt(buf, 9, Math.min(i, 12)) || 0;
  i += 2;
  while (i < end) {
    const lineEnd = buf.indexOf(CR, i);
    const stop = lineEnd < 0 ? end : lineEnd;
    if (stop === i) break;
    const colon = buf.indexOf(COLON, i);
    if (colon > i && colon < stop) {
      const field = keyAt(buf, i, colon);
      if (field !== undefined) {
        let v = colon + 1;
        while (v < stop && (buf[v] === SPACE || buf[v] === TAB)) v++;
        let e = stop;
        while (e > v && (buf[e - 1] === SPACE || buf[e - 1] === TAB)) e--;
        if (field === 'version') out.version = intAt(buf, v, e) || 1;
        else if (field === 'term') out.term = intAt(buf, v, e);
        else if (field === 'type') out.type = buf.toString('utf8', v, e);
        else if (field === 'from') out.from = buf.toString('utf8', v, e);
        else if (field === 'contentType') out.contentType = buf.toString('utf8', v, e) || undefined;
      }
    }
    i = stop + 2;
  }
  if (out.term !== undefined && Number.isNaN(out.term)) out.term = undefined;
  return out;
}

function readViaClient(msg: Msg): HmsHeaders {
  const out = empty();
  const h = msg.headers;
  if (!h) return out;
  out.type = h.get(HEADER.type);
  out.from = h.get(HEADER.from);
  out.version = Number(h.get(HEADER.version)) || 1;
  const term = h.get(HEADER.term);
  out.term = term ? Number(term) : undefined;
  out.contentType = h.get(HEADER.contentType) || undefined;
  out.status = h.code ?? 0;
  return out;
}
