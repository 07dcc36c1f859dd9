import { type AnyCellDefinition, defineCell, type SystemStatus, ValidationError, validateChanges } from '@hms/runtime';
import { type AdaptiveConfigSettings, createAdaptiveConfigMachine, reportLagMs } from './adaptive-config.machine.js';
import { ObservationWindow } from './observation-window.js';

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
  topics: () => [{ heartbeats: true }, { event: 'ga.done' }],
  machine: (cell) => {
    const window = new ObservationWindow();
    windows.set(cell.id, window);
    return createAdaptiveConfigMachine(cell, window);
  },
  reply: async (snapshot, event, cell) => {
    const window = windows.get(cell.id) as ObservationWindow;
    const now = cell.clock.now();
    switch (event.type) {
      case 'calibration': {
        const status = (await cell.control('system.status')) as SystemStatus;
        const end = now - reportLagMs(status.config['request.timeoutMs'] ?? 5000);
        return window.calibration(end - cell.config.windowMs * 3, end, status.config);
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
        return {
          state: snapshot.value,
          current: snapshot.context.current,
          trials: snapshot.context.trials,
          measured: window.measure(end - cell.config.windowMs, end),
        };
      }
    }
  },
});
