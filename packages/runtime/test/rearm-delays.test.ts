import { describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import { rearmDelays } from '../src/cell/rearm-delays.js';
import { waitFor } from '../src/testing.js';

const ticker = setup({ delays: { every: 20 } }).createMachine({
  context: { n: 0 },
  initial: 'ticking',
  states: {
    ticking: {
      after: { every: { target: 'ticking', reenter: true, actions: assign({ n: ({ context }) => context.n + 1 }) } },
      on: { pause: 'paused' },
    },
    paused: { after: { 50: 'ticking' } },
  },
});

/** A persisted snapshot as it comes back from storage. */
function restored(n: number, state: string) {
  return JSON.parse(JSON.stringify({ status: 'active', value: state, historyValue: {}, context: { n }, children: {} }));
}

describe('rearmDelays', () => {
  it('makes a machine restored in a waiting state go on ticking (regression: a restarted ticker never ticked again)', async () => {
    const actor = createActor(ticker, { snapshot: restored(3, 'ticking') }).start();
    expect(rearmDelays(actor)).toBe(1);
    await waitFor(() => actor.getSnapshot().context.n >= 6, { what: 'three more ticks' });
    actor.stop();
  });

  it('re-arms a numeric delay too, and leaving the state cancels it as usual', async () => {
    const actor = createActor(ticker, { snapshot: restored(0, 'paused') }).start();
    expect(rearmDelays(actor)).toBe(1);
    await waitFor(() => actor.getSnapshot().value === 'ticking', { what: 'back to ticking after 50 ms' });
    actor.send({ type: 'pause' });
    actor.stop();
  });
});
