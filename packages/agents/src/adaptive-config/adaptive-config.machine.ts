import { type CellContext, EVOLUTION_EVENT, type SystemStatus, validateChanges } from '@hms/runtime';
import { assign, emit, enqueueActions, fromPromise, raise, setup } from 'xstate';
import { keepDecision } from '../evolution/keep-rule.js';
import { KEEP_RESIDUALS } from '../evolution/trial-residuals.js';
import { fromInterval } from '../timers/from-interval.js';
import {
  type AdaptiveConfigContext,
  type AdaptiveConfigEvent,
  type AdaptiveConfigSettings,
  type ApplyInput,
  type ApplyOutput,
  AUTO_TICK_MS,
  autoSettingsOf,
  reportLagMs,
  type Trial,
} from './adaptive-config-state.js';
import {
  baselineOf,
  decideAutoEvolution,
  initialAutoEvolution,
  noteAutoQuiet,
  noteAutoRefused,
  noteAutoStarted,
} from './auto-evolution.js';
import type { ObservationWindow } from './observation-window.js';
import { configInForce, longestTimeout, previousValues } from './scoped-trial.js';
import type { SwarmWatch } from './swarm-watch.js';
import { baselineFrom, judgeAfter, judgeBefore } from './trial-judge.js';
import { busyOf, dropOfTrial, finishTrial, HEAL_ACTION, runOfTrial } from './trial-record.js';

export {
  type AdaptiveConfigContext,
  type AdaptiveConfigEvent,
  type AdaptiveConfigSettings,
  autoSettingsOf,
  reportLagMs,
  type Trial,
} from './adaptive-config-state.js';

/**
 * The adaptive-config cell's machine: tries a configuration live (from `apply`, or the best of
 * a finished swarm-objective run), measures the swarm's weighted fitness over a window after
 * it settles, and keeps it only by the keep rule (`keep-rule.ts`: a better fitness than the
 * window before the change, and no component worse by more than 10%); otherwise the previous
 * values are restored. Every step is an event in the evolution log.
 */
