import {
  type AnyCellDefinition,
  defineCell,
  EVOLUTION_EVENT,
  type SystemStatus,
  ValidationError,
  validateChanges,
} from '@hms/runtime';
import { predictionError } from '../evolution/model-honesty.js';
import type { AdaptiveConfigSettings } from './adaptive-config.machine.js';
import { autoSettingsOf, createAdaptiveConfigMachine, reportLagMs } from './adaptive-config.machine.js';
import { type AutoEvolutionStatus, baselineOf } from './auto-evolution.js';
import { calibrationSpan } from './calibration-span.js';
import { crossPollinate } from './cross-pollination.js';
import { ObservationWindow } from './observation-window.js';
import { configInForce } from './scoped-trial.js';
import { SwarmWatch } from './swarm-watch.js';

function parseSettings(raw: unknown): AdaptiveConfigSettings {
  const r = (raw ?? {}) as Record<string, unknown>;
  const num = (field: string, fallback: number, min: number, max: number) => {
    const v = r[field] ?? fallback;
    if (typeof v !== 'number' || !(v >= min && v <= max)) {
      throw new ValidationError(`adaptive-config config.${field} must be a number from ${min} to ${max}`, {
        data: { field },
      });
    }
    return v;
  };
  return {
    windowMs: num('windowMs', 10_000, 500, 3_600_000),
    settleMs: num('settleMs', 2000, 0, 600_000),
    minGain: num('minGain', 0, 0, 1),
  };
}

/** Windows of observations, one per running adaptive-config cell (rebuilt from heartbeats after a restart). */
const windows = new Map<string, ObservationWindow>();
/** The last run each adaptive-config cell recorded seeds for (every island of a run asks for the calibration). */
const seededRuns = new Map<string, string>();
/** What each running adaptive-config cell knows of the leader and the live settings. */
const watches = new Map<string, SwarmWatch>();

/**
 * `adaptive-config`: watches the swarm's calls, load and health in node heartbeats; calibrates
 * the swarm model for evolution runs (`calibration` request); tries configurations live
 * (`apply` request, or the best of a finished swarm-objective run) and keeps one only if the
 * measured fitness improves over a window, else restores the previous values.
 */
export const adaptiveConfigCell: AnyCellDefinition = defineCell({
  type: 'adaptive-config',
  queries: ['status', 'calibration'],
  description: 'applies evolved configurations live, keeps them only if the swarm does better',
  config: parseSettings,
  topics: () => [
    { heartbeats: true },
    { event: 'ga.done' },
    { event: 'evolve.started' },
    { event: 'evolve.stopped' },
    // Every cell's starts, crashes and escalations: a crash-looping dependency's figures for the model.
    ...(['started', 'crashed', 'escalated'] as const).map((k) => ({ event: `cell.${k}`, as: `lifecycle.${k}` })),
  ],
  machine: (cell) => {
    const window = new ObservationWindow();
    const watch = new SwarmWatch();
    windows.set(cell.id, window);
    watches.set(cell.id, watch);
    return createAdaptiveConfigMachine(cell, window, watch);
  },
  reply: async (snapshot, event, cell) => {
    const window = windows.get(cell.id) as ObservationWindow;
    const now = cell.clock.now();
    switch (event.type) {
      case 'calibration': {
        const status = (await cell.control('system.status')) as SystemStatus;
        const lag = reportLagMs(status.config['request.timeoutMs'] ?? 5000);
        const end = now - lag;
        // A run started by a drop is calibrated on the fault only, not on the healthy time before it.
        const last = snapshot.context.auto.last;
        const since = last?.outcome === 'running' || last?.outcome === 'starting' ? (last.since ?? 0) - lag : 0;
        // Nor on calls made under another configuration (see calibrationSpan).
        const span = calibrationSpan({
          end,
          windowMs: cell.config.windowMs,
          since,
          underWay: snapshot.context.current !== null,
          trials: snapshot.context.trials,
        });
        const config = configInForce(status);
        const cal = window.calibration(span.from, span.to, config);
        const seeding = crossPollinate(snapshot.context.trials, cal.tunedEdges ?? [], config);
        // Islands are `ga-<run>-<index>`: the seeds of a run are recorded once.
        const run = /^ga-(.+)-\d+$/.exec((event as { from?: string }).from ?? '')?.[1];
        if (seeding.length > 0 && run !== undefined && seededRuns.get(cell.id) !== run) {
          seededRuns.set(cell.id, run);
          cell.publish(EVOLUTION_EVENT.seeded, { run, seeds: seeding, at: now });
        }
        return { ...cal, seeds: seeding.map((s) => s.set), residuals: snapshot.context.residuals ?? [] };
      }
      case 'apply': {
        const set = (event as { set?: Record<string, unknown> }).set ?? {};
        validateChanges(set);
        if (Object.keys(set).length === 0)
          throw new ValidationError('apply needs set: { key: value, … }', { data: { field: 'set' } });
        if (snapshot.context.acceptedRequest !== snapshot.context.applyRequests) {
          throw new ValidationError(
            `a trial is under way (trial ${snapshot.context.current?.id}): try again when it ends`,
          );
        }
        return snapshot.context.current;
      }
      default: {
        const end = now - reportLagMs(snapshot.context.timeoutMs);
        const { auto, autoEnabled, autoFitness, autoCheckedAt } = snapshot.context;
        const settings = autoSettingsOf(watches.get(cell.id)?.config ?? {}, cell.config.windowMs);
        const autoStatus: AutoEvolutionStatus = {
          enabled: autoEnabled,
          baseline: baselineOf(auto),
          fitness: autoFitness,
          checkedAt: autoCheckedAt,
          dropPct: settings.dropPct,
          scheduleMs: settings.scheduleMs,
          baselineMs: settings.baselineMs,
          cooldownMs: settings.cooldownMs,
          quietUntil: auto.quietUntil,
          nextScheduledAt:
            autoEnabled && settings.scheduleMs > 0 && auto.scheduleFrom !== null
              ? auto.scheduleFrom + settings.scheduleMs
              : null,
          held: auto.held,
          last: auto.last,
          run: snapshot.context.active,
        };
        return {
          state: snapshot.value,
          current: snapshot.context.current,
          trials: snapshot.context.trials,
          measured: window.measure(end - cell.config.windowMs, end),
          auto: autoStatus,
          model: { error: predictionError(snapshot.context.trials), learned: snapshot.context.residuals?.length ?? 0 },
        };
      }
    }
  },
});
