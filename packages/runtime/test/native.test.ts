import { describe, expect, it } from 'vitest';
import { NativeError } from '../src/errors.js';
import { createPhiDetector } from '../src/native.js';

describe('native', () => {
  const beat = (keys: string[], everyMs: number, count: number) => {
    const d = createPhiDetector();
    for (let i = 0; i < count; i++) for (const k of keys) d.heartbeat(k, i * everyMs);
    return { d, last: (count - 1) * everyMs };
  };

  it('gives steady heartbeats a phi below 1', () => {
    const { d, last } = beat(['n1'], 1000, 30);
    expect(d.phi('n1', last + 900)).toBeLessThan(1);
  });

  it('raises phi above 8 after a long silence, growing all the way', () => {
    const { d, last } = beat(['n1'], 1000, 30);
    const series = [2000, 3000, 4000, 6000].map((gap) => d.phi('n1', last + gap) as number);
    expect(series).toEqual([...series].sort((a, b) => a - b));
    expect(series.at(-1)).toBeGreaterThan(8);
  });

  it('scores every key in one call, equal to asking one by one', () => {
    const { d, last } = beat(['a', 'b', 'c'], 500, 20);
    d.heartbeat('b', last + 400);
    const all = d.phiAll(last + 1500);
    expect(all.keys).toEqual(['a', 'b', 'c']);
    expect(all.phi).toBeInstanceOf(Float64Array);
    all.keys.forEach((k, i) => {
      expect(all.phi[i]).toBe(d.phi(k, last + 1500));
    });
    expect(all.phi[1]).toBeLessThan(all.phi[0] as number);
  });

  it('forgets a removed key', () => {
    const { d } = beat(['a', 'b'], 1000, 5);
    expect(d.remove('a')).toBe(true);
    expect(d.remove('a')).toBe(false);
    expect(d.phi('a', 10_000)).toBeNull();
    expect(d.phiAll(10_000).keys).toEqual(['b']);
    expect(d.size).toBe(1);
  });

  const badOptions: Array<[Record<string, number>, string]> = [
    [{ windowSize: 0 }, 'windowSize'],
    [{ minStdDevMs: -1 }, 'minStdDevMs'],
    [{ minStdDevMs: Number.NaN }, 'minStdDevMs'],
    [{ acceptablePauseMs: -5 }, 'acceptablePauseMs'],
    [{ firstHeartbeatEstimateMs: 0 }, 'firstHeartbeatEstimateMs'],
  ];
  it.each(badOptions)('refuses %j with a NativeError naming %s', (options, name) => {
    expect(() => createPhiDetector(options)).toThrow(NativeError);
    expect(() => createPhiDetector(options)).toThrow(name);
  });

  it('refuses a negative or NaN time with a NativeError', () => {
    const d = createPhiDetector();
    expect(() => d.heartbeat('a', -1)).toThrow(NativeError);
    expect(() => d.phiAll(Number.NaN)).toThrow(/nowMs/);
  });
});
