import { defineCell, ValidationError } from '@hms/runtime';
import { assign, emit, setup } from 'xstate';

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
      delays: { interval: () => cell.config.intervalMs },
    }).createMachine({
      id: 'ticker',
      context: { n: 0 },
      initial: 'running',
      states: {
        running: {
          after: {
            interval: {
              target: 'running',
              reenter: true,
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
