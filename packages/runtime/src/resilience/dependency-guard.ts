import { type Actor, createActor } from 'xstate';
import type { Clock } from '../clock.js';
import {
  CellFailedError,
  CircuitOpenError,
  ConnectionError,
  DependencyAvoidedError,
  NoRespondersError,
  RequestTimeoutError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { Field } from '../stigmergy/field.js';
import type { FieldView } from '../stigmergy/field-view.js';
import type { CallTrace } from './call-trace.js';
import { type BreakerSettings, createBreakerMachine } from './circuit-breaker.machine.js';

/** The field topic where cells mark dependencies that fail them. */
export const UNHEALTHY_TOPIC = 'unhealthy';

/** Live settings of the guards. */
export interface GuardSettings extends BreakerSettings {
  /**
   * About how many recent failures, marked by any cell, make a cell avoid a dependency before
   * its own breaker trips (strength ≥ avoidStrength − 0.5); default 3.
   */
  avoidStrength: number;
  /** How long a failure mark lasts, in millis; default 10000. */
  markTtlMs: number;
  /** Timeout of a cell's request that sets none itself, in millis; default 5000. */
  requestTimeoutMs?: number;
}

/** What a node shares between the guards of its cells. */
export interface GuardEnvironment {
  field: Field;
  view: FieldView;
  clock: Clock;
  /**
   * The settings of a call from a cell of type `caller` to a cell of type `callee` (scoped values
   * resolved: edge, then callee type, then swarm-wide); either may be unknown.
   */
  settings: (caller?: string, callee?: string) => GuardSettings;
  /** The type of the cell with id `cellId`, for the scoped settings of calls to it; undefined when unknown. */
  typeOf?: (cellId: string) => string | undefined;
  /** Where every call is recorded (target, start, duration, outcome), for the swarm model. */
  trace?: CallTrace;
}

/** The resilience of one cell's calls to other cells. */
export interface DependencyGuard {
  /** Throws CircuitOpenError or DependencyAvoidedError when a call to `target` must not go out. */
  before(target: string): void;
  success(target: string): void;
  /** Counts a failed call (and marks `target` in the field) when the failure is the target's. */
  failure(target: string, error: unknown): void;
  /** The breaker state of every dependency called so far. */
  states(): Record<string, string>;
  stop(): void;
}

/** Failures that say something about the target (not about the request). */
export function isDependencyFailure(error: unknown): boolean {
  return (
    error instanceof RequestTimeoutError ||
    error instanceof NoRespondersError ||
    error instanceof CellFailedError ||
    error instanceof ConnectionError
  );
}

/**
 * One cell's guard over its dependencies: a circuit breaker (an XState actor) per dependency,
 * whose state changes the cell publishes as events; failures are also marked in the
 * stigmergy field, and a dependency that others marked strongly enough is avoided before this
 * cell's own breaker would trip.
 */
export function createDependencyGuard(options: {
  cellId: string;
  /** The calling cell's type: with the target's type it picks the edge's scoped settings. */
  cellType?: string;
  env: GuardEnvironment;
  logger: Logger;
  publish: (type: string, body: Record<string, unknown>) => void;
}): DependencyGuard {
  const { env, logger, publish, cellType } = options;
  /** The settings of this cell's calls to `target`, resolved now (they change live). */
  const settingsTo = (target: string) => env.settings(cellType, env.typeOf?.(target));
  const breakers = new Map<string, Actor<ReturnType<typeof createBreakerMachine>>>();
  /** When each open circuit opened, by target. */
  const openedAt = new Map<string, number>();
  const breaker = (target: string) => {
    let actor = breakers.get(target);
    if (!actor) {
      actor = createActor(
        createBreakerMachine(() => settingsTo(target)),
        { clock: env.clock },
      );
      actor.on('*', (e) => {
        if (e.type === 'circuit.opened') openedAt.set(target, env.clock.now());
        publish(e.type, { target, failures: e.failures });
      });
      actor.start();
      breakers.set(target, actor);
    }
    return actor;
  };

  return {
    before(target) {
      const b = breakers.get(target);
      // An open circuit honours the reset timeout in force now, not the one it opened with: a
      // rolled-back trial's long reset must not keep the dependency cut off after the rollback.
      if (
        b?.getSnapshot().value === 'open' &&
        env.clock.now() - (openedAt.get(target) ?? Number.POSITIVE_INFINITY) >= settingsTo(target).resetTimeoutMs
      ) {
        b.send({ type: 'resetElapsed' });
      }
      const state = b?.getSnapshot().value;
      if (state === 'open') throw new CircuitOpenError(`circuit to ${target} is open`, { data: { target } });
      if (state === 'halfOpen') {
        if (b?.getSnapshot().context.trialInFlight) {
          throw new CircuitOpenError(`circuit to ${target} is half-open; a trial call is under way`, {
            data: { target },
          });
        }
        b?.send({ type: 'trial' });
        return;
      }
      const marked = env.view.strength(UNHEALTHY_TOPIC, target);
      // Marks fade continuously, so n failures a moment ago read as a little under n.
      if (marked >= settingsTo(target).avoidStrength - 0.5) {
        throw new DependencyAvoidedError(`${target} is marked failing by other cells (strength ${marked.toFixed(1)})`, {
          data: { target, strength: marked },
        });
      }
    },
    success(target) {
      breakers.get(target)?.send({ type: 'success' });
    },
    failure(target, error) {
      if (!isDependencyFailure(error)) {
        breakers.get(target)?.send({ type: 'success' });
        return;
      }
      breaker(target).send({ type: 'failure' });
      const { markTtlMs } = settingsTo(target);
      env.field.deposit(UNHEALTHY_TOPIC, target, 1, markTtlMs).then(
        (strength) => env.view.note(UNHEALTHY_TOPIC, target, strength),
        (err: unknown) => logger.warn({ err, target }, 'could not mark the failing dependency'),
      );
    },
    states: () => Object.fromEntries([...breakers].map(([t, a]) => [t, String(a.getSnapshot().value)])),
    stop() {
      for (const a of breakers.values()) a.stop();
      breakers.clear();
    },
  };
}