export function createAdaptiveConfigMachine(
  cell: CellContext<AdaptiveConfigSettings>,
  window: ObservationWindow,
  watch: SwarmWatch,
) {
  const { windowMs, settleMs, minGain } = cell.config;
  const now = () => cell.clock.now();
  const log = (body: Record<string, unknown>) => cell.publish(EVOLUTION_EVENT.auto, { ...body, at: now() });
  const heal = (action: string, why: string, outcome: string, durationMs = 0) =>
    cell.publish('heal.action', { node: cell.node, action, why, outcome, durationMs });
  /**
   * The cool-down after a run or trial: `evolution.cooldownMs`, but at least until a whole window
   * measured after it is reported (the window judged ends a report lag ago), so neither the drop
   * seen next nor the next run's calibration includes the trial's own calls.
   */
  const cooldownOf = (context: AdaptiveConfigContext) =>
    Math.max(
      watch.config?.['evolution.cooldownMs'] ?? 60_000,
      // The timeout last read may still be a rolled-back trial's (189 ms where 5 s is restored):
      // the next trial's window before would then be measured over this trial's own calls.
      reportLagMs(Math.max(watch.config?.['request.timeoutMs'] ?? 5000, context.timeoutMs)) + windowMs,
    );
  /** Reads the live settings again when a heartbeat shows a newer version. */
  const refreshConfig = () =>
    watch.refresh(() => cell.control('system.status', undefined, { timeout: 5000 }) as Promise<SystemStatus>);
  const finish = (context: AdaptiveConfigContext, outcome: Trial['outcome'], extra: Partial<Trial> = {}) =>
    finishTrial(context, outcome, now(), extra);
  return setup({
    types: {
      context: {} as AdaptiveConfigContext,
      events: {} as AdaptiveConfigEvent,
      emitted: {} as { type: string; [key: string]: unknown },
    },
    actors: {
      applyConfig: fromPromise<ApplyOutput, ApplyInput>(
        async ({ input: { candidate: input, by, trials, dropSince, residuals } }) => {
          const status = (await cell.control('system.status')) as SystemStatus;
          const config = configInForce(status);
          const previous = previousValues(config, Object.keys(input));
          const timeoutMs = longestTimeout(config, 5000);
          const end = now() - reportLagMs(timeoutMs);
          const from = baselineFrom({
            end,
            windowMs,
            spanMs: watch.config?.['evolution.baselineMs'] ?? 120_000,
            settleMs,
            lastTrial: trials.at(-1),
            dropSince,
          });
          const baseline = window.measure(from, end);
          const base = { previous, baseline };
          if (Object.entries(input).every(([k, v]) => previous[k] === v)) {
            return { ...base, version: status.configVersion, timeoutMs, unchanged: true, predicted: null, skip: null };
          }
          const { predicted, skip } = judgeBefore({
            window,
            baseline,
            config,
            candidate: input,
            by,
            trials,
            residuals,
          });
          if (skip !== null) {
            return { ...base, version: status.configVersion, timeoutMs, unchanged: false, predicted, skip };
          }
          const written = (await cell.control('system.configure', { set: input })) as { version: number };
          return {
            ...base,
            version: written.version,
            timeoutMs: longestTimeout({ ...config, ...input }, timeoutMs),
            unchanged: false,
            predicted,
            skip: null,
          };
        },
      ),
      restoreConfig: fromPromise<unknown, Record<string, number | null>>(({ input }) =>
        cell.control('system.configure', { set: input }),
      ),
      // Invoked timers, not `after`: a trial restored from a snapshot still ends (and rolls back).
      settleTimer: fromInterval(cell.clock, () => settleMs, 'settle.due'),
      windowTimer: fromInterval(cell.clock, () => windowMs, 'window.due'),
      completionTimer: fromInterval(cell.clock, (timeoutMs: number) => reportLagMs(timeoutMs), 'completion.due'),
      autoTimer: fromInterval(cell.clock, () => AUTO_TICK_MS, 'auto.tick'),
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
        const before = (context.current as Trial).baseline;
        return before !== null && keepDecision(before, after, minGain).keep;
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
      autoTick: enqueueActions(({ context, enqueue, self }) => {
        refreshConfig();
        const config = watch.config;
        if (!config) return;
        const settings = autoSettingsOf(config, windowMs);
        const t = now();
        const end = t - reportLagMs(config['request.timeoutMs'] ?? context.timeoutMs);
        const m = window.measure(end - windowMs, end);
        const fitness = m.calls > 0 ? m.fitness : null;
        const leader = watch.leader(t);
        const { state, decision } = decideAutoEvolution(context.auto, settings, {
          now: t,
          fitness,
          leader: leader?.node ?? null,
          rebalancing: leader?.rebalancing ?? false,
          busy: busyOf(context, self.getSnapshot().value),
        });
        enqueue.assign({ auto: state, autoEnabled: settings.enabled, autoFitness: fitness, autoCheckedAt: t });
        if (settings.enabled !== context.autoEnabled) {
          enqueue(() => log({ decision: settings.enabled ? 'on' : 'off', baseline: baselineOf(state), fitness }));
        }
        if (decision?.action === 'held')
          enqueue(() => log({ decision: 'held', reason: decision.reason, wanted: decision.wanted }));
        if (decision?.action === 'start') {
          enqueue(() => {
            log({ decision: 'start', reason: decision.reason, baseline: decision.baseline, fitness: decision.fitness });
            cell
              .control('evolve.start', {
                by: 'auto',
                reason: decision.reason,
                islands: config['evolution.autoIslands'] ?? 2,
                island: {
                  objective: 'swarm',
                  population: config['evolution.autoPopulation'] ?? 32,
                  generations: config['evolution.autoGenerations'] ?? 40,
                  migrationInterval: 10,
                },
              })
              .then(
                (r) => self.send({ type: 'auto.started', run: (r as { run: string }).run }),
                (err: unknown) =>
                  self.send({ type: 'auto.refused', error: err instanceof Error ? err.message : String(err) }),
              );
          });
        }
      }),
      autoStarted: enqueueActions(({ context, event, enqueue }) => {
        const e = event as { run: string };
        enqueue.assign({ auto: noteAutoStarted(context.auto, e.run) });
        const last = context.auto.last;
        enqueue(() => heal('evolve-start', `run ${e.run}: ${last?.reason ?? ''}`, 'ok', last ? now() - last.at : 0));
      }),
      autoRefused: enqueueActions(({ context, event, enqueue }) => {
        const e = event as { error: string };
        enqueue.assign({ auto: noteAutoRefused(context.auto, now(), e.error) });
        enqueue(() => {
          log({ decision: 'failed', reason: e.error });
          heal('evolve-start', `${context.auto.last?.reason ?? ''}: ${e.error}`, 'failed');
        });
      }),
      noteStarted: assign({
        active: ({ event }) => {
          const e = event as { run: string; islands: number; by?: string };
          return { run: e.run, islands: e.islands, done: [], by: e.by ?? 'operator' };
        },
      }),
      noteStopped: assign(({ context }) => ({
        active: null,
        auto: context.active
          ? noteAutoQuiet(context.auto, now(), cooldownOf(context), context.active.run, 'stopped')
          : context.auto,
      })),
      noteIslandDone: assign(({ context, event }) => {
        const e = event as Extract<AdaptiveConfigEvent, { type: 'ga.done' }>;
        const a = context.active;
        if (!a || a.run !== e.run) return {};
        const done = a.done.includes(e.island) ? a.done : [...a.done, e.island];
        if (done.length < a.islands) return { active: { ...a, done } };
        return { active: null, auto: noteAutoQuiet(context.auto, now(), cooldownOf(context)) };
      }),
      /** A trial ended (the last of `trials`): the cool-down begins; a self-started run's trial is a healing action. */
      trialEnded: enqueueActions(({ context, enqueue }) => {
        const trial = context.trials[context.trials.length - 1];
        const run = runOfTrial(trial);
        // A rolled-back trial's marks outlive it (up to its own stigmergy.markTtlMs after the last
        // deposit): piled up under its avoidance threshold, they cut the dependency off under the
        // restored one until they fade, and a window measured meanwhile is the trial's aftermath.
        const marksFadeMs = trial?.outcome === 'rolledback' ? (trial.candidate['stigmergy.markTtlMs'] ?? 0) : 0;
        // A kept trial still below the drop threshold only partly fixed the drop: another run may follow.
        const config = watch.config;
        const measured =
          trial?.measured && config
            ? { fitness: trial.measured.fitness, dropPct: autoSettingsOf(config, windowMs).dropPct }
            : undefined;
        enqueue.assign({
          auto: noteAutoQuiet(context.auto, now(), cooldownOf(context) + marksFadeMs, run, trial?.outcome, measured),
        });
        if (trial && run !== undefined && run === context.auto.last?.run) {
          const why = `run ${run}: ${trial.reason ?? `fitness ${trial.baseline?.fitness.toFixed(3) ?? '?'} → ${trial.measured?.fitness.toFixed(3) ?? '?'}`}`;
          enqueue(() =>
            heal(
              HEAL_ACTION[trial.outcome] ?? `evolve-${trial.outcome}`,
              why,
              trial.outcome === 'failed' ? 'failed' : 'ok',
              now() - trial.at,
            ),
          );
        }
      }),
      trialApplied: enqueueActions(({ context, enqueue }) => {
        const trial = context.current;
        const run = runOfTrial(trial ?? undefined);
        if (trial && run !== undefined && run === context.auto.last?.run) {
          const set = Object.entries(trial.candidate)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          enqueue(() => heal('evolve-trial', `run ${run}: ${set}`, 'ok'));
        }
      }),
      /** A measured trial teaches the model a residual near the configuration tried; an event in the evolution log. */
      learn: enqueueActions(({ context, enqueue }) => {
        const trial = context.trials[context.trials.length - 1];
        const residual = trial?.residual;
        if (!residual) return;
        enqueue.assign({ residuals: [...(context.residuals ?? []), residual].slice(-KEEP_RESIDUALS) });
        enqueue(() => cell.publish(EVOLUTION_EVENT.recalibrated, { trial: trial.id, residual, at: now() }));
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
      active: null,
      auto: initialAutoEvolution(),
      autoEnabled: false,
      autoFitness: null,
      autoCheckedAt: 0,
      residuals: [],
    },
    initial: 'idle',
    invoke: { src: 'autoTimer' },
    on: {
      heartbeat: {
        actions: ({ event }) => {
          window.add(event);
          watch.add(event);
        },
      },
      'lifecycle.*': { actions: ({ event }) => window.addLifecycle(event as { type: string }, cell.clock.now()) },
      apply: { actions: 'countRequest' },
      'auto.tick': { actions: 'autoTick' },
      'auto.started': { actions: 'autoStarted' },
      'auto.refused': { actions: 'autoRefused' },
      'evolve.started': { actions: 'noteStarted' },
      'evolve.stopped': { actions: 'noteStopped' },
      'ga.done': [
        {
          guard: ({ context, event }) => {
            if (event.objective !== 'swarm' || !event.candidate) return false;
            const run = context.runs[event.run];
            const done = { ...(run?.done ?? {}), [event.island]: true };
            return Object.keys(done).length >= event.islands;
          },
          actions: ['noteIslandDone', 'noteRun', 'applyRunBest', 'forgetRun'],
        },
        { actions: ['noteIslandDone', 'noteRun'] },
      ],
    },
    states: {
      idle: {
        on: { apply: { guard: 'validChange', target: 'applying', actions: ['countRequest', 'start'] } },
      },
      applying: {
        invoke: {
          src: 'applyConfig',
          input: ({ context }) => ({
            candidate: (context.current as Trial).candidate,
            by: (context.current as Trial).by,
            trials: context.trials,
            // A self-started run's drop: the window before its trial begins no earlier.
            dropSince: dropOfTrial(context),
            // A snapshot saved before residuals existed has none.
            residuals: context.residuals ?? [],
          }),
          onDone: [
            {
              guard: ({ event }) => event.output.unchanged,
              target: 'idle',
              actions: [
                assign(({ context, event }) =>
                  finish(context, 'unchanged', { baseline: event.output.baseline, previous: event.output.previous }),
                ),
                'trialEnded',
              ],
            },
            {
              guard: ({ event }) => event.output.skip !== null,
              target: 'idle',
              actions: [
                assign(({ context, event }) =>
                  finish(context, 'skipped', {
                    baseline: event.output.baseline,
                    previous: event.output.previous,
                    predicted: event.output.predicted,
                    reason: `not worth a live trial: ${event.output.skip}`,
                  }),
                ),
                emit(({ context }) => ({
                  type: EVOLUTION_EVENT.skipped,
                  ...(context.trials[context.trials.length - 1] as Trial),
                })),
                'trialEnded',
              ],
            },
            {
              target: 'settling',
              actions: [
                assign(({ context, event }) => {
                  const { timeoutMs, unchanged: _no, skip: _go, ...output } = event.output;
                  return { timeoutMs, current: { ...(context.current as Trial), ...output } };
                }),
                emit(({ context }) => ({ type: EVOLUTION_EVENT.applied, ...(context.current as Trial) })),
                'trialApplied',
              ],
            },
          ],
          onError: {
            target: 'idle',
            actions: [
              assign(({ context, event }) =>
                finish(context, 'failed', {
                  error: event.error instanceof Error ? event.error.message : String(event.error),
                }),
              ),
              'trialEnded',
            ],
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
                'learn',
                emit(({ context }) => ({
                  type: EVOLUTION_EVENT.kept,
                  ...(context.trials[context.trials.length - 1] as Trial),
                })),
                'trialEnded',
              ],
            },
            { target: 'rollingBack' },
          ],
        },
        exit: assign({
          current: ({ context }) => {
            if (!context.current) return null;
            const { measured, reason, residual } = judgeAfter({
              window,
              from: context.measuringFrom,
              windowMs,
              baseline: context.current.baseline,
              predicted: context.current.predicted,
              minGain,
            });
            return { ...context.current, measured, reason, residual };
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
              'learn',
              emit(({ context }) => ({
                type: EVOLUTION_EVENT.rolledBack,
                ...(context.trials[context.trials.length - 1] as Trial),
              })),
              'trialEnded',
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
