import {
  type CellContext,
  EVOLUTION_EVENT,
  type NodeHeartbeat,
  type SystemStatus,
  validateChanges,
} from '@hms/runtime';
import { assign, emit, fromPromise, raise, setup } from 'xstate';
import { fromInterval } from '../timers/from-interval.js';
import type { Measurement, ObservationWindow } from './observation-window.js';

/** Configuration of an `adaptive-config` cell. */
export interface AdaptiveConfigSettings {
  /** How long a configuration is measured (before and after a change), in millis; default 10000. */
  windowMs: number;
  /** How long after a change measuring starts, in millis; default 2000. */
  settleMs: number;
  /** The fitness gain (0..1) a candidate must show to be kept; default 0 (any improvement). */
  minGain: number;
}

/** One configuration tried live. */
export interface Trial {
  id: number;
  /** `operator`, or `run <id>` for an evolution run's best. */
  by: string;
  candidate: Record<string, number>;
  /** The values the candidate replaced: restored on roll-back. */
  previous: Record<string, number>;
  /** The swarm's fitness over the window before the change (null until the change is made). */
  baseline: Measurement | null;
  /** The swarm's fitness over the window after it settled. */
  measured: Measurement | null;
  /** `unchanged`: the candidate was the configuration in force, so nothing was tried. */
  outcome: 'trial' | 'kept' | 'rolledback' | 'failed' | 'unchanged';
  at: number;
  version?: number;
  error?: string;
}

/** How long after a call's timeout its outcome is surely in a heartbeat, in millis. */
const REPORT_LAG_MS = 2500;

/**
 * How far back a window must end so that every call started in it has ended and been
 * reported: calls that hang are recorded only when they time out.
 */
export function reportLagMs(timeoutMs: number): number {
  return Math.min(timeoutMs, 600_000) + REPORT_LAG_MS;
}

export interface AdaptiveConfigContext {
  /** The request timeout in force when last read, in millis. */
  timeoutMs: number;
  trials: Trial[];
  current: Trial | null;
  /** `apply` requests seen: a request was accepted when the current trial carries its number. */
  applyRequests: number;
  acceptedRequest: number;
  measuringFrom: number;
  /** Evolution runs of the swarm objective, until all their islands are done. */
  runs: Record<string, { islands: number; done: Record<string, { best: number; candidate: Record<string, number> }> }>;
}

export type AdaptiveConfigEvent =
  | ({ type: 'heartbeat' } & NodeHeartbeat)
  | { type: 'apply'; set: Record<string, unknown>; by?: string }
  | {
      type: 'ga.done';
      run: string;
      island: number;
      islands: number;
      objective: string;
      best: number;
      candidate?: Record<string, number>;
    }
  | { type: 'status' }
  | { type: 'calibration' }
  /** From the machine's own timers. */
  | { type: 'settle.due' | 'window.due' | 'completion.due' };

const KEEP_TRIALS = 20;

/**
 * The adaptive-config cell's machine: tries a configuration live (from `apply`, or the best of
 * a finished swarm-objective run), measures the swarm's weighted fitness over a window after
 * it settles, and keeps it only if it beats the window before the change; otherwise the
 * previous values are restored. Every step is an event in the evolution log.
 */
