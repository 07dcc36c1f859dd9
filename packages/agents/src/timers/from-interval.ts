import type { Clock } from '@hms/runtime';
import { type EventObject, fromCallback } from 'xstate';

/**
 * Actor logic that sends `{ type }` to its parent every `everyMs(input)` millis on `clock` (a
 * state that leaves on the first one uses it as a timeout). Invoke it in a state instead of an
 * `after` transition when the timer must outlive a restart: XState does not keep `after` timers
 * in a persisted snapshot, so a cell restored from one (a restart by its supervisor, a move to
 * another node) would never fire them again, while an invoked actor is started again on
 * restore (with its full delay).
 */
export function fromInterval<TInput = undefined>(
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  everyMs: (input: TInput) => number,
  type: string,
) {
  return fromCallback<EventObject, TInput>(({ sendBack, input }) => {
    let handle: unknown;
    const arm = () => {
      handle = clock.setTimeout(() => {
        sendBack({ type });
        arm();
      }, everyMs(input));
    };
    arm();
    return () => clock.clearTimeout(handle);
  });
}
