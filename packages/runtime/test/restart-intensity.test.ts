import { describe, expect, it } from 'vitest';
import { RestartTracker } from '../src/supervision/restart-intensity.js';

describe('restart intensity', () => {
  const intensity = { maxRestarts: 3, periodMs: 1000, backoffBaseMs: 10, backoffMaxMs: 35 };

  it('allows maxRestarts restarts within the period, then escalates', () => {
    const t = new RestartTracker(intensity, () => 0.5);
    expect([0, 10, 20].map((at) => t.onCrash(at).restart)).toEqual([true, true, true]);
    expect(t.onCrash(30)).toEqual({ restart: false, recent: 4 });
  });

  it('forgets crashes older than the period', () => {
    const t = new RestartTracker(intensity, () => 0.5);
    for (const at of [0, 100, 200]) t.onCrash(at);
    expect(t.onCrash(1150)).toMatchObject({ restart: true, recent: 2 });
  });

  it('doubles the backoff per recent crash up to the cap, with equal jitter', () => {
    const low = new RestartTracker(intensity, () => 0);
    const high = new RestartTracker(intensity, () => 0.999999);
    const lows = [0, 1, 2].map((i) => low.onCrash(i));
    const highs = [0, 1, 2].map((i) => high.onCrash(i));
    expect(lows.map((d) => (d.restart ? d.delayMs : -1))).toEqual([5, 10, 17.5]);
    highs.forEach((d, i) => {
      expect(d.restart && d.delayMs).toBeCloseTo([10, 20, 35][i] as number, 3);
    });
  });
});
