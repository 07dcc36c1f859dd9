/**
 * When the swarm starts an evolution run by itself: a pure decision over measured fitness,
 * the live settings and what else is under way. The adaptive-config cell feeds it one
 * observation per tick and carries out what it decides (through `evolve.start`).
 */

/** The live settings of self-started runs (`evolution.*` in the swarm configuration). */
export interface AutoEvolutionSettings {
  /** `evolution.auto`: whether runs start themselves at all. */
  enabled: boolean;
  /** `evolution.autoDropPct`: a drop of the measured fitness this many percent below the baseline starts a run. */
  dropPct: number;
  /** `evolution.scheduleMs`: a run also starts this long after the previous one began (or auto was turned on), millis; 0 off. */
  scheduleMs: number;
  /** `evolution.baselineMs`: how far back the baseline reaches, millis. */
  baselineMs: number;
  /** `evolution.cooldownMs`: after a run and its trial, nothing starts and the baseline is relearned for this long, millis. */
  cooldownMs: number;
  /**
   * How long a drop must last before it starts a run, in millis (the cell's `windowMs`): one
   * slow moment is no drop, and the run's model is calibrated on a full window of the fault.
   */
  confirmMs: number;
}

/** What the cell sees at one tick. */
export interface AutoObservation {
  /** Epoch millis. */
  now: number;
  /** The measured fitness (0..1) of the latest complete window; null when it measured no calls. */
  fitness: number | null;
  /** The leader named by recent heartbeats; null when none is (an election, or a minority). */
  leader: string | null;
  /** Whether the leader reports rebalancing under way. */
  rebalancing: boolean;
  /** What is under way that a run must not overlap (`run r1a2b3 under way`, `trial 4 under way`); null: nothing. */
  busy: string | null;
}

/** What {@link decideAutoEvolution} remembers between ticks (kept in the cell's snapshot). */
export interface AutoEvolutionState {
  /** Measured fitness at each tick within `baselineMs`, leaving out drops and quiet times. */
  samples: Array<{ at: number; fitness: number }>;
  /** Until when nothing starts by itself and no sample is taken (a cool-down, or a retry delay), epoch millis. */
  quietUntil: number;
  /** From when the schedule counts (the last self-started run, or auto turned on), epoch millis; null while off. */
  scheduleFrom: number | null;
  /** Since when the fitness has been a drop, epoch millis; null: it is not. */
  dropSince: number | null;
  /** The reason a wanted run was held at the last tick (published once, when it first holds); null: none. */
  held: string | null;
  /** The last self-started run: when, why, its id once the leader started it, and its end. */
  last: AutoRun | null;
  /** Self-started runs in a row for one drop whose best was not kept (rolled back, skipped, unchanged). */
  retries?: number;
}

/** A self-started run, as `hms evolve auto status` shows it. */
export interface AutoRun {
  at: number;
  /** `drop: fitness 0.61 is 25% below baseline 0.81`, or `schedule: every 3600000 ms`. */
  reason: string;
  run: string | null;
  /** For a drop: since when it was seen (the run's model is calibrated from then on), epoch millis. */
  since: number | null;
  /** `starting`, `running`, `kept`, `rolledback`, `unchanged`, `failed: …`, `stopped`. */
  outcome: string;
  baseline: number | null;
  fitness: number | null;
}

/** What to do at this tick. */
export type AutoDecision =
  | { action: 'start'; reason: string; baseline: number | null; fitness: number | null }
  | { action: 'held'; reason: string; wanted: string }
  | null;

/** Fewest samples that make a baseline. */
export const MIN_BASELINE_SAMPLES = 5;
/** How long after the leader refused a self-started run it is tried again, in millis. */
export const AUTO_RETRY_MS = 5000;
/**
 * Self-started runs for one drop, at most: while a run's best is not kept (the keep rule rolled
 * it back, or it was not worth a trial), the baseline before the drop stands and, after the
 * cool-down, another run starts with the model corrected by the failed trial; after this many
 * the new level is accepted as the baseline.
 */
export const MAX_RUNS_PER_DROP = 3;

