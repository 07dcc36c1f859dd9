/**
 * A GA in plain TypeScript, written as fast as TypeScript allows, with the contract's operators
 * and PRNG (native/ga): tournament selection, bounded SBX (DEAP's formula, each gene
 * crossed with probability 0.5), bounded polynomial mutation, elitism, the diversity measure and
 * the adaptive mutation rate. It is the baseline `bench/ga.bench.mjs` measures the native
 * `Population` against: one core, typed arrays only, nothing allocated per generation.
 */
import type { BatchObjective } from './objectives.js';
import { Xoshiro128 } from './rng.js';

/** Options of {@link PureTsGa}; the defaults are the contract's. */
export interface PureTsGaOptions {
  dim: number;
  /** Individuals, >= 4; default 100. */
  size?: number;
  /** PRNG seed, 0..2^32-1. */
  seed: number;
  lower: number;
  upper: number;
  /** Evaluates `count` genomes from row `offset` into `out[offset..]`. */
  objective: BatchObjective;
  /** Default 2. */
  tournamentSize?: number;
  /** Default 0.9. */
  crossoverRate?: number;
  /** Default 15. */
  sbxEta?: number;
  /** Per gene; default 1/dim. */
  mutationRate?: number;
  /** Default 20. */
  mutationEta?: number;
  /** Default 2. */
  elitism?: number;
  /** Scale the mutation rate by targetDiversity / diversity (clamped to 0.5..4); default false. */
  adaptiveMutation?: boolean;
  /** Diversity the adaptive rate steers to; default 0.1. */
  targetDiversity?: number;
}

/** What {@link PureTsGa.step} returns. */
export interface PureTsGaStats {
  generation: number;
  evaluations: number;
  best: number;
  diversity: number;
  mutationRate: number;
}

/** The population and its two generation buffers (swapped, never reallocated). */
export class PureTsGa {
  readonly dim: number;
  readonly size: number;
  private readonly rng: Xoshiro128;
  private readonly objective: BatchObjective;
  private readonly lower: number;
  private readonly upper: number;
  private readonly tournamentSize: number;
  private readonly crossoverRate: number;
  private readonly sbxEta: number;
  private readonly sbxSqrts: number;
  private readonly baseMutationRate: number;
  private readonly mutationEta: number;
  private readonly elitism: number;
  private readonly adaptive: boolean;
  private readonly targetDiversity: number;
  // One spare row: the second child of the last pair when size − elitism is odd.
  private genomes: Float64Array;
  private next: Float64Array;
  private fitness: Float64Array;
  private nextFitness: Float64Array;
  private readonly elites: Int32Array;
  private readonly geneSum: Float64Array;
  private readonly geneSumSq: Float64Array;
  private mutationRate: number;
  private lnQRate = -1;
  private lnQ = 0;
  private diversity = 0;
  private generation = 0;
  private evaluations = 0;

  constructor(options: PureTsGaOptions) {
    this.dim = options.dim;
    this.size = options.size ?? 100;
    this.rng = new Xoshiro128(options.seed);
    this.objective = options.objective;
    this.lower = options.lower;
    this.upper = options.upper;
    this.tournamentSize = options.tournamentSize ?? 2;
    this.crossoverRate = options.crossoverRate ?? 0.9;
    this.sbxEta = options.sbxEta ?? 15;
    this.sbxSqrts = sqrtCount(this.sbxEta + 1);
    this.baseMutationRate = options.mutationRate ?? 1 / this.dim;
    this.mutationEta = options.mutationEta ?? 20;
    this.elitism = options.elitism ?? 2;
    this.adaptive = options.adaptiveMutation ?? false;
    this.targetDiversity = options.targetDiversity ?? 0.1;
    this.mutationRate = this.baseMutationRate;
    const rows = this.size + 1;
    this.genomes = new Float64Array(rows * this.dim);
    this.next = new Float64Array(rows * this.dim);
    this.fitness = new Float64Array(rows);
    this.nextFitness = new Float64Array(rows);
    this.elites = new Int32Array(this.elitism);
    this.geneSum = new Float64Array(this.dim);
    this.geneSumSq = new Float64Array(this.dim);
    const range = this.upper - this.lower;
    for (let i = 0; i < this.size * this.dim; i++) this.genomes[i] = this.lower + this.rng.nextDouble() * range;
    this.objective(this.genomes, 0, this.size, this.fitness);
    this.evaluations = this.size;
    this.updateDiversity();
  }

  /** Runs `generations` generations; returns the statistics after the last. */
  step(generations: number): PureTsGaStats {
    for (let g = 0; g < generations; g++) this.generationOnce();
    return this.stats();
  }

