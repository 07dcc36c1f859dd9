/**
 * Time, injected. Machines, heartbeats and the election core read time only through a Clock,
 * so tests and simulators can run them on virtual time. Compatible with XState's `clock` option.
 */
export interface Clock {
  /** Epoch millis. */
  now(): number;
  /** Runs `fn` after `ms` millis; returns a handle for clearTimeout. */
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Its timers are `unref()`'d, so a pending timer never keeps a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
