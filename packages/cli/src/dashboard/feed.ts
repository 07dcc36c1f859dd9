/**
 * A source of dashboard data fed by subscriptions: `snapshot()` reads the current state,
 * `subscribe(listener)` is told when it changed — `urgent` when it must show at once, such as a
 * new leader (returns the unsubscribe) — and `stop()` ends every subscription it holds.
 */
export interface Feed<T> {
  snapshot(): T;
  subscribe(listener: (urgent?: boolean) => void): () => void;
  stop(): void;
}

/** A set of change listeners. */
export function createListeners(): {
  add(listener: (urgent?: boolean) => void): () => void;
  emit(urgent?: boolean): void;
} {
  const listeners = new Set<(urgent?: boolean) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(urgent = false) {
      for (const l of listeners) l(urgent);
    },
  };
}
