import { execFile } from 'node:child_process';
import { getCodec } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { hmsBin } from './fixtures/run-hms.js';

/** Runs `hms decode` with `input` on stdin, as `nats sub --translate` does per message. */
function decode(input: Uint8Array): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [hmsBin, 'decode'], (err, stdout) =>
      resolve({ code: err ? 1 : 0, stdout }),
    );
    child.stdin?.end(Buffer.from(input));
  });
}

describe('hms decode', () => {
  const cases: Array<[string, Uint8Array, unknown]> = [
    ['a msgpack body', getCodec('msgpack').encode({ count: 3, who: ['a', 'b'] }), { count: 3, who: ['a', 'b'] }],
    ['a JSON body', new TextEncoder().encode('{"count":3}'), { count: 3 }],
    ['plain text', new TextEncoder().encode('hello there'), 'hello there'],
    ['bytes inside msgpack', getCodec('msgpack').encode({ raw: new Uint8Array([1, 2]) }), { raw: { base64: 'AQI=' } }],
  ];
  it.each(cases)('prints %s from stdin as one JSON line', async (_what, input, expected) => {
    const r = await decode(input);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual(expected);
  });

  it('prints undecodable bytes as base64 instead of failing', async () => {
    const r = await decode(new Uint8Array([0xff, 0xfe, 0xc1]));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      error: 'undecodable body',
      raw: Buffer.from([0xff, 0xfe, 0xc1]).toString('base64'),
    });
  });
});
