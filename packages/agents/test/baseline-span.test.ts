import { describe, expect, it } from 'vitest';
import { baselineFrom } from '../src/adaptive-config/trial-judge.js';

describe('the window before a change', () => {
  const base = { end: 1_000_000, windowMs: 3000, spanMs: 120_000, settleMs: 500 };

  it('spans the configuration in force up to evolution.baselineMs when no trial ended', () => {
    expect(baselineFrom({ ...base, lastTrial: undefined })).toBe(1_000_000 - 120_000);
  });

  it('begins once the last trial ended and settled: its calls are not the configuration in force', () => {
    expect(baselineFrom({ ...base, lastTrial: { endedAt: 990_000, outcome: 'kept', candidate: {} } })).toBe(990_500);
  });

  it('begins once a rolled-back trial’s marks have faded as well', () => {
    const lastTrial = {
      endedAt: 900_000,
      outcome: 'rolledback' as const,
      candidate: { 'stigmergy.markTtlMs': 20_000 },
    };
    expect(baselineFrom({ ...base, lastTrial })).toBe(920_500);
  });

  it('is never shorter than one window, however recent the last trial', () => {
    expect(baselineFrom({ ...base, lastTrial: { endedAt: 999_000, outcome: 'kept', candidate: {} } })).toBe(
      1_000_000 - 3000,
    );
    expect(baselineFrom({ ...base, spanMs: 1000, lastTrial: undefined })).toBe(1_000_000 - 3000);
  });

  it('begins no earlier than a self-started run’s drop: before it the swarm ran without the fault', () => {
    expect(baselineFrom({ ...base, lastTrial: undefined, dropSince: 985_000 })).toBe(985_000);
  });
});
