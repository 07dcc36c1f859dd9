/**
 * A source of dashboard data fed by subscriptions: `snapshot()` reads the current state,
 * `subscribe(listener)` is told when it changed (returns the unsubscribe), `stop()` ends every
 * subscription it holds.
 */
export interface Feed<T> {
  snapshot(): T;
  subscribe(listener: () => void): () => void;
  stop(): void;
}

/** A set of change listeners. */
export function createListeners(): { add(listener: () => void): () => void; emit(): void } {
  const listeners = new Set<() => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit() {
      for (const l of listeners) l();
    },
  };
}
