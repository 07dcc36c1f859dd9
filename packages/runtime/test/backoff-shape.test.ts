import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffShapeOf } from '../src/supervision/backoff-shape.js';
import { RestartTracker } from '../src/supervision/restart-intensity.js';

const INTENSITY = { maxRestarts: 10, periodMs: 60_000, backoffBaseMs: 100, backoffMaxMs: 5000 };

/** The delays of the first `n` crashes in one window, with `random` fixed. */
function delays(shape: 'exponential' | 'constant' | 'decorrelated', n: number, random = () => 1): number[] {
  const tracker = new RestartTracker(INTENSITY, random);
  return Array.from({ length: n }, (_, i) => {
    const d = tracker.onCrash(1000 + i, { ...INTENSITY, backoffShape: shape });
    return d.restart ? d.delayMs : -1;
  });
}

describe('backoff shapes', () => {
  it('doubles an exponential delay, keeps a constant one, and lets a decorrelated one reach three times the last', () => {
    expect(delays('exponential', 4)).toEqual([100, 200, 400, 800]);
    expect(delays('constant', 4)).toEqual([100, 100, 100, 100]);
    expect(delays('decorrelated', 4)).toEqual([300, 900, 2700, 5000]);
    // At the low end of the jitter: half the ceiling, the constant base, the base.
    expect(delays('exponential', 3, () => 0)).toEqual([50, 100, 200]);
    expect(delays('decorrelated', 3, () => 0)).toEqual([100, 100, 100]);
  });

  it('never exceeds the maximum, and a tracker without a shape is exponential', () => {
    for (const shape of ['exponential', 'constant', 'decorrelated'] as const) {
      for (const d of delays(shape, 10, Math.random)) expect(d).toBeLessThanOrEqual(5000);
    }
    const plain = new RestartTracker(INTENSITY, () => 1);
    expect([1, 2, 3].map((i) => (plain.onCrash(i) as { delayMs: number }).delayMs)).toEqual([100, 200, 400]);
    expect(backoffDelay('constant', { baseMs: 9000, maxMs: 5000, recent: 1, previousMs: 0, random: () => 1 })).toBe(
      5000,
    );
  });

  it('reads the setting: 0 exponential, 1 constant, 2 decorrelated', () => {
    expect([0, 1, 2, undefined, 7].map(backoffShapeOf)).toEqual([
      'exponential',
      'constant',
      'decorrelated',
      'exponential',
      'exponential',
    ]);
  });
});
