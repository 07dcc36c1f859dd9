import { defineCell, isToken, ValidationError } from '@hms/runtime';
import { assign, emit, fromPromise, setup } from 'xstate';
import { fromInterval } from '../timers/from-interval.js';

/** Configuration of a `pinger` cell. */
export interface PingerConfig {
  /** The cell id to ping. */
  target: string;
  /** Pause between pings, in millis; default 2000. */
  intervalMs: number;
  /** Reply timeout, in millis; default 1000. */
  timeoutMs: number;
}

function parseConfig(raw: unknown): PingerConfig {
  const c = (raw ?? {}) as Partial<PingerConfig>;
  if (!isToken(c.target)) {
    throw new ValidationError('pinger config.target must be a cell id', { data: { field: 'target' } });
  }
  const intervalMs = c.intervalMs ?? 2000;
  if (typeof intervalMs !== 'number' || !(intervalMs >= 10)) {
    throw new ValidationError('pinger config.intervalMs must be a number >= 10', { data: { field: 'intervalMs' } });
  }
  const timeoutMs = c.timeoutMs ?? 1000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
    throw new ValidationError('pinger config.timeoutMs must be a positive number', { data: { field: 'timeoutMs' } });
  }
  return { target: c.target, intervalMs, timeoutMs };
}

/**
 * `pinger`: every `intervalMs` sends a `ping` request to `target` through NATS and emits
 * `pinger.rtt` (`{ target, ms }`) or `pinger.failed` (`{ target, error }`).
 */
export const pingerCell = defineCell({
  type: 'pinger',
  queries: ['get'],
  description: 'pings another cell through NATS and emits round-trip times',
  config: parseConfig,
  machine: (cell) =>
    setup({
      types: {
        context: {} as { sent: number; ok: number; failed: number; lastRttMs: number | null },
        emitted: {} as
          | { type: 'pinger.rtt'; target: string; ms: number }
          | { type: 'pinger.failed'; target: string; error: string },
      },
      actors: {
        ping: fromPromise(async () => {
          const started = performance.now();
          await cell.request(cell.config.target, 'ping', undefined, { timeout: cell.config.timeoutMs });
          return Math.round((performance.now() - started) * 100) / 100;
        }),
        // An invoked timer, not `after`: it survives a restore from a snapshot.
        timer: fromInterval(cell.clock, () => cell.config.intervalMs, 'interval.due'),
      },
    }).createMachine({
      id: 'pinger',
      context: { sent: 0, ok: 0, failed: 0, lastRttMs: null },
      initial: 'waiting',
      states: {
        waiting: { invoke: { src: 'timer' }, on: { 'interval.due': 'pinging' } },
        pinging: {
          entry: assign({ sent: ({ context }) => context.sent + 1 }),
          invoke: {
            src: 'ping',
            onDone: {
              target: 'waiting',
              actions: [
                assign({ ok: ({ context }) => context.ok + 1, lastRttMs: ({ event }) => event.output }),
                emit(({ event }) => ({ type: 'pinger.rtt' as const, target: cell.config.target, ms: event.output })),
              ],
            },
            onError: {
              target: 'waiting',
              actions: [
                assign({ failed: ({ context }) => context.failed + 1 }),
                emit(({ event }) => ({
                  type: 'pinger.failed' as const,
                  target: cell.config.target,
                  error: event.error instanceof Error ? event.error.message : String(event.error),
                })),
              ],
            },
          },
        },
      },
    }),
  reply: (snapshot) => ({ state: snapshot.value, ...snapshot.context }),
});
