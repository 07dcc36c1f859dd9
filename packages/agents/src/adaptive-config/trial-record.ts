import type { AdaptiveConfigContext, Trial } from './adaptive-config-state.js';

/** What a trial's end is called in `hms heal status`. */
export const HEAL_ACTION: Record<string, string> = {
  kept: 'evolve-keep',
  rolledback: 'evolve-rollback',
  unchanged: 'evolve-unchanged',
  failed: 'evolve-trial-failed',
  skipped: 'evolve-skip',
};

/** Trials the adaptive-config cell remembers (its status and the model's calibration pairs). */
const KEEP_TRIALS = 20;

/** The trial under way ended with `outcome` at `at`: it joins the ones remembered. */
export function finishTrial(
  context: AdaptiveConfigContext,
  outcome: Trial['outcome'],
  at: number,
  extra: Partial<Trial> = {},
): Pick<AdaptiveConfigContext, 'current' | 'trials'> {
  const done = { ...(context.current as Trial), outcome, ...extra, endedAt: at };
  return { current: null, trials: [...context.trials, done].slice(-KEEP_TRIALS) };
}

/** The run a trial tried the best of, when an evolution run started it. */
export function runOfTrial(trial: Trial | undefined): string | undefined {
  return trial?.by.startsWith('run ') ? trial.by.slice(4) : undefined;
}

/** Why no run may start now (a trial or a run under way), or null. `state` is the machine's state value. */
export function busyOf(context: AdaptiveConfigContext, state: unknown): string | null {
  if (context.current) return `trial ${context.current.id} under way`;
  if (state !== 'idle') return 'a trial is under way';
  if (context.active) return `run ${context.active.run} under way`;
  if (context.auto.last?.outcome === 'starting') return 'a self-started run is starting';
  return null;
}

/** When the drop that a self-started run was started for was seen; null for any other trial. */
export function dropOfTrial(context: AdaptiveConfigContext): number | null {
  const last = context.auto.last;
  const run = runOfTrial(context.current ?? undefined);
  return last !== null && run !== undefined && last.run === run ? last.since : null;
}
