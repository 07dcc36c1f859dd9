#!/usr/bin/env node
// Do two builds of the native addon run the GA identically? For changes meant to make it faster
// without changing its runs: `node bench/ga/same-runs.mjs <old .node> <new .node>` steps both
// builds 600 generations with the same options in several configurations (the defaults with
// the CMA-ES local search and adaptive mutation, rotated, every crossover, mutation and
// selection kind, a high mutation rate, integer genes through `stepWith`) and compares the final
// genomes, fitness and PRNG state. Exit 1 when any differ.
import { createRequire } from 'node:module';

const [oldPath, newPath] = process.argv.slice(2);
if (!oldPath || !newPath) {
  process.stderr.write('usage: node bench/ga/same-runs.mjs <old hms-native .node> <new hms-native .node>\n');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const builds = [require(oldPath), require(newPath)];
const CASES = [
  { dim: 30, size: 100, seed: 5, objective: 'rastrigin', problemSeed: 3, shift: true },
  { dim: 30, size: 100, seed: 6, objective: 'rastrigin', problemSeed: 3, shift: true, rotate: true },
  {
    dim: 10,
    size: 40,
    seed: 7,
    objective: 'ackley',
    problemSeed: 2,
    shift: true,
    crossover: 'blend',
    mutation: 'gaussian',
  },
  {
    dim: 7,
    size: 31,
    seed: 8,
    objective: 'sphere',
    problemSeed: 2,
    shift: true,
    crossover: 'uniform',
    selection: 'rank',
    sbxEta: 3,
    mutationEta: 5,
  },
  { dim: 30, size: 101, seed: 9, objective: 'rosenbrock', problemSeed: 4, shift: true, mutationRate: 0.6 },
  {
    dim: 5,
    size: 20,
    seed: 10,
    lower: [0, 0, 0, -3, 1],
    upper: [10, 10, 1, 3, 2],
    integer: [true, false, true, false, false],
  },
];
const GENERATIONS = 600;

let differ = 0;
for (const c of CASES) {
  const evaluate = (genomes, count) => {
    const out = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      let s = 0;
      for (let i = 0; i < c.dim; i++) s += (genomes[k * c.dim + i] - 0.3 * i) ** 2;
      out[k] = s;
    }
    return out;
  };
  const [a, b] = builds.map((addon) => {
    const pop = new addon.Population(c, c, undefined);
    const stats = c.objective ? pop.step(GENERATIONS) : pop.stepWith(GENERATIONS, evaluate);
    const s = pop.exportState();
    return { stats, text: JSON.stringify([stats, [...s.genomes], [...s.fitness], s.rng]) };
  });
  const same = a.text === b.text;
  if (!same) differ++;
  console.log(
    `${c.objective ?? 'stepWith'} ${c.dim}-D × ${c.size}: best ${a.stats.best} / ${b.stats.best}, ${a.stats.evaluations} / ${b.stats.evaluations} evaluations: ${same ? 'identical' : 'DIFFERENT'}`,
  );
}
process.exit(differ ? 1 : 0);
