import { Packr } from 'msgpackr';
import { CodecError } from '../errors.js';

/** The body encodings HMS speaks, by Content-Type. */
export const CONTENT_TYPE = {
  msgpack: 'application/msgpack',
  json: 'application/json',
} as const;

/** The name of a codec: `msgpack` (default) or `json` (for debugging with plain `nats sub`). */
export type CodecName = keyof typeof CONTENT_TYPE;

/** Turns values into message bodies and back. */
export interface Codec {
  readonly name: CodecName;
  /** The Content-Type header value of bodies this codec writes. */
  readonly contentType: string;
  encode(value: unknown): Uint8Array;
  /** @throws CodecError when the bytes are not a valid body. */
  decode(bytes: Uint8Array): unknown;
}

const EMPTY = new Uint8Array(0);

function createMsgpackCodec(): Codec {
  // Records (msgpackr's extension) would make bodies unreadable to other msgpack decoders.
  const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
  return {
    name: 'msgpack',
    contentType: CONTENT_TYPE.msgpack,
    encode(value) {
      if (value === undefined) return EMPTY;
      try {
        return packr.pack(value);
      } catch (cause) {
        throw new CodecError('value cannot be encoded as msgpack', { cause });
      }
    },
    decode(bytes) {
      if (bytes.length === 0) return undefined;
      try {
        return packr.unpack(bytes);
      } catch (cause) {
        throw new CodecError(`malformed msgpack body (${bytes.length} bytes)`, { cause });
      }
    },
  };
}

function createJsonCodec(): Codec {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    name: 'json',
    contentType: CONTENT_TYPE.json,
    encode(value) {
      if (value === undefined) return EMPTY;
      try {
        return encoder.encode(JSON.stringify(value));
      } catch (cause) {
        throw new CodecError('value cannot be encoded as JSON', { cause });
      }
    },
    decode(bytes) {
      if (bytes.length === 0) return undefined;
      try {
        return JSON.parse(decoder.decode(bytes));
      } catch (cause) {
        throw new CodecError(`malformed JSON body (${bytes.length} bytes)`, { cause });
      }
    },
  };
}

const codecs: Record<CodecName, Codec> = {
  msgpack: createMsgpackCodec(),
  json: createJsonCodec(),
};

/** The codec called `name`. */
export function getCodec(name: CodecName): Codec {
  const codec = codecs[name];
  if (!codec) throw new CodecError(`unknown codec ${JSON.stringify(name)}: use msgpack or json`);
  return codec;
}

/**
 * The codec for a received message's Content-Type, so swarms with mixed codecs interoperate.
 * A message without Content-Type is taken as msgpack.
 */
export function codecForContentType(contentType: string | undefined): Codec {
  if (!contentType || contentType === CONTENT_TYPE.msgpack) return codecs.msgpack;
  if (contentType === CONTENT_TYPE.json) return codecs.json;
  throw new CodecError(`unsupported Content-Type ${JSON.stringify(contentType)}`);
}
