import type { ConfigKey } from '@hms/runtime';

/** One setting the swarm objective tunes: a whole number within a range safe to apply live. */
export interface SwarmGene {
  key: ConfigKey;
  /** Lowest value tried (may be above the schema's minimum: evolution stays in a safe range). */
  min: number;
  max: number;
  /**
   * A strategy gene: the setting is an enumeration, each whole number one strategy, named here
   * (the GA's integer genome carries it like any other gene; the model scores each strategy).
   */
  choices?: readonly string[];
}

/**
 * The swarm settings evolution tunes, in genome order: request timeout, circuit-breaker
 * threshold and reset, stigmergy avoidance and mark lifetime, heartbeat interval, restart
 * intensity and backoff, and two strategy genes: the backoff shape and the supervision strategy.
 */
export const SWARM_GENES: readonly SwarmGene[] = [
  { key: 'request.timeoutMs', min: 20, max: 5000 },
  { key: 'breaker.failureThreshold', min: 1, max: 20 },
  { key: 'breaker.resetTimeoutMs', min: 100, max: 30_000 },
  { key: 'stigmergy.avoidStrength', min: 1, max: 50 },
  { key: 'stigmergy.markTtlMs', min: 500, max: 60_000 },
  { key: 'health.heartbeatMs', min: 250, max: 2000 },
  { key: 'supervision.maxRestarts', min: 1, max: 50 },
  { key: 'supervision.backoffBaseMs', min: 1, max: 2000 },
  { key: 'supervision.backoffShape', min: 0, max: 2, choices: ['exponential', 'constant', 'decorrelated'] },
  { key: 'supervision.strategy', min: 0, max: 2, choices: ['rest-for-one', 'one-for-one', 'escalate'] },
];

/** How a gene's value reads: a strategy's name for a strategy gene, else the number. */
export function geneValueText(key: string, value: number): string {
  const gene = SWARM_GENES.find((g) => g.key === key);
  return gene?.choices?.[value] ?? String(value);
}

/** A candidate configuration: a value for every {@link SWARM_GENES} key. */
export type SwarmCandidate = Partial<Record<ConfigKey, number>>;

/** The configuration a genome stands for (genes rounded and clamped into their range). */
export function decodeSwarmGenome(genome: ArrayLike<number>, offset = 0): SwarmCandidate {
  const out: SwarmCandidate = {};
  SWARM_GENES.forEach((g, i) => {
    const v = Math.round(genome[offset + i] ?? g.min);
    out[g.key] = Math.min(g.max, Math.max(g.min, v));
  });
  return out;
}

/** The genome of a configuration (keys it lacks take their gene's lower bound). */
export function encodeSwarmGenome(config: Partial<Record<string, number>>): number[] {
  return SWARM_GENES.map((g) => Math.min(g.max, Math.max(g.min, config[g.key] ?? g.min)));
}