/** A state with nothing learned yet. */
export function initialAutoEvolution(): AutoEvolutionState {
  return { samples: [], quietUntil: 0, scheduleFrom: null, dropSince: null, held: null, last: null, retries: 0 };
}

/** The mean of the baseline samples, or null when there are fewer than {@link MIN_BASELINE_SAMPLES}. */
export function baselineOf(state: AutoEvolutionState): number | null {
  if (state.samples.length < MIN_BASELINE_SAMPLES) return null;
  return state.samples.reduce((s, x) => s + x.fitness, 0) / state.samples.length;
}

/** Whether `fitness` is more than `dropPct` percent below `baseline`. */
export function isDrop(fitness: number, baseline: number, dropPct: number): boolean {
  // A hair of tolerance: 0.72 is not below 0.8 × 0.9 = 0.7200000000000001.
  return fitness < baseline * (1 - dropPct / 100) - 1e-9;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * One tick. A drop counts once it has lasted `confirmMs` without recovering to within half the
 * threshold of the baseline. The baseline is the mean measured fitness over `baselineMs` up to
 * its newest measurement, leaving out measurements more than half the threshold below it (a
 * drop does not lower its own baseline: it holds until a run has started and ended, or the
 * fitness recovers), those taken while a run or trial is under way, and those of the cool-down
 * after it (the trial's own effects start nothing). A run is wanted on a drop or when the
 * schedule is due; it starts only with a leader, no rebalancing, nothing under way and no
 * cool-down, else it is held, and the reason is reported once.
 */
export function decideAutoEvolution(
  state: AutoEvolutionState,
  settings: AutoEvolutionSettings,
  obs: AutoObservation,
): { state: AutoEvolutionState; decision: AutoDecision } {
  const { now } = obs;
  // The span ends at the newest sample, not now: a baseline holds while the fitness stays low.
  const newest = state.samples[state.samples.length - 1]?.at ?? now;
  let samples = state.samples.filter((s) => s.at > Math.min(now, newest) - settings.baselineMs);
  const baseline = baselineOf({ ...state, samples });
  const dropped = obs.fitness !== null && baseline !== null && isDrop(obs.fitness, baseline, settings.dropPct);
  // Hysteresis: between half the threshold and the threshold, a fitness is neither a recovery
  // (a falling ramp must not restart the confirmation) nor part of the baseline.
  const recovered = obs.fitness !== null && (baseline === null || !isDrop(obs.fitness, baseline, settings.dropPct / 2));
  if (recovered && obs.busy === null && now >= state.quietUntil) {
    samples = [...samples, { at: now, fitness: obs.fitness as number }];
  }
  const dropSince = dropped ? (state.dropSince ?? now) : recovered ? null : state.dropSince;
  if (!settings.enabled) {
    return { state: { ...state, samples, dropSince, scheduleFrom: null, held: null }, decision: null };
  }
  const scheduleFrom = state.scheduleFrom ?? now;
  let wanted: string | null = null;
  if (dropped && now - (dropSince as number) >= settings.confirmMs) {
    const below = 1 - (obs.fitness as number) / (baseline as number);
    wanted = `drop: fitness ${(obs.fitness as number).toFixed(3)} is ${pct(below)} below baseline ${(baseline as number).toFixed(3)}`;
  } else if (settings.scheduleMs > 0 && now - scheduleFrom >= settings.scheduleMs) {
    wanted = `schedule: every ${settings.scheduleMs} ms`;
  }
  const next = { ...state, samples, dropSince, scheduleFrom };
  if (wanted === null) return { state: { ...next, held: null }, decision: null };
  let hold: string | null = null;
  if (obs.busy !== null) hold = obs.busy;
  else if (now < state.quietUntil) hold = `cooling down for ${state.quietUntil - now} ms`;
  else if (obs.leader === null) hold = 'no leader';
  else if (obs.rebalancing) hold = 'rebalancing';
  if (hold !== null) {
    // A cool-down counts down: the same hold, reported once.
    const key = hold.startsWith('cooling down') ? 'cooling down' : hold;
    const first = state.held !== key;
    return { state: { ...next, held: key }, decision: first ? { action: 'held', reason: hold, wanted } : null };
  }
  return {
    state: {
      ...next,
      held: null,
      scheduleFrom: now,
      dropSince: null,
      last: {
        at: now,
        reason: wanted,
        run: null,
        since: wanted.startsWith('drop') ? dropSince : null,
        outcome: 'starting',
        baseline,
        fitness: obs.fitness,
      },
    },
    decision: { action: 'start', reason: wanted, baseline, fitness: obs.fitness },
  };
}

/** The leader started the self-started run `run`. */
export function noteAutoStarted(state: AutoEvolutionState, run: string): AutoEvolutionState {
  return state.last ? { ...state, last: { ...state.last, run, outcome: 'running' } } : state;
}

/** The leader refused it (no leader, a run or a rebalance it saw first): tried again after {@link AUTO_RETRY_MS}. */
export function noteAutoRefused(state: AutoEvolutionState, now: number, why: string): AutoEvolutionState {
  return {
    ...state,
    quietUntil: now + AUTO_RETRY_MS,
    last: state.last ? { ...state.last, outcome: `failed: ${why}` } : null,
  };
}

/**
 * A run or a trial ended (`outcome`: kept, rolledback, unchanged, stopped, …): the cool-down
 * begins and the baseline is relearned after it, under the configuration now in force — except
 * when a self-started run for a drop did not fix it (its best rolled back, skipped or unchanged,
 * or kept but `measured` still a drop below the baseline before it): then the baseline before the
 * drop stands, so another run starts after the cool-down (at most {@link MAX_RUNS_PER_DROP} for
 * one drop), on the model corrected by the trial. A kept trial that only partly fixed the drop
 * (a crash loop at 0.708 → 0.745 against 0.989 healthy, where 0.93 was to be had) used to end
 * the drop's runs: the low level became the baseline.
 */
export function noteAutoQuiet(
  state: AutoEvolutionState,
  now: number,
  cooldownMs: number,
  run?: string,
  outcome?: string,
  measured?: { fitness: number; dropPct: number },
): AutoEvolutionState {
  const ours = state.last !== null && run !== undefined && state.last.run === run && outcome !== undefined;
  const last = ours ? { ...(state.last as AutoRun), outcome: outcome as string } : state.last;
  const quiet = { ...state, dropSince: null, quietUntil: Math.max(state.quietUntil, now + cooldownMs), last };
  const baseline = state.last?.baseline ?? null;
  const partly =
    outcome === 'kept' &&
    measured !== undefined &&
    baseline !== null &&
    isDrop(measured.fitness, baseline, measured.dropPct);
  const unfixed = ours && (outcome === 'rolledback' || outcome === 'skipped' || outcome === 'unchanged' || partly);
  const retries = (state.retries ?? 0) + 1;
  if (unfixed && baseline !== null && state.last?.since !== null && retries < MAX_RUNS_PER_DROP) {
    const standing = Array.from({ length: MIN_BASELINE_SAMPLES }, () => ({ at: now, fitness: baseline }));
    return { ...quiet, samples: standing, retries };
  }
  return { ...quiet, samples: [], retries: ours ? 0 : (state.retries ?? 0) };
}

/** Self-started evolution as the adaptive-config cell reports it (`auto` in its status; `hms evolve auto status`). */
export interface AutoEvolutionStatus {
  enabled: boolean;
  /** The mean measured fitness the drop is judged against; null while learning. */
  baseline: number | null;
  /** The fitness measured at the last tick; null when no calls were measured. */
  fitness: number | null;
  /** When the cell last looked, epoch millis (every second). */
  checkedAt: number;
  dropPct: number;
  scheduleMs: number;
  baselineMs: number;
  cooldownMs: number;
  /** Until when nothing starts by itself, epoch millis. */
  quietUntil: number;
  /** When the schedule is due next, epoch millis; null when off. */
  nextScheduledAt: number | null;
  /** Why a wanted run is held now; null: none. */
  held: string | null;
  last: AutoRun | null;
  /** The run under way, as the cell saw it start. */
  run: { run: string; islands: number; done: number[]; by: string } | null;
}
