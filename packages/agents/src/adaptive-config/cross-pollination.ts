import type { Trial } from './adaptive-config-state.js';

/** One offer: the settings kept for edge `from`, offered to edge `to` (the same callee type). */
export interface Seeding {
  /** The edge whose kept settings are offered, `<caller type>:<callee type>`. */
  from: string;
  /** The edge they are offered to. */
  to: string;
  /** The seed: `to`'s scoped keys with `from`'s kept values. */
  set: Record<string, number>;
}

/** Seeds offered to one run, at most. */
export const MAX_SEEDS = 4;

const EDGE_KEY = /^(.+)@edge:([^:]+):([^:]+)$/;

/**
 * Cross-pollination: the edge settings kept by earlier trials (and still in force), offered as
 * seeds for a run's first generation to the edges it tunes that call the same callee type from
 * another caller type — a timeout or breaker that fixed `A → B` is a good first guess for
 * `C → B`. Newest kept trial first; an edge already given its own value is offered nothing.
 */
export function crossPollinate(
  trials: readonly Trial[],
  tunedEdges: readonly string[],
  inForce: Record<string, number>,
): Seeding[] {
  const kept = new Map<string, Record<string, number>>();
  for (const trial of [...trials].reverse()) {
    if (trial.outcome !== 'kept') continue;
    for (const [key, value] of Object.entries(trial.candidate)) {
      const m = EDGE_KEY.exec(key);
      if (!m || inForce[key] !== value) continue;
      const [, base, caller, callee] = m as unknown as [string, string, string, string];
      const edge = `${caller}:${callee}`;
      const settings = kept.get(edge) ?? {};
      settings[base] ??= value;
      kept.set(edge, settings);
    }
  }
  const out: Seeding[] = [];
  for (const to of tunedEdges) {
    const [caller, callee] = to.split(':');
    for (const [from, settings] of kept) {
      const [fromCaller, fromCallee] = from.split(':');
      if (fromCallee !== callee || fromCaller === caller) continue;
      const set = Object.fromEntries(Object.entries(settings).map(([base, v]) => [`${base}@edge:${to}`, v]));
      if (Object.keys(set).some((k) => inForce[k] !== undefined)) continue;
      out.push({ from, to, set });
    }
  }
  return out.slice(0, MAX_SEEDS);
}