  stats(): PureTsGaStats {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.size; i++) if (this.fitness[i]! < best) best = this.fitness[i]!;
    return {
      generation: this.generation,
      evaluations: this.evaluations,
      best,
      diversity: this.diversity,
      mutationRate: this.mutationRate,
    };
  }

  private generationOnce(): void {
    const { dim, size, elitism } = this;
    const genomes = this.genomes;
    const next = this.next;
    this.findElites();
    for (let e = 0; e < elitism; e++) {
      const from = this.elites[e]!;
      copyRow(genomes, from * dim, next, e * dim, dim);
      this.nextFitness[e] = this.fitness[from]!;
    }
    for (let child = elitism; child < size; child += 2) {
      const a = this.tournament();
      const b = this.tournament();
      const rowA = child * dim;
      const rowB = rowA + dim; // the spare row when child + 1 === size
      copyRow(genomes, a * dim, next, rowA, dim);
      copyRow(genomes, b * dim, next, rowB, dim);
      if (this.rng.nextDouble() < this.crossoverRate) this.sbx(rowA, rowB);
      this.mutate(rowA);
      this.mutate(rowB);
    }
    this.objective(next, elitism, size - elitism, this.nextFitness);
    this.evaluations += size - elitism;
    this.genomes = next;
    this.next = genomes;
    const f = this.fitness;
    this.fitness = this.nextFitness;
    this.nextFitness = f;
    this.generation++;
    this.updateDiversity();
  }

  /** Indices of the `elitism` best, best first (a partial selection: elitism is small). */
  private findElites(): void {
    const { elites, fitness, size } = this;
    const count = elites.length;
    for (let e = 0; e < count; e++) {
      let best = -1;
      let bestFit = Number.POSITIVE_INFINITY;
      for (let i = 0; i < size; i++) {
        const fi = fitness[i]!;
        if (fi < bestFit || best < 0) {
          let taken = false;
          for (let k = 0; k < e; k++) if (elites[k] === i) taken = true;
          if (!taken) {
            best = i;
            bestFit = fi;
          }
        }
      }
      elites[e] = best;
    }
  }

  private tournament(): number {
    let winner = this.rng.nextIndex(this.size);
    for (let t = 1; t < this.tournamentSize; t++) {
      const other = this.rng.nextIndex(this.size);
      if (this.fitness[other]! < this.fitness[winner]!) winner = other;
    }
    return winner;
  }

  /**
   * DEAP's cxSimulatedBinaryBounded on rows `ra` and `rb` of `next`: each gene crossed with
   * probability 0.5, children clamped and swapped with probability 0.5. The two per-gene coins
   * are bits of 32-bit draws (as native/ga does), the spread draw a full double.
   */
  private sbx(ra: number, rb: number): void {
    const { next, rng, dim, lower: xl, upper: xu } = this;
    const eta1 = this.sbxEta + 1;
    const power = 1 / eta1;
    const sqrts = this.sbxSqrts;
    let crossBits = 0;
    let swapBits = 0;
    for (let i = 0; i < dim; i++) {
      if ((i & 31) === 0) crossBits = rng.nextU32();
      const cross = crossBits & 1;
      crossBits >>>= 1;
      if (cross === 0) continue;
      const p1 = next[ra + i]!;
      const p2 = next[rb + i]!;
      const x1 = Math.min(p1, p2);
      const x2 = Math.max(p1, p2);
      const spread = x2 - x1;
      if (spread <= 1e-14) continue;
      const u = rng.nextDouble();
      const alpha1 = 2 - 1 / pow(1 + (2 * (x1 - xl)) / spread, eta1);
      const alpha2 = 2 - 1 / pow(1 + (2 * (xu - x2)) / spread, eta1);
      const v1 = u * alpha1;
      const q1 = root(v1 <= 1 ? v1 : 1 / (2 - v1), power, sqrts);
      // Far from both bounds both alphas round to 2: one root serves both children.
      let q2 = q1;
      if (alpha2 !== alpha1) {
        const v2 = u * alpha2;
        q2 = root(v2 <= 1 ? v2 : 1 / (2 - v2), power, sqrts);
      }
      const c1 = Math.min(Math.max(0.5 * (x1 + x2 - q1 * spread), xl), xu);
      const c2 = Math.min(Math.max(0.5 * (x1 + x2 + q2 * spread), xl), xu);
      // A marker bit on top: 31 coins come out before the next refill.
      if (swapBits <= 1) swapBits = ((rng.nextU32() >>> 1) | 0x80000000) >>> 0;
      const swap = swapBits & 1;
      swapBits >>>= 1;
      if (swap === 1) {
        next[ra + i] = c2;
        next[rb + i] = c1;
      } else {
        next[ra + i] = c1;
        next[rb + i] = c2;
      }
    }
  }

  /**
   * DEAP's mutPolynomialBounded on row `r` of `next`, each gene with the current rate. Below a
   * rate of 0.5 it skips straight to the next mutated gene by a geometric draw (the same
   * distribution as one coin per gene, one draw per mutation), as native/ga does.
   */
  private mutate(r: number): void {
    const { rng, dim, mutationRate } = this;
    if (mutationRate <= 0) return;
    if (mutationRate >= 0.5) {
      const threshold = mutationRate * 4294967296;
      for (let i = 0; i < dim; i++) if (rng.nextU32() < threshold) this.mutateGene(r + i);
      return;
    }
    // ln(1 − rate) once per rate, not per genome (as native/ga does).
    if (mutationRate !== this.lnQRate) {
      this.lnQRate = mutationRate;
      this.lnQ = Math.log(1 - mutationRate);
    }
    const lnQ = this.lnQ;
    let i = rng.geometric(lnQ);
    while (i < dim) {
      this.mutateGene(r + i);
      i += 1 + rng.geometric(lnQ);
    }
  }

  private mutateGene(at: number): void {
    const { next, rng, lower: xl, upper: xu } = this;
    const eta1 = this.mutationEta + 1;
    const power = 1 / eta1;
    const range = xu - xl;
    const x = next[at]!;
    const u = rng.nextDouble();
    let deltaQ: number;
    if (u < 0.5) {
      const xy = 1 - (x - xl) / range;
      deltaQ = root(2 * u + (1 - 2 * u) * pow(xy, eta1), power, -1) - 1;
    } else {
      const xy = 1 - (xu - x) / range;
      deltaQ = 1 - root(2 * (1 - u) + 2 * (u - 0.5) * pow(xy, eta1), power, -1);
    }
    next[at] = Math.min(Math.max(x + deltaQ * range, xl), xu);
  }

  /** Mean over genes of std(gene) / range, then the adaptive rate from it. */
  private updateDiversity(): void {
    const { genomes, dim, size, geneSum, geneSumSq } = this;
    geneSum.fill(0);
    geneSumSq.fill(0);
    for (let k = 0; k < size; k++) {
      const row = k * dim;
      for (let i = 0; i < dim; i++) {
        const v = genomes[row + i]!;
        geneSum[i]! += v;
        geneSumSq[i]! += v * v;
      }
    }
    let total = 0;
    for (let i = 0; i < dim; i++) {
      const mean = geneSum[i]! / size;
      const variance = geneSumSq[i]! / size - mean * mean;
      total += Math.sqrt(Math.max(variance, 0));
    }
    this.diversity = total / dim / (this.upper - this.lower);
    if (this.adaptive) {
      const ratio = this.diversity > 0 ? this.targetDiversity / this.diversity : 4;
      const scale = ratio < 0.5 ? 0.5 : Math.min(ratio, 4);
      const rate = this.baseMutationRate * scale;
      this.mutationRate = Math.min(rate, 1);
    }
  }
}

