import type { Logger } from '../logger.js';

/** Options of {@link withStorageRetry}. */
export interface StorageRetryOptions {
  /** Give up after this long, in millis; default 120000. */
  giveUpAfterMs?: number;
}

/**
 * Runs a JetStream operation again until it succeeds: right after a NATS cluster starts, or
 * while it elects a JetStream leader (after losing a server), requests time out or answer
 * "temporarily unavailable" for seconds, and a node starting up, or a cell being handed over,
 * must wait that out rather than give up.
 * Waits 250 ms, doubling to 5 s, between tries; rethrows the last error after `giveUpAfterMs`.
 */
export async function withStorageRetry<T>(
  what: string,
  fn: () => Promise<T>,
  logger: Logger,
  options: StorageRetryOptions = {},
): Promise<T> {
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 120_000);
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + delay > giveUpAt) throw err;
      logger.warn({ err, what, retryMs: delay }, 'storage not ready; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
