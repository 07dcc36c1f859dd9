import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/** How long a watch may stay behind, without delivering anything, before it is resumed. */
export const WATCH_STALL_MS = 3000;
/** How often the guard compares. */
const CHECK_EVERY_MS = 500;

/** Options of {@link guardWatch}. */
export interface WatchStallGuardOptions {
  /** What is watched, for the log (`desired cells`, `configuration`). */
  what: string;
  clock: Clock;
  logger: Logger;
  /** The last revision (or version) the watch delivered. */
  applied: () => number;
  /** The highest one known to be written: this node's writes and what its peers report. */
  known: () => number;
  /** Catches the watch up (a new watch, or a read of the store); rejects when the store does not answer. */
  resume: () => Promise<void>;
  /** Told each time the watch is found stalled (before it is resumed). */
  onStall?: () => void;
  stallMs?: number;
}

/**
 * Resumes a JetStream watch that has fallen behind: one that delivered nothing for `stallMs`
 * while the swarm knows of a later revision. A watch's consumer lives on one server, and when
 * that server is cut off the client notices only after two missed 30 s heartbeats; the
 * partition test saw a majority's nodes start a cut host's cells 84 s after the cut, that long
 * after their leader had re-placed them. A watch that is busy catching up keeps delivering, so
 * it is left alone. Returns a function that stops the guard.
 */
export function guardWatch(options: WatchStallGuardOptions): () => void {
  const { what, clock, logger, applied, known } = options;
  const stallMs = options.stallMs ?? WATCH_STALL_MS;
  let last = applied();
  let progressAt = clock.now();
  let resuming = false;
  const check = () => {
    const now = clock.now();
    const at = applied();
    if (at !== last) {
      last = at;
      progressAt = now;
    }
    const behind = known();
    if (at >= behind) {
      progressAt = now;
      return;
    }
    if (resuming || now - progressAt < stallMs) return;
    resuming = true;
    options.onStall?.();
    logger.warn({ applied: at, known: behind, silentMs: now - progressAt }, `${what} watch stalled; resuming it`);
    options
      .resume()
      .catch((err: unknown) => logger.warn({ err }, `${what} watch not resumed; trying again`))
      .finally(() => {
        resuming = false;
        // The next attempt, if still behind, after another stall period.
        progressAt = clock.now();
      });
  };
  let stopped = false;
  let timer: unknown;
  const tick = () => {
    if (stopped) return;
    check();
    timer = clock.setTimeout(tick, CHECK_EVERY_MS);
  };
  timer = clock.setTimeout(tick, CHECK_EVERY_MS);
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
