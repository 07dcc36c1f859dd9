import { defineCell, ValidationError } from '@hms/runtime';
import { assign, setup } from 'xstate';

/** `echo`: answers every request with its body (`{ echoed, n }`), after `delayMs` (default 0). */
export const echoCell = defineCell({
  type: 'echo',
  description: 'answers each request with its body, after delayMs',
  config: (raw) => {
    const delayMs = (raw as { delayMs?: unknown } | undefined)?.delayMs ?? 0;
    if (typeof delayMs !== 'number' || !(delayMs >= 0 && delayMs <= 60_000)) {
      throw new ValidationError('echo config.delayMs must be a number from 0 to 60000', { data: { field: 'delayMs' } });
    }
    return { delayMs };
  },
  machine: (cell) =>
    setup({ types: { context: {} as { n: number; delayMs: number } } }).createMachine({
      id: 'echo',
      context: { n: 0, delayMs: cell.config.delayMs },
      on: { '*': { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    }),
  reply: (snapshot, event) => {
    const { type: _type, from: _from, ...echoed } = event as Record<string, unknown>;
    const answer = { echoed, n: snapshot.context.n };
    const delayMs = snapshot.context.delayMs;
    return delayMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(answer), delayMs)) : answer;
  },
});
