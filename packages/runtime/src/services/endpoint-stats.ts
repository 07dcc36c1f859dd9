import type { EndpointCounters } from './service-protocol.js';

/** The counters of one endpoint, fed after each request. */
export interface EndpointStats {
  /** Counts one handled request that took `elapsedNs` nanoseconds, and failed when `error` is given. */
  record(elapsedNs: number, error?: unknown): void;
  /** A copy of the counters now. */
  read(): EndpointCounters;
  /** Back to zero. */
  reset(): void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates zeroed counters for one endpoint. */
export function createEndpointStats(): EndpointStats {
  let c: EndpointCounters = { requests: 0, errors: 0, lastError: '', processingNs: 0 };
  return {
    record(elapsedNs, error) {
      c.requests++;
      c.processingNs += Math.max(0, elapsedNs);
      if (error !== undefined) {
        c.errors++;
        c.lastError = messageOf(error);
      }
    },
    read: () => ({ ...c }),
    reset() {
      c = { requests: 0, errors: 0, lastError: '', processingNs: 0 };
    },
  };
}
