import { defineCell, ValidationError } from '@hms/runtime';
import { assign, setup } from 'xstate';

/** The longest delay `echo` accepts, in millis. */
const MAX_DELAY_MS = 60_000;

/** Sets `echo`'s delay while it runs, in millis (0..60000); any other value is ignored. */
export interface EchoDelay {
  type: 'delay';
  ms: number;
}

const validDelay = (ms: unknown): ms is number => typeof ms === 'number' && ms >= 0 && ms <= MAX_DELAY_MS;

/**
 * `echo`: answers every request with its body (`{ echoed, n }`), after `delayMs` (default 0).
 * A `delay` event (`{ ms }`) changes the delay live, e.g. to inject a latency spike.
 */
export const echoCell = defineCell({
  type: 'echo',
  description: 'answers each request with its body, after delayMs',
  config: (raw) => {
    const delayMs = (raw as { delayMs?: unknown } | undefined)?.delayMs ?? 0;
    if (!validDelay(delayMs)) {
      throw new ValidationError('echo config.delayMs must be a number from 0 to 60000', { data: { field: 'delayMs' } });
    }
    return { delayMs };
  },
  machine: (cell) =>
    setup({ types: { context: {} as { n: number; delayMs: number } } }).createMachine({
      id: 'echo',
      context: { n: 0, delayMs: cell.config.delayMs },
      on: {
        delay: {
          guard: ({ event }) => validDelay((event as Partial<EchoDelay>).ms),
          actions: assign({ delayMs: ({ event }) => (event as EchoDelay).ms }),
        },
        '*': { actions: assign({ n: ({ context }) => context.n + 1 }) },
      },
    }),
  reply: (snapshot, event) => {
    const { type: _type, from: _from, ...echoed } = event as Record<string, unknown>;
    const answer = { echoed, n: snapshot.context.n };
    const delayMs = snapshot.context.delayMs;
    return delayMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(answer), delayMs)) : answer;
  },
});
