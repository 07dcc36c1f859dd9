import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../src/errors.js';
import { CONTENT_TYPE, codecForContentType, getCodec } from '../src/transport/codec.js';
import { decodeBody } from '../src/transport/message-view.js';

/** JSON values without `__proto__` keys, which msgpackr renames on purpose (see below). */
const jsonValue = fc
  .jsonValue({ maxDepth: 4 })
  .map((v) => JSON.parse(JSON.stringify(v), (k, value) => (k === '__proto__' ? undefined : value)) as unknown);

describe('codec', () => {
  it('round-trips any JSON value through msgpack', () => {
    const codec = getCodec('msgpack');
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(codec.decode(codec.encode(v))).toEqual(v);
      }),
    );
  });

  it('round-trips any JSON value through the JSON codec', () => {
    const codec = getCodec('json');
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(codec.decode(codec.encode(v))).toEqual(v);
      }),
    );
  });

  it('never lets a __proto__ key in a body reach an object prototype (msgpackr renames it)', () => {
    const codec = getCodec('msgpack');
    const decoded = codec.decode(codec.encode(JSON.parse('{"__proto__":{"polluted":true}}'))) as Record<
      string,
      unknown
    >;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it('writes plain msgpack maps that any msgpack decoder reads (no msgpackr records)', () => {
    const bytes = getCodec('msgpack').encode({ a: 1 });
    // a standard map header (fixmap or map16), never msgpackr's record extension (0xd4..0xd8)
    expect(bytes[0] === 0x81 || bytes[0] === 0xde).toBe(true);
    expect([...bytes.slice(-3)]).toEqual([0xa1, 0x61, 0x01]);
  });

  it('encodes undefined as an empty body and decodes it back', () => {
    for (const name of ['msgpack', 'json'] as const) {
      const codec = getCodec(name);
      expect(codec.encode(undefined).length).toBe(0);
      expect(codec.decode(new Uint8Array(0))).toBeUndefined();
    }
  });

  it('throws CodecError, never anything else, on random bytes', () => {
    const msgpack = getCodec('msgpack');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        try {
          msgpack.decode(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(CodecError);
        }
      }),
    );
    expect(() => getCodec('json').decode(new Uint8Array([0xff, 0xfe]))).toThrow(CodecError);
    expect(() => msgpack.decode(new Uint8Array([0xa5, 0x61]))).toThrow(CodecError);
  });

  it('picks the decoder by Content-Type and refuses unknown ones', () => {
    expect(codecForContentType(CONTENT_TYPE.json).name).toBe('json');
    expect(codecForContentType(CONTENT_TYPE.msgpack).name).toBe('msgpack');
    expect(codecForContentType(undefined).name).toBe('msgpack');
    expect(() => codecForContentType('text/xml')).toThrow(/unsupported Content-Type/);
  });

  it('decodes a headerless body as msgpack, then JSON, then text (for hms decode)', () => {
    expect(decodeBody(undefined, getCodec('msgpack').encode({ n: 1 }))).toEqual({ n: 1 });
    expect(decodeBody(undefined, new TextEncoder().encode('{"n":1}'))).toEqual({ n: 1 });
    expect(decodeBody(undefined, new TextEncoder().encode('hello world'))).toBe('hello world');
  });

  it('uses the native msgpackr-extract accelerator when installed', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    expect(() => require('msgpackr-extract')).not.toThrow();
  });
});
