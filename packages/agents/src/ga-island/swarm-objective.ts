import type { Individuals } from '@hms/runtime/native-population';
import { decodeSwarmGenome, encodeSwarmGenome, genesOf, type SwarmCandidate } from '../evolution/swarm-genes.js';
import { type SwarmCalibration, swarmCost } from '../evolution/swarm-model.js';

/**
 * The swarm objective of a run's islands: candidate configurations scored on the calibrated
 * model. The genome holds the swarm-wide genes and, in its edge slots, the genes of the edges
 * the calibration names (`tunedEdges`), applied as scoped keys (`request.timeoutMs@edge:A:B`).
 */

/** A batch objective: the cost of each of `count` genomes of `dim` genes. */
export function swarmObjective(cal: SwarmCalibration, dim: number) {
  const scratch = new Float64Array(cal.calls.at.length);
  const edges = cal.tunedEdges ?? [];
  const ranges = genesOf(edges);
  return (genomes: Float64Array, count: number): Float64Array => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++)
      out[i] = swarmCost(cal, decodeSwarmGenome(genomes, i * dim, edges), ranges, scratch);
    return out;
  };
}

/**
 * The candidate a genome stands for, without the edge settings that do not earn their place:
 * each scoped key is left out (the edge keeps the value in force) unless the model scores the
 * candidate better with it, so a run adds a scoped value only where it predicts a gain.
 */
export function swarmCandidateOf(cal: SwarmCalibration, genome: ArrayLike<number>): SwarmCandidate {
  const edges = cal.tunedEdges ?? [];
  const ranges = genesOf(edges);
  let best = decodeSwarmGenome(genome, 0, edges);
  let cost = swarmCost(cal, best, ranges);
  for (const key of Object.keys(best).filter((k) => k.includes('@'))) {
    const { [key]: _dropped, ...without } = best;
    const c = swarmCost(cal, without as SwarmCandidate, ranges);
    if (c <= cost) {
      best = without as SwarmCandidate;
      cost = c;
    }
  }
  return best;
}

/**
 * The calibration's seeds (cross-pollination: settings kept for one edge offered to a similar
 * one) as scored migrants for a new population's first generation; none when it has none.
 */
export function seedIndividuals(cal: SwarmCalibration, dim: number): Individuals | undefined {
  const seeds = cal.seeds ?? [];
  if (seeds.length === 0) return undefined;
  const genomes = Float64Array.from(
    seeds.flatMap((s) => encodeSwarmGenome({ ...cal.config, ...s }, cal.tunedEdges ?? [])),
  );
  return { genomes, fitness: swarmObjective(cal, dim)(genomes, seeds.length) };
}
