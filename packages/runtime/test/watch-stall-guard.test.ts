import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/logger.js';
import { guardWatch } from '../src/node/watch-stall-guard.js';
import { virtualClock } from './fixtures/virtual-clock.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('the watch stall guard', () => {
  const setup = (resume: () => Promise<void> = async () => undefined) => {
    const time = virtualClock();
    const state = { applied: 10, known: 10, resumes: 0 };
    const stop = guardWatch({
      what: 'test',
      clock: time.clock,
      logger: createSilentLogger(),
      applied: () => state.applied,
      known: () => state.known,
      resume: () => {
        state.resumes++;
        return resume();
      },
      stallMs: 3000,
    });
    return { time, state, stop };
  };

  it('leaves a watch alone while it is level with what is known', () => {
    const { time, state, stop } = setup();
    time.advance(60_000);
    expect(state.resumes).toBe(0);
    stop();
  });

  it('resumes a watch that stays behind for the stall period without delivering', async () => {
    const { time, state, stop } = setup();
    state.known = 12;
    time.advance(2500);
    expect(state.resumes).toBe(0);
    time.advance(1000);
    expect(state.resumes).toBe(1);
    // Caught up: nothing more.
    await settle();
    state.applied = 12;
    time.advance(10_000);
    expect(state.resumes).toBe(1);
    stop();
  });

  it('does not resume a watch that is behind but still delivering (catching up)', () => {
    const { time, state, stop } = setup();
    state.known = 1000;
    for (let i = 0; i < 40; i++) {
      state.applied += 10;
      time.advance(500);
    }
    expect(state.resumes).toBe(0);
    stop();
  });

  it('tries again, one stall period later, when resuming fails', async () => {
    let fail = true;
    const { time, state, stop } = setup(async () => {
      if (fail) throw new Error('store unavailable');
    });
    state.known = 11;
    time.advance(3500);
    expect(state.resumes).toBe(1);
    await settle();
    time.advance(2000);
    expect(state.resumes).toBe(1);
    fail = false;
    time.advance(1500);
    expect(state.resumes).toBe(2);
    stop();
    time.advance(10_000);
    expect(state.resumes).toBe(2);
  });
});
