import type { CallSettingKey, ConfigKey } from '@hms/runtime';

/** One setting the swarm objective tunes: a whole number within a range safe to apply live. */
export interface SwarmGene {
  /** A swarm-wide key, or a scoped one (`request.timeoutMs@edge:A:B`) for a run's edge genes. */
  key: ConfigKey | string;
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
 * intensity and backoff, and three strategy genes: the backoff shape, the supervision strategy
 * and the placement policy.
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
  { key: 'placement.policy', min: 0, max: 2, choices: ['spread', 'fill', 'affinity'] },
];

/**
 * The settings of one dependency edge a run may tune besides the swarm-wide ones, with the
 * ranges of their swarm-wide genes: stored as `<key>@edge:<caller type>:<callee type>`.
 */
export const EDGE_GENE_KEYS: readonly CallSettingKey[] = [
  'request.timeoutMs',
  'breaker.failureThreshold',
  'breaker.resetTimeoutMs',
  'stigmergy.avoidStrength',
];

/**
 * How many edges a run tunes settings of, at most: the genome always has room for this many
 * (a slot no edge fills is ignored), so every island of every run has the same genome length.
 */
export const EDGE_SLOTS = 2;

/** The genome length of the swarm objective: the swarm-wide genes, then {@link EDGE_SLOTS} edges' genes. */
export const SWARM_GENOME_DIM = SWARM_GENES.length + EDGE_SLOTS * EDGE_GENE_KEYS.length;

/** One edge's genes (`edge` is `<caller type>:<callee type>`). */
export function edgeGenes(edge: string): SwarmGene[] {
  return EDGE_GENE_KEYS.map((key) => {
    const g = SWARM_GENES.find((x) => x.key === key) as SwarmGene;
    return { key: `${key}@edge:${edge}`, min: g.min, max: g.max };
  });
}

/** Every gene of a genome whose slots hold `edges` (at most {@link EDGE_SLOTS}), in genome order; empty slots left out. */
export function genesOf(edges: readonly string[] = []): SwarmGene[] {
  return [...SWARM_GENES, ...edges.slice(0, EDGE_SLOTS).flatMap(edgeGenes)];
}

/** The bounds of every position of the swarm genome (an empty slot has its gene's range too). */
export function genomeBounds(): { lower: number[]; upper: number[] } {
  const slot = edgeGenes('_:_');
  const all = [...SWARM_GENES, ...Array.from({ length: EDGE_SLOTS }, () => slot).flat()];
  return { lower: all.map((g) => g.min), upper: all.map((g) => g.max) };
}

/** How a gene's value reads: a strategy's name for a strategy gene, else the number. */
export function geneValueText(key: string, value: number): string {
  const gene = SWARM_GENES.find((g) => g.key === key);
  return gene?.choices?.[value] ?? String(value);
}

/** A candidate configuration: a value for every {@link SWARM_GENES} key, and for the run's edge genes. */
export type SwarmCandidate = Partial<Record<ConfigKey, number>> & Record<string, number>;

/**
 * The configuration a genome stands for (genes rounded and clamped into their range): the
 * swarm-wide settings, and the settings of `edges` in the genome's edge slots, as scoped keys.
 */
export function decodeSwarmGenome(
  genome: ArrayLike<number>,
  offset = 0,
  edges: readonly string[] = [],
): SwarmCandidate {
  const out: SwarmCandidate = {};
  genesOf(edges).forEach((g, i) => {
    const v = Math.round(genome[offset + i] ?? g.min);
    out[g.key] = Math.min(g.max, Math.max(g.min, v));
  });
  return out;
}

/**
 * The genome of a configuration (keys it lacks take their gene's lower bound; an edge slot's
 * genes take the edge's value in force: its scoped value, else the callee type's, else the
 * swarm-wide one).
 */
export function encodeSwarmGenome(config: Partial<Record<string, number>>, edges: readonly string[] = []): number[] {
  const slots = edges.slice(0, EDGE_SLOTS);
  const genes = SWARM_GENES.map((g) => Math.min(g.max, Math.max(g.min, config[g.key] ?? g.min)));
  for (let s = 0; s < EDGE_SLOTS; s++) {
    const edge = slots[s];
    for (const key of EDGE_GENE_KEYS) {
      const g = SWARM_GENES.find((x) => x.key === key) as SwarmGene;
      const callee = edge?.split(':')[1];
      const v =
        (edge === undefined ? undefined : config[`${key}@edge:${edge}`]) ??
        (callee === undefined ? undefined : config[`${key}@to:${callee}`]) ??
        config[key] ??
        g.min;
      genes.push(Math.min(g.max, Math.max(g.min, v)));
    }
  }
  return genes;
}
