import { defineCell } from '@hms/runtime';
import { assign, setup } from 'xstate';

/** `ponger`: answers every `ping` request with `{ pong: n, from }`, counting the pings. */
export const pongerCell = defineCell({
  type: 'ponger',
  queries: ['get'],
  description: 'answers ping requests with { pong: n }',
  machine: () =>
    setup({
      types: {
        context: {} as { pings: number },
        events: {} as { type: 'ping'; from: string },
      },
    }).createMachine({
      id: 'ponger',
      context: { pings: 0 },
      on: { ping: { actions: assign({ pings: ({ context }) => context.pings + 1 }) } },
    }),
  reply: (snapshot) => ({ pong: snapshot.context.pings }),
});
