import { describe, expect, it } from 'vitest';
import { calibrationSpan } from '../src/adaptive-config/calibration-span.js';

const window = (from: number, to: number) => ({
  from,
  to,
  calls: 100,
  fitness: 0.6,
  measures: { p99LatencyMs: 5000, errorRate: 0.15, resourceUse: 0.1, healthyFraction: 1 },
});

describe('calibrationSpan', () => {
  const base = { end: 100_000, windowMs: 3000, since: 0, underWay: false };

  it('is the three windows before the end, when no trial changed the configuration in them', () => {
    expect(calibrationSpan({ ...base, trials: [] })).toEqual({ from: 91_000, to: 100_000 });
    const skipped = { outcome: 'skipped', baseline: window(80_000, 83_000), measured: null, endedAt: 99_000 };
    expect(calibrationSpan({ ...base, trials: [skipped] })).toEqual({ from: 91_000, to: 100_000 });
  });

  it('starts after the last trial that changed the configuration, when a window of calls followed it', () => {
    const kept = {
      outcome: 'kept',
      baseline: window(80_000, 83_000),
      measured: window(84_000, 87_000),
      endedAt: 95_000,
    };
    expect(calibrationSpan({ ...base, trials: [kept] })).toEqual({ from: 95_000, to: 100_000 });
  });

  it('right after a roll-back, is the window before the trial (the configuration restored), not nothing', () => {
    const rolledBack = {
      outcome: 'rolledback',
      baseline: window(80_000, 83_000),
      measured: window(84_000, 87_000),
      endedAt: 99_000,
    };
    expect(calibrationSpan({ ...base, trials: [rolledBack] })).toEqual({ from: 74_000, to: 83_000 });
  });

  it('right after a keep, is the window measured under the candidate now in force', () => {
    const kept = {
      outcome: 'kept',
      baseline: window(80_000, 83_000),
      measured: window(84_000, 87_000),
      endedAt: 99_000,
    };
    expect(calibrationSpan({ ...base, trials: [kept] })).toEqual({ from: 84_000, to: 87_000 });
  });

  it('is empty while a trial is under way', () => {
    expect(calibrationSpan({ ...base, underWay: true, trials: [] })).toEqual({ from: 100_000, to: 100_000 });
  });
});
