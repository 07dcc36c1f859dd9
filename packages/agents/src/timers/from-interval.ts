import type { Clock } from '@hms/runtime';
import { fromCallback } from 'xstate';

/**
 * Actor logic that sends `{ type }` to its parent every `everyMs()` millis on `clock`. Invoke
 * it in a state instead of an `after` self-transition when the timer must outlive a restart:
 * XState does not keep `after` timers in a persisted snapshot, so a cell restored from one (a
 * restart by its supervisor, a move to another node) would never fire them again, while an
 * invoked actor is started again on restore.
 */
export function fromInterval(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, everyMs: () => number, type: string) {
  return fromCallback(({ sendBack }) => {
    let handle: unknown;
    const arm = () => {
      handle = clock.setTimeout(() => {
        sendBack({ type });
        arm();
      }, everyMs());
    };
    arm();
    return () => clock.clearTimeout(handle);
  });
}