export function createAdaptiveConfigMachine(cell: CellContext<AdaptiveConfigSettings>, window: ObservationWindow) {
  const { windowMs, settleMs, minGain } = cell.config;
  const now = () => cell.clock.now();
  const finish = (context: AdaptiveConfigContext, outcome: Trial['outcome'], extra: Partial<Trial> = {}) => {
    const done = { ...(context.current as Trial), outcome, ...extra };
    return { current: null, trials: [...context.trials, done].slice(-KEEP_TRIALS) };
  };
  return setup({
    types: {
      context: {} as AdaptiveConfigContext,
      events: {} as AdaptiveConfigEvent,
      emitted: {} as { type: string; [key: string]: unknown },
    },
    actors: {
      applyConfig: fromPromise<
        {
          previous: Record<string, number>;
          version: number;
          baseline: Measurement;
          timeoutMs: number;
          unchanged: boolean;
        },
        Record<string, number>
      >(async ({ input }) => {
        const status = (await cell.control('system.status')) as SystemStatus;
        const previous = Object.fromEntries(Object.keys(input).map((k) => [k, status.config[k] as number]));
        const timeoutMs = status.config['request.timeoutMs'] ?? 5000;
        const end = now() - reportLagMs(timeoutMs);
        const baseline = window.measure(end - windowMs, end);
        if (Object.entries(input).every(([k, v]) => previous[k] === v)) {
          return { previous, version: status.configVersion, baseline, timeoutMs, unchanged: true };
        }
        const written = (await cell.control('system.configure', { set: input })) as { version: number };
        return {
          previous,
          version: written.version,
          baseline,
          timeoutMs: input['request.timeoutMs'] ?? timeoutMs,
          unchanged: false,
        };
      }),
      restoreConfig: fromPromise<unknown, Record<string, number>>(({ input }) =>
        cell.control('system.configure', { set: input }),
      ),
      // Invoked timers, not `after`: a trial restored from a snapshot still ends (and rolls back).
      settleTimer: fromInterval(cell.clock, () => settleMs, 'settle.due'),
      windowTimer: fromInterval(cell.clock, () => windowMs, 'window.due'),
      completionTimer: fromInterval(cell.clock, (timeoutMs: number) => reportLagMs(timeoutMs), 'completion.due'),
    },
    guards: {
      validChange: ({ event }) => {
        try {
          validateChanges((event as { set: Record<string, unknown> }).set ?? {});
          return Object.keys((event as { set?: object }).set ?? {}).length > 0;
        } catch {
          return false;
        }
      },
      improved: ({ context }) => {
        const after = window.measure(context.measuringFrom, context.measuringFrom + windowMs);
        return after.fitness > ((context.current as Trial).baseline?.fitness ?? 1) + minGain;
      },
    },
    actions: {
      countRequest: assign({ applyRequests: ({ context }) => context.applyRequests + 1 }),
      start: assign(({ context, event }) => {
        const e = event as { set: Record<string, unknown>; by?: string };
        const at = now();
        return {
          acceptedRequest: context.applyRequests,
          current: {
            id: (context.trials[context.trials.length - 1]?.id ?? 0) + 1,
            by: e.by ?? 'operator',
            candidate: validateChanges(e.set) as Record<string, number>,
            previous: {},
            baseline: null,
            measured: null,
            outcome: 'trial' as const,
            at,
          },
        };
      }),
      noteRun: assign({
        runs: ({ context, event }) => {
          const e = event as Extract<AdaptiveConfigEvent, { type: 'ga.done' }>;
          if (e.objective !== 'swarm' || !e.candidate) return context.runs;
          const run = context.runs[e.run] ?? { islands: e.islands, done: {} };
          return {
            ...context.runs,
            [e.run]: { ...run, done: { ...run.done, [e.island]: { best: e.best, candidate: e.candidate } } },
          };
        },
      }),
      applyRunBest: raise(({ context, event }) => {
        const e = event as Extract<AdaptiveConfigEvent, { type: 'ga.done' }>;
        const done = Object.values(context.runs[e.run]?.done ?? {});
        const best = done.reduce((a, b) => (b.best < a.best ? b : a));
        return { type: 'apply' as const, set: best.candidate, by: `run ${e.run}` };
      }),
      forgetRun: assign({
        runs: ({ context, event }) => {
          const { [(event as { run: string }).run]: _done, ...rest } = context.runs;
          return rest;
        },
      }),
    },
  }).createMachine({
    id: 'adaptive-config',
    context: {
      timeoutMs: 5000,
      trials: [],
      current: null,
      applyRequests: 0,
      acceptedRequest: 0,
      measuringFrom: 0,
      runs: {},
    },
    initial: 'idle',
    on: {
      heartbeat: { actions: ({ event }) => window.add(event) },
      apply: { actions: 'countRequest' },
      'ga.done': [
        {
          guard: ({ context, event }) => {
            if (event.objective !== 'swarm' || !event.candidate) return false;
            const run = context.runs[event.run];
            const done = { ...(run?.done ?? {}), [event.island]: true };
            return Object.keys(done).length >= event.islands;
          },
          actions: ['noteRun', 'applyRunBest', 'forgetRun'],
        },
        { actions: 'noteRun' },
      ],
    },
    states: {
      idle: {
        on: { apply: { guard: 'validChange', target: 'applying', actions: ['countRequest', 'start'] } },
      },
      applying: {
        invoke: {
          src: 'applyConfig',
          input: ({ context }) => (context.current as Trial).candidate,
          onDone: [
            {
              guard: ({ event }) => event.output.unchanged,
              target: 'idle',
              actions: assign(({ context, event }) =>
                finish(context, 'unchanged', { baseline: event.output.baseline, previous: event.output.previous }),
              ),
            },
            {
              target: 'settling',
              actions: [
                assign(({ context, event }) => {
                  const { timeoutMs, unchanged: _no, ...output } = event.output;
                  return { timeoutMs, current: { ...(context.current as Trial), ...output } };
                }),
                emit(({ context }) => ({ type: EVOLUTION_EVENT.applied, ...(context.current as Trial) })),
              ],
            },
          ],
          onError: {
            target: 'idle',
            actions: assign(({ context, event }) =>
              finish(context, 'failed', {
                error: event.error instanceof Error ? event.error.message : String(event.error),
              }),
            ),
          },
        },
      },
      settling: {
        invoke: { src: 'settleTimer' },
        on: { 'settle.due': { target: 'measuring', actions: assign({ measuringFrom: () => now() }) } },
      },
      measuring: {
        invoke: { src: 'windowTimer' },
        on: { 'window.due': 'completing' },
      },
      completing: {
        // Calls started in the window that hang end only at their timeout: wait for them.
        invoke: { src: 'completionTimer', input: ({ context }) => context.timeoutMs },
        on: {
          'completion.due': [
            {
              guard: 'improved',
              target: 'idle',
              actions: [
                assign(({ context }) => finish(context, 'kept')),
                emit(({ context }) => ({
                  type: EVOLUTION_EVENT.kept,
                  ...(context.trials[context.trials.length - 1] as Trial),
                })),
              ],
            },
            { target: 'rollingBack' },
          ],
        },
        exit: assign({
          current: ({ context }) =>
            context.current && {
              ...context.current,
              measured: window.measure(context.measuringFrom, context.measuringFrom + windowMs),
            },
        }),
      },
      rollingBack: {
        invoke: {
          src: 'restoreConfig',
          input: ({ context }) => (context.current as Trial).previous,
          onDone: {
            target: 'idle',
            actions: [
              assign(({ context }) => ({
                ...finish(context, 'rolledback'),
                timeoutMs: (context.current as Trial).previous['request.timeoutMs'] ?? context.timeoutMs,
              })),
              emit(({ context }) => ({
                type: EVOLUTION_EVENT.rolledBack,
                ...(context.trials[context.trials.length - 1] as Trial),
              })),
            ],
          },
          onError: {
            target: 'rollingBack',
            reenter: true,
          },
        },
      },
    },
  });
}
