import { defineCell } from '@hms/runtime';
import { assign, emit, setup } from 'xstate';

/** Context of a `counter` cell. */
export interface CounterContext {
  count: number;
  ticks: number;
}

/**
 * `counter`: counts `increment` messages (`{ by?: number }`, default 1) and the swarm's `tick`
 * events; `reset` sets the count to 0. Every request is answered with `{ count, ticks }`.
 * Emits `counter.changed` after each increment or reset. `crash` throws, to watch supervision
 * restore the count. An increment is answered once its count is saved (`saveBeforeReply`).
 */
export const counterCell = defineCell({
  type: 'counter',
  queries: ['get'],
  // An answered increment must survive a kill -9 of its node (the chaos suite checks it).
  saveBeforeReply: true,
  description: 'counts increments and ticks; answers { count, ticks }',
  topics: () => [{ event: 'tick' }],
  machine: () =>
    setup({
      types: {
        context: {} as CounterContext,
        events: {} as
          | { type: 'increment'; by?: number }
          | { type: 'reset' }
          | { type: 'tick' }
          | { type: 'get' }
          | { type: 'crash' },
        emitted: {} as { type: 'counter.changed'; count: number },
      },
      actions: {
        announce: emit(({ context }) => ({ type: 'counter.changed' as const, count: context.count })),
        crash: () => {
          throw new Error('crash requested');
        },
      },
    }).createMachine({
      id: 'counter',
      context: { count: 0, ticks: 0 },
      initial: 'counting',
      states: {
        counting: {
          on: {
            increment: {
              actions: [
                assign({
                  count: ({ context, event }) =>
                    context.count + (typeof event.by === 'number' && Number.isFinite(event.by) ? event.by : 1),
                }),
                'announce',
              ],
            },
            reset: { actions: [assign({ count: 0 }), 'announce'] },
            tick: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) },
            crash: { actions: 'crash' },
          },
        },
      },
    }),
  reply: (snapshot) => ({ count: snapshot.context.count, ticks: snapshot.context.ticks }),
});
