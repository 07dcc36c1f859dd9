import { defineCell, ValidationError } from '@hms/runtime';
import { assign, emit, setup } from 'xstate';
import { fromInterval } from '../timers/from-interval.js';

/** `ticker`: emits a `tick` event (`{ n }`) every `intervalMs` (default 1000). */
export const tickerCell = defineCell({
  type: 'ticker',
  queries: ['get'],
  description: 'emits tick events every intervalMs',
  config: (raw) => {
    const intervalMs = (raw as { intervalMs?: unknown } | undefined)?.intervalMs ?? 1000;
    if (typeof intervalMs !== 'number' || !(intervalMs >= 10)) {
      throw new ValidationError('ticker config.intervalMs must be a number >= 10', { data: { field: 'intervalMs' } });
    }
    return { intervalMs };
  },
  machine: (cell) =>
    setup({
      types: {
        context: {} as { n: number },
        emitted: {} as { type: 'tick'; n: number },
      },
      // An invoked timer, not `after`: it survives a restore from a snapshot (a restart or a move).
      actors: { timer: fromInterval(cell.clock, () => cell.config.intervalMs, 'interval.due') },
    }).createMachine({
      id: 'ticker',
      context: { n: 0 },
      initial: 'running',
      states: {
        running: {
          invoke: { src: 'timer' },
          on: {
            'interval.due': {
              actions: [
                assign({ n: ({ context }) => context.n + 1 }),
                emit(({ context }) => ({ type: 'tick' as const, n: context.n })),
              ],
            },
          },
        },
      },
    }),
  reply: (snapshot) => ({ n: snapshot.context.n }),
});
