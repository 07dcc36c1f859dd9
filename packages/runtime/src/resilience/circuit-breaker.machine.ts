import { assign, emit, setup } from 'xstate';

/** Settings of one circuit breaker. */
export interface BreakerSettings {
  /** Consecutive failures that open the circuit; default 5. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through, in millis; default 2000. */
  resetTimeoutMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, resetTimeoutMs: 2000 };

/** Events of a breaker. */
export type BreakerEvent = { type: 'success' } | { type: 'failure' } | { type: 'trial' } | { type: 'resetElapsed' };

/**
 * One circuit breaker, for one dependency, as an XState machine:
 * `closed` (calls go through; consecutive failures are counted) → `open` after
 * `failureThreshold` failures (calls fail fast) → `halfOpen` after `resetTimeoutMs` (one trial
 * call goes through: success closes, failure opens again). Emits `circuit.opened`,
 * `circuit.halfOpen` and `circuit.closed`.
 */
export function createBreakerMachine(settings: () => BreakerSettings) {
  return setup({
    types: {
      context: {} as { failures: number; trialInFlight: boolean },
      events: {} as BreakerEvent,
      emitted: {} as { type: 'circuit.opened' | 'circuit.halfOpen' | 'circuit.closed'; failures: number },
    },
    delays: { reset: () => settings().resetTimeoutMs },
    guards: { tripped: ({ context }) => context.failures + 1 >= settings().failureThreshold },
  }).createMachine({
    id: 'circuit-breaker',
    context: { failures: 0, trialInFlight: false },
    initial: 'closed',
    states: {
      closed: {
        entry: assign({ failures: 0 }),
        on: {
          success: { actions: assign({ failures: 0 }) },
          failure: [
            { guard: 'tripped', target: 'open', actions: assign({ failures: ({ context }) => context.failures + 1 }) },
            { actions: assign({ failures: ({ context }) => context.failures + 1 }) },
          ],
        },
      },
      open: {
        entry: emit(({ context }) => ({ type: 'circuit.opened' as const, failures: context.failures })),
        after: { reset: 'halfOpen' },
        // The reset timeout was lowered while open (a rollback, a live change): the guard sends
        // this once the current setting has passed, instead of waiting out the one it opened with.
        on: { resetElapsed: 'halfOpen' },
      },
      halfOpen: {
        entry: [
          assign({ trialInFlight: false }),
          emit(({ context }) => ({ type: 'circuit.halfOpen' as const, failures: context.failures })),
        ],
        on: {
          trial: { actions: assign({ trialInFlight: true }) },
          success: {
            target: 'closed',
            actions: emit(({ context }) => ({ type: 'circuit.closed' as const, failures: context.failures })),
          },
          failure: { target: 'open', actions: assign({ failures: ({ context }) => context.failures + 1 }) },
        },
      },
    },
  });
}
