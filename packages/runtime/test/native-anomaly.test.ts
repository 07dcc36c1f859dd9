import { describe, expect, it } from 'vitest';
import { NativeError } from '../src/errors.js';
import { type AnomalyDetectorOptions, createAnomalyDetector } from '../src/native-anomaly.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** A detector fed `count` values per key around `mean` (a fixed +-10% zigzag). */
function warmed(keys: string[], mean: number, count: number, options?: AnomalyDetectorOptions) {
  const detector = createAnomalyDetector(options);
  for (let t = 0; t < count; t++) {
    const values = keys.map(() => mean * (1 + ((t % 5) - 2) / 20));
    expect(detector.observe(keys, values, t)).toEqual([]);
  }
  return detector;
}

describe('native-anomaly', () => {
  it('finds a spike in one series of a batch, with its baseline and score', () => {
    const detector = warmed(['a', 'b', 'c'], 20, 30);
    // Confirmed after three out-of-line values in a row (the default `confirm`).
    expect(detector.observe(['a', 'b', 'c'], [20, 200, 20], 30)).toEqual([]);
    expect(detector.observe(['a', 'b', 'c'], [20, 205, 20], 31)).toEqual([]);
    const found = detector.observe(['a', 'b', 'c'], new Float64Array([20, 210, 21]), 32);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ key: 'b', value: 210 });
    expect(found[0]?.baseline).toBeCloseTo(20, 0);
    expect(found[0]?.score).toBeGreaterThan(6);
    expect(detector.isAnomalous('b')).toBe(true);
    expect(detector.isAnomalous('a')).toBe(false);
    expect(detector.samples('a')).toBe(33);
    expect(detector.samples('unknown')).toBe(0);
  });

  it('keeps at most maxSeries series, and forgets removed ones', () => {
    const detector = createAnomalyDetector({ maxSeries: 2 });
    detector.observe(['a', 'b', 'c'], [1, 2, 3], 0);
    expect(detector.size).toBe(2);
    expect(detector.remove('c')).toBe(true);
    expect(detector.remove('c')).toBe(false);
    expect(detector.size).toBe(1);
  });

  it('refuses bad inputs with a NativeError naming the field', () => {
    const detector = createAnomalyDetector();
    const bad: [() => unknown, RegExp][] = [
      [() => detector.observe(['a', 'b'], [1], 0), /values must have one number per key/],
      [() => detector.observe(['a', 'b'], [1, Number.NaN], 0), /values\[1\] must be a finite number/],
      [() => detector.observe(['a'], [Number.POSITIVE_INFINITY], 0), /values\[0\]/],
      [() => detector.observe(['a'], [1], -1), /nowMs must be a finite number/],
      [() => detector.observe(['a'], [1], Number.NaN), /nowMs/],
      [() => detector.observe(['a', 3 as unknown as string], [1, 2], 0), /keys\[1\] must be a string/],
      [() => detector.observe('a' as unknown as string[], [1], 0), /keys must be an array/],
      [() => detector.observe(['a'], null as unknown as number[], 0), /values must be an array/],
    ];
    for (const [call, message] of bad) {
      const err = thrown(call);
      expect(err).toBeInstanceOf(NativeError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses bad options with a NativeError naming the option', () => {
    const bad: [AnomalyDetectorOptions, string][] = [
      [{ windowSize: 2 }, 'windowSize'],
      [{ windowSize: 1.5 }, 'windowSize'],
      [{ warmUp: 0 }, 'warmUp'],
      [{ warmUp: 100 }, 'warmUp'],
      [{ threshold: 0 }, 'threshold'],
      [{ threshold: 4, clearThreshold: 5 }, 'clearThreshold'],
      [{ confirm: -1 }, 'confirm'],
      [{ minMad: 0 }, 'minMad'],
      [{ minRelativeMad: -1 }, 'minRelativeMad'],
      [{ maxSeries: 0 }, 'maxSeries'],
    ];
    for (const [options, name] of bad) {
      const err = thrown(() => createAnomalyDetector(options));
      expect(err).toBeInstanceOf(NativeError);
      expect((err as Error).message).toContain(`invalid option ${name}: `);
    }
  });
});
