import { RequestTimeoutError } from '../errors.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';

/**
 * Runs `action`, then resolves with the body of the lifecycle event `type` of cell `id` once it
 * is seen; @throws RequestTimeoutError when it is not seen in time.
 */
export type Settle = (type: string, id: string, action: () => Promise<unknown>) => Promise<unknown>;

/**
 * Creates {@link Settle}: what create, destroy and heal wait on. It subscribes to the cell's
 * lifecycle event before the action, so an event that comes at once is not missed, and waits at
 * most `settleMs` millis after the action.
 */
export function createSettle(transport: Transport, subjects: Subjects, settleMs: number): Settle {
  return async (type, id, action) => {
    let resolve!: (body: unknown) => void;
    const seen = new Promise<unknown>((r) => {
      resolve = r;
    });
    const sub = transport.subscribe(subjects.event(type, id), (m) => resolve(m.body));
    let timer: NodeJS.Timeout | undefined;
    try {
      await transport.flush();
      await action();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RequestTimeoutError(`cell ${id}: no ${type} within ${settleMs} ms`)),
          settleMs,
        );
      });
      return await Promise.race([seen, timeout]);
    } finally {
      clearTimeout(timer);
      sub.unsubscribe();
    }
  };
}
