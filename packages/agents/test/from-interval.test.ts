import { describe, expect, it } from 'vitest';
import { assign, createActor, SimulatedClock, setup } from 'xstate';
import { fromInterval } from '../src/timers/from-interval.js';

/** A machine that counts `tick`s while `on`, and leaves for `off` after `limit` of them. */
function counting(clock: SimulatedClock, limit: number) {
  return setup({
    types: { context: {} as { n: number } },
    actors: { timer: fromInterval(clock, (ms: number) => ms, 'tick') },
  }).createMachine({
    context: { n: 0 },
    initial: 'on',
    states: {
      on: {
        invoke: { src: 'timer', input: () => 100 },
        always: { guard: ({ context }) => context.n >= limit, target: 'off' },
        on: { tick: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
      },
      // A timer still running here would show as a jump in `n`.
      off: { on: { tick: { actions: assign({ n: ({ context }) => context.n + 100 }) } } },
    },
  });
}

/** Moves `clock` on by `ms` in steps of 50 (a SimulatedClock fires a re-armed timer once per step). */
function advance(clock: SimulatedClock, ms: number) {
  for (let t = 0; t < ms; t += 50) clock.increment(50);
}

describe('fromInterval', () => {
  it('sends its event every given millis on the given clock, and stops when its state is left', () => {
    const clock = new SimulatedClock();
    const actor = createActor(counting(clock, 3), { clock }).start();
    clock.increment(99);
    expect(actor.getSnapshot().context.n).toBe(0);
    clock.increment(1);
    expect(actor.getSnapshot().context.n).toBe(1);
    advance(clock, 1000);
    expect(actor.getSnapshot().value).toBe('off');
    expect(actor.getSnapshot().context.n).toBe(3);
  });

  it('is started again when its parent is restored from a persisted snapshot', () => {
    const clock = new SimulatedClock();
    const first = createActor(counting(clock, 10), { clock }).start();
    advance(clock, 250);
    const saved = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    const later = new SimulatedClock();
    const restored = createActor(counting(later, 10), { clock: later, snapshot: saved }).start();
    expect(restored.getSnapshot().context.n).toBe(2);
    advance(later, 300);
    expect(restored.getSnapshot().context.n).toBe(5);
  });
});
