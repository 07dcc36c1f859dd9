import { CALL_OUTCOME } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import {
  type CrashLoop,
  crashLoopOf,
  crashLoopTimeline,
  downShare,
  downtimesOf,
  type LifecycleMark,
  restartSettingsOf,
} from '../src/evolution/crash-loop.js';

/** The defaults' restart settings: 5 restarts in 10 s, 5 ms exponential backoff, rest-for-one. */
const defaults = restartSettingsOf({});
/** Restart at once (1 ms constant backoff) and never give up on a cell that lives 300 ms. */
const atOnceSet = { 'supervision.maxRestarts': 50, 'supervision.backoffBaseMs': 1, 'supervision.backoffShape': 1 };
const atOnce = restartSettingsOf({}, atOnceSet);

/** A dependency that lives 300 ms a start, restarts in 2 ms beyond its backoff, and is revived 5 s after it is given up. */
const loop: CrashLoop = { dep: 0, lifeMs: 300, restartMs: 2, revivedAfterMs: 5000 };

describe('crash loop figures', () => {
  it('reads the life per start, the restart cost beyond the backoff and the revival time from lifecycle events', () => {
    // Regression: the run before the first crash (healthy for 20 s) made the mean life 2.3 s, and
    // the model took a 300 ms crash loop for one that rarely gives up.
    const marks: LifecycleMark[] = [
      { at: -20_000, kind: 'started' },
      { at: 0, kind: 'crashed', restartInMs: 1 },
      { at: 0, kind: 'started' },
      { at: 300, kind: 'crashed', restartInMs: 5 },
      { at: 309, kind: 'started' },
      { at: 609, kind: 'crashed', restartInMs: 8 },
      { at: 620, kind: 'started' },
      { at: 920, kind: 'crashed' },
      { at: 920, kind: 'escalated' },
      { at: 5920, kind: 'started' },
      { at: 6220, kind: 'crashed', restartInMs: 5 },
    ];
    expect(crashLoopOf(3, marks)).toEqual({ dep: 3, lifeMs: 300, restartMs: 3, revivedAfterMs: 5000 });
  });

  it('finds no crash loop in fewer than three crashes, nor in crashes never seen from a start', () => {
    const two: LifecycleMark[] = [
      { at: 0, kind: 'started' },
      { at: 300, kind: 'crashed', restartInMs: 5 },
      { at: 310, kind: 'started' },
      { at: 610, kind: 'crashed', restartInMs: 5 },
    ];
    expect(crashLoopOf(0, two)).toBeNull();
    const noStart: LifecycleMark[] = [0, 1, 2].map((i) => ({ at: i * 100, kind: 'crashed' }));
    expect(crashLoopOf(0, noStart)).toBeNull();
  });

  it('has a dependency that lives 300 ms down most of the time under the defaults and up almost always when restarted at once', () => {
    const from = 100_000;
    const to = from + 20_000;
    // Defaults: six starts of 300 ms (five restarts), then 5 s given up: down ~5/7 of the time.
    const slow = downShare(crashLoopTimeline(loop, defaults, from, to), from, to);
    expect(slow).toBeGreaterThan(0.6);
    expect(slow).toBeLessThan(0.85);
    // 33 crashes in 10 s never reach 50 restarts: down only for 0.75 ms + 2 ms a start.
    const fast = downShare(crashLoopTimeline(loop, atOnce, from, to), from, to);
    expect(fast).toBeLessThan(0.01);
  });

  it('predicts the average of a cycle longer than the window, not the phase a fresh start would put there', () => {
    // Regression: 13 restarts in 10 s give up on it after ~4 s up, then it waits 5 s to be
    // revived; a 3 s window from a fresh start saw it up all along (down 0%), a 10 s one 50%.
    const thirteen = restartSettingsOf({}, { ...atOnceSet, 'supervision.maxRestarts': 13 });
    const share = (ms: number) => downShare(crashLoopTimeline(loop, thirteen, 0, ms), 0, ms);
    expect(share(3000)).toBeCloseTo(share(60_000), 1);
    expect(share(10_000)).toBeCloseTo(share(60_000), 1);
    expect(share(60_000)).toBeGreaterThan(0.45);
    expect(share(60_000)).toBeLessThan(0.6);
  });

  it('leaves a dependency given up on down to the end when it was never seen revived, and escalate gives up at once', () => {
    const from = 0;
    const to = 60_000;
    const never = { ...loop, revivedAfterMs: null };
    expect(downShare(crashLoopTimeline(never, defaults, from, to), from, to)).toBe(1);
    expect(downShare(crashLoopTimeline(never, defaults, from, 3000), from, 3000)).toBe(1);
    const escalate = restartSettingsOf({}, { 'supervision.strategy': 2 });
    // Up 300 ms of every 5.3 s.
    expect(downShare(crashLoopTimeline(loop, escalate, from, to), from, to)).toBeCloseTo(5000 / 5300, 1);
  });

  it('answers when up with what the dependency answered or hung, and fails when down as fast as it failed', () => {
    const calls = { at: [0, 1000, 2000] };
    const answers = {
      dep: [0, 0, 0, 1, 0],
      ms: [2, 1, 5000, 7, 3],
      outcome: [CALL_OUTCOME.ok, CALL_OUTCOME.failed, CALL_OUTCOME.timeout, CALL_OUTCOME.ok, CALL_OUTCOME.failed],
    };
    const d = downtimesOf([loop, { ...loop, dep: 2 }], calls, answers, atOnce);
    expect(d?.get(0)?.up).toEqual({ ms: [2, 5000], outcome: [CALL_OUTCOME.ok, CALL_OUTCOME.timeout] });
    expect(d?.get(0)?.failMs).toBe(3);
    // Dependency 2 never answered: nothing says how it would when up.
    expect(d?.has(2)).toBe(false);
    expect(downtimesOf([], calls, answers, atOnce)).toBeUndefined();
  });
});
