import { describe, expect, it, vi } from 'vitest';
import { NativeError } from '../src/errors.js';
import { createPhiDetector, type PhiDetectorOptions } from '../src/native.js';

/** A detector fed `count` heartbeats per key, every `everyMs` from 0; `last` is the last one. */
function steady(keys: string[], everyMs: number, count: number, options?: PhiDetectorOptions) {
  const detector = createPhiDetector(options);
  for (let i = 0; i < count; i++) for (const key of keys) detector.heartbeat(key, i * everyMs);
  return { detector, last: (count - 1) * everyMs };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('native', () => {
  it('gives steady heartbeats a phi below 1', () => {
    const { detector, last } = steady(['n1'], 1000, 30);
    for (const after of [0, 500, 1000, 1500]) {
      expect(detector.phi('n1', last + after)).toBeLessThan(1);
    }
  });

  it('raises phi above 8 after a long silence', () => {
    const { detector, last } = steady(['n1'], 1000, 30);
    expect(detector.phi('n1', last + 6000)).toBeGreaterThan(8);
    expect(detector.phi('n1', last + 3_600_000)).toBeGreaterThan(8);
    expect(Number.isFinite(detector.phi('n1', last + 3_600_000))).toBe(true);
  });

  it('grows phi with silence', () => {
    const { detector, last } = steady(['n1'], 1000, 30);
    const scores = Array.from({ length: 100 }, (_, i) => detector.phi('n1', last + i * 100) as number);
    for (let i = 1; i < scores.length; i++) {
      expect(scores[i]).toBeGreaterThanOrEqual(scores[i - 1] as number);
    }
    expect(scores.at(-1)).toBeGreaterThan(scores[20] as number);
  });

  it('suspects a jittery series later than a steady one after the same silence', () => {
    const detector = createPhiDetector({ minStdDevMs: 10 });
    let t = 0;
    for (let i = 0; i < 100; i++) {
      detector.heartbeat('steady', i * 1000);
      detector.heartbeat('jittery', t);
      t += i % 2 === 0 ? 400 : 1600;
    }
    const silence = 2500;
    const jittery = detector.phi('jittery', t - 400 + silence) as number;
    expect(jittery).toBeLessThan(detector.phi('steady', 99_000 + silence) as number);
  });

  it('scores every key in one call, equal to asking key by key', () => {
    const { detector, last } = steady(['a', 'b', 'c', 'd'], 500, 20);
    detector.heartbeat('b', last + 400);
    detector.remove('c');
    const now = last + 1500;
    const all = detector.phiAll(now);
    expect(all.keys).toEqual(['a', 'b', 'd']);
    expect(all.phi).toBeInstanceOf(Float64Array);
    expect(all.phi).toHaveLength(3);
    all.keys.forEach((key, i) => {
      expect(all.phi[i]).toBe(detector.phi(key, now));
    });
    expect(all.phi[1]).toBeLessThan(all.phi[0] as number);
  });

  it('records a batch of heartbeats as one heartbeat per key', () => {
    const keys = ['a', 'b', 'c'];
    const one = createPhiDetector();
    const many = createPhiDetector();
    for (let i = 0; i < 10; i++) {
      for (const key of keys) one.heartbeat(key, i * 700);
      many.heartbeatMany(keys, i * 700);
    }
    expect(many.phiAll(9000)).toEqual(one.phiAll(9000));
    expect(many.size).toBe(3);
  });

  it('forgets a removed key', () => {
    const { detector } = steady(['a', 'b'], 1000, 5);
    expect(detector.size).toBe(2);
    expect(detector.remove('a')).toBe(true);
    expect(detector.remove('a')).toBe(false);
    expect(detector.phi('a', 10_000)).toBeNull();
    expect(detector.phiAll(10_000).keys).toEqual(['b']);
    expect(detector.size).toBe(1);
  });

  it('starts a re-added key with a fresh history', () => {
    const { detector } = steady(['a', 'b'], 1000, 5);
    detector.remove('a');
    detector.heartbeat('a', 100_000);
    expect(detector.phi('a', 100_500)).toBeLessThan(1);
    expect(detector.phiAll(100_500).keys.sort()).toEqual(['a', 'b']);
  });

  it('returns null for a key it never heard of', () => {
    expect(createPhiDetector().phi('nobody', 1000)).toBeNull();
  });

  const goodOptions: PhiDetectorOptions[] = [
    {},
    { windowSize: 1 },
    { windowSize: 100_000 },
    { minStdDevMs: 0.5, acceptablePauseMs: 0, firstHeartbeatEstimateMs: 1 },
  ];
  it.each(goodOptions)('accepts options %j', (options) => {
    expect(createPhiDetector(options).size).toBe(0);
  });

  const badOptions: Array<[PhiDetectorOptions, string]> = [
    [{ windowSize: 0 }, 'windowSize'],
    [{ windowSize: -1 }, 'windowSize'],
    [{ windowSize: 1.5 }, 'windowSize'],
    [{ windowSize: Number.NaN }, 'windowSize'],
    [{ windowSize: 100_001 }, 'windowSize'],
    [{ minStdDevMs: 0 }, 'minStdDevMs'],
    [{ minStdDevMs: -1 }, 'minStdDevMs'],
    [{ minStdDevMs: Number.NaN }, 'minStdDevMs'],
    [{ acceptablePauseMs: -5 }, 'acceptablePauseMs'],
    [{ acceptablePauseMs: Number.POSITIVE_INFINITY }, 'acceptablePauseMs'],
    [{ firstHeartbeatEstimateMs: 0 }, 'firstHeartbeatEstimateMs'],
    [{ firstHeartbeatEstimateMs: Number.NaN }, 'firstHeartbeatEstimateMs'],
  ];
  it.each(badOptions)('refuses %j with a NativeError naming %s', (options, name) => {
    const err = thrown(() => createPhiDetector(options));
    expect(err).toBeInstanceOf(NativeError);
    expect((err as NativeError).message).toContain(`invalid option ${name}:`);
    expect((err as NativeError).code).toBe('NATIVE_ERROR');
    expect((err as NativeError).cause).toBeInstanceOf(Error);
  });

  const badTimes: Array<[string, (d: ReturnType<typeof createPhiDetector>) => unknown, string]> = [
    ['a negative heartbeat time', (d) => d.heartbeat('a', -1), 'atMs'],
    ['a NaN heartbeat time', (d) => d.heartbeat('a', Number.NaN), 'atMs'],
    ['an infinite batch heartbeat time', (d) => d.heartbeatMany(['a'], Number.POSITIVE_INFINITY), 'atMs'],
    ['a negative scoring time', (d) => d.phi('a', -1), 'nowMs'],
    ['a NaN batch scoring time', (d) => d.phiAll(Number.NaN), 'nowMs'],
  ];
  it.each(badTimes)('refuses %s with a NativeError naming %s', (_, call, name) => {
    const detector = createPhiDetector();
    const err = thrown(() => call(detector));
    expect(err).toBeInstanceOf(NativeError);
    expect((err as NativeError).message).toContain(name);
    expect(detector.size).toBe(0);
  });

  it('says how to build the addon when it is missing', async () => {
    vi.resetModules();
    vi.doMock('node:module', () => ({
      createRequire: () => () => {
        throw Object.assign(new Error("Cannot find module '@hms/native'"), { code: 'MODULE_NOT_FOUND' });
      },
    }));
    try {
      const fresh = await import('../src/native.js');
      const errors = await import('../src/errors.js');
      const err = thrown(() => fresh.createPhiDetector());
      expect(err).toBeInstanceOf(errors.NativeError);
      expect((err as NativeError).message).toBe(
        'the native addon @hms/native has no binary for this platform: in the repository run npm run build; ' +
          'in an installed project run npx hms-native-build (needs Rust, https://rustup.rs)',
      );
      expect(((err as NativeError).cause as Error).message).toContain('@hms/native');
    } finally {
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });
});