// `**` costs ~45 ns in V8 (a full libm pow); the operators only need x^k for the whole k = eta + 1
// and x^(1/k) for x > 0, which these compute in a few ns. Same formula, last-bit rounding aside.

/** x^k: by squaring when k is a whole number (eta is, by default), else Math.pow. */
function pow(x: number, k: number): number {
  if ((k | 0) !== k || k < 0) return x ** k;
  let result = 1;
  let base = x;
  let e = k;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e >>= 1;
  }
  return result;
}

/** x^p for x >= 0, p = 1/(eta + 1); by `sqrts` square roots when eta + 1 = 2^sqrts (the default 15). */
function root(x: number, p: number, sqrts: number): number {
  if (sqrts >= 0) {
    let r = x;
    for (let i = 0; i < sqrts; i++) r = Math.sqrt(r);
    return r;
  }
  return x > 0 ? Math.exp(Math.log(x) * p) : 0;
}

/** log2(k) when k is a power of two (1..2^30), else -1. */
function sqrtCount(k: number): number {
  if ((k | 0) !== k || k < 1 || (k & (k - 1)) !== 0) return -1;
  return 31 - Math.clz32(k);
}

/** Copies `dim` values; a plain loop, as `set(subarray())` allocates a view per call. */
function copyRow(from: Float64Array, fromOffset: number, to: Float64Array, toOffset: number, dim: number): void {
  for (let i = 0; i < dim; i++) to[toOffset + i] = from[fromOffset + i]!;
}
