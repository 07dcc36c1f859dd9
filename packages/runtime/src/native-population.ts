/**
 * The native genetic algorithm (`native/ga`, bound by napi-rs): typed wrappers over the addon's
 * `Population` class and objective functions. The addon itself is loaded by `native.ts` only.
 */
import { loadNative, toNativeError } from './native.js';
import {
  checkArgument,
  checkShape,
  GA_PARAMETERS_SHAPE,
  LOCAL_SEARCH_SHAPE,
  POPULATION_OPTIONS_SHAPE,
  POPULATION_STATE_SHAPE,
} from './native-arguments.js';

export type ObjectiveName = 'sphere' | 'rastrigin' | 'rosenbrock' | 'ackley' | 'griewank' | 'schwefel';

/** The memetic step: a CMA-ES local search from the best individuals. */
export interface LocalSearchOptions {
  /** Run it every `every` generations; 0 = off. Default 25. */
  every: number;
  /** From the best `elites` individuals, 1..size. Default 1. */
  elites: number;
  /** At most `budget` evaluations per elite per run (they count as evaluations), >= 2. Default 3000. */
  budget: number;
}

/** Operator settings; every field optional; changeable between steps with `setParameters`. */
export interface GaParameters {
  /** Parent selection; default 'tournament'. */
  selection?: 'tournament' | 'rank';
  /** Individuals per tournament, 1..size; default 2. */
  tournamentSize?: number;
  /** Recombination; default 'sbx' (DEAP's cxSimulatedBinaryBounded). */
  crossover?: 'sbx' | 'blend' | 'uniform';
  /** Probability that a pair is recombined, 0..1; default 0.9. */
  crossoverRate?: number;
  /** SBX distribution index, > 0; default 15. */
  sbxEta?: number;
  /** BLX-alpha, >= 0; default 0.5. */
  blendAlpha?: number;
  /** Per-gene mutation; default 'polynomial' (DEAP's mutPolynomialBounded). */
  mutation?: 'polynomial' | 'gaussian';
  /** Per-gene mutation probability, 0..1; default 1/dim. */
  mutationRate?: number;
  /** Polynomial mutation distribution index, > 0; default 20. */
  mutationEta?: number;
  /** Gaussian sigma as a fraction of the gene's range, > 0; default 0.1. */
  gaussianSigma?: number;
  /** Best individuals copied unchanged, 0..size-1; default 2. */
  elitism?: number;
  /** Scale the mutation rate by clamp(targetDiversity / diversity, 0.5, 4); default true. */
  adaptiveMutation?: boolean;
  /** Diversity the adaptive rate steers towards, > 0; default 0.003 (addition to the spec; tuned). */
  targetDiversity?: number;
  /** External multiplier of the mutation rate (raised while health is degraded), >= 0; default 1. */
  mutationBoost?: number;
  /** The memetic step; default { every: 25, elites: 1, budget: 3000 } (CMA-ES, λ = 20 + dim); every 0 = off. */
  localSearch?: LocalSearchOptions;
  /** Builtin objectives evaluated on several threads: 'auto' (when it pays, measured), 'on', 'off'. */
  parallel?: 'auto' | 'on' | 'off';
}

/** Options of {@link createPopulation}: the problem plus {@link GaParameters}. */
export interface PopulationOptions extends GaParameters {
  /** Genes per genome, 1..10000. */
  dim: number;
  /** Individuals, >= 4; default 100. */
  size?: number;
  /** Seed of the run, a whole number 0..2^32-1: same seed + same options = same run. */
  seed: number;
  /** A builtin objective; omitted: evaluated through `stepWith`'s callback. */
  objective?: ObjectiveName;
  /** Seed of the problem instance (shift, rotation); default `seed`. */
  problemSeed?: number;
  /** Shift the optimum (drawn in 0.8 × the bounds); default true. */
  shift?: boolean;
  /** Rotate the problem by a random orthogonal matrix; default false. */
  rotate?: boolean;
  /** Lower bound, one for all genes or one per gene; required without objective, else default the objective's. */
  lower?: number | number[];
  /** Upper bound, like `lower`. */
  upper?: number | number[];
  /** Whole-number genes, one flag per gene; default all false. */
  integer?: boolean[];
}

/** A population's summary after a step. */
export interface PopulationStats {
  /** Generations done (with a callback, the first evaluates the random initial population). */
  generation: number;
  /** Objective evaluations done, local search included. */
  evaluations: number;
  /** Best fitness (NaN before the first evaluation). */
  best: number;
  /** Mean fitness. */
  mean: number;
  /** Worst fitness. */
  worst: number;
  /** Mean over genes of (std of the gene / its range), 0..~0.3. */
  diversity: number;
  /** Effective per-gene mutation rate in use. */
  mutationRate: number;
}

/** Individuals with their fitness. */
export interface Individuals {
  /** count × dim genes, row-major. */
  genomes: Float64Array;
  /** count fitness values. */
  fitness: Float64Array;
}

/**
 * A checkpoint: restoring it continues the run exactly where it was. Plain numbers only (it
 * is stored as msgpack in a cell snapshot).
 */
export interface PopulationState {
  dim: number;
  size: number;
  generation: number;
  evaluations: number;
  /** size × dim genes, row-major, best first. */
  genomes: number[];
  /** size fitness values, ascending (NaN = not evaluated yet). */
  fitness: number[];
  /** The four 32-bit xoshiro128** state words. */
  rng: number[];
  /** Every operator setting. */
  parameters: GaParameters;
  /**
   * Whether the last memetic step stalled, so the next one starts its searches from a
   * perturbed elite (basin hopping); absent = false (checkpoints from before it existed).
   */
  localSearchStalled?: boolean;
}

/** `shift` and `rotate` of a problem instance. */
export interface InstanceOptions {
  /** Default true. */
  shift?: boolean;
  /** Default false. */
  rotate?: boolean;
}

/** A problem instance, as {@link describeObjective} gives it. */
export interface ObjectiveDescription {
  /** Default lower bound of every gene. */
  lower: number;
  /** Default upper bound of every gene. */
  upper: number;
  /** The optimum o (f(o) = 0). */
  shift: Float64Array;
  /** The rotation M, dim × dim row-major, or null. */
  rotation: Float64Array | null;
}

/** `stepWith`'s callback: the fitness of `count` genomes (count × dim, row-major). */
export type EvaluateBatch = (genomes: Float64Array, count: number) => Float64Array | number[];

/** An instance of the addon's class, unwrapped: it throws plain errors. Use {@link Population}. */
export interface NativePopulation {
  readonly dim: number;
  readonly size: number;
  step(generations: number): PopulationStats;
  stepWith(generations: number, evaluate: EvaluateBatch): PopulationStats;
  best(): { genome: Float64Array; fitness: number };
  stats(): PopulationStats;
  exportMigrants(count: number): Individuals;
  importMigrants(migrants: Individuals): number;
  setParameters(parameters: GaParameters): void;
  exportState(): PopulationState;
}

/**
 * A GA population held in Rust memory: selection, crossover, mutation, elitism, a memetic
 * CMA-ES local search and diversity-adaptive mutation (contract: ga-spec.md). Create with
 * {@link createPopulation} or {@link restorePopulation}.
 */
export class Population {
  private readonly native: NativePopulation;
  /** Genes per genome. */
  readonly dim: number;
  /** Individuals. */
  readonly size: number;

  /** @internal Use {@link createPopulation}. */
  constructor(native: NativePopulation) {
    this.native = native;
    this.dim = native.dim;
    this.size = native.size;
  }

  /**
   * Runs `generations` generations on the builtin objective.
   * @throws NativeError when the population has no builtin objective.
   */
  step(generations: number): PopulationStats {
    try {
      checkArgument('generations', generations, 'number');
      return this.native.step(generations);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /**
   * Runs `generations` generations, evaluating through `evaluate`: ONE call per generation
   * (the first evaluates the random initial population), plus one per local-search iteration.
   * An error thrown by `evaluate` is rethrown as is; a wrong result length is a NativeError.
   */
  stepWith(generations: number, evaluate: EvaluateBatch): PopulationStats {
    let thrown: { error: unknown } | undefined;
    const guarded: EvaluateBatch = (genomes, count) => {
      try {
        return evaluate(genomes, count);
      } catch (error) {
        thrown = { error };
        throw error;
      }
    };
    try {
      checkArgument('generations', generations, 'number');
      checkArgument('evaluate', evaluate, 'function');
      return this.native.stepWith(generations, guarded);
    } catch (err) {
      if (thrown) throw thrown.error;
      throw toNativeError(err);
    }
  }

  /** The best genome and its fitness. */
  best(): { genome: Float64Array; fitness: number } {
    return this.native.best();
  }

  /** The current summary. */
  stats(): PopulationStats {
    return this.native.stats();
  }

  /** Copies of the best `count` individuals, best first. */
  exportMigrants(count: number): Individuals {
    try {
      checkArgument('count', count, 'number');
      return this.native.exportMigrants(count);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /**
   * Replaces the worst individuals by `migrants` (genomes clamped to the bounds); returns how
   * many were taken (at most size − elitism).
   * @throws NativeError when the genomes do not match dim × fitness.length.
   */
  importMigrants(migrants: Individuals): number {
    try {
      checkShape('migrants', migrants, { genomes: 'numbers', fitness: 'numbers' });
      return this.native.importMigrants(migrants);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /**
   * Changes the given operator settings; nothing changes when one is invalid.
   * @throws NativeError naming the bad field.
   */
  setParameters(parameters: GaParameters): void {
    try {
      checkShape('parameters', parameters, GA_PARAMETERS_SHAPE, { nested: NESTED });
      this.native.setParameters(parameters);
    } catch (err) {
      throw toNativeError(err);
    }
  }

  /** A checkpoint that {@link restorePopulation} continues exactly (RNG state included). */
  exportState(): PopulationState {
    return this.native.exportState();
  }
}

/**
 * Creates a random population (evaluated at once with a builtin objective).
 * @throws NativeError when the addon is not built, or naming the option when one is invalid.
 */
export function createPopulation(options: PopulationOptions): Population {
  const native = loadNative();
  try {
    checkShape('options', options, POPULATION_OPTIONS_SHAPE, { nested: NESTED });
    return new Population(new native.Population(options, options, undefined));
  } catch (err) {
    throw toNativeError(err);
  }
}

/**
 * Continues the run saved by {@link Population.exportState}. `options` must describe the same
 * problem (objective, dim, bounds); the operator settings come from `state`.
 * @throws NativeError naming the bad field or the inconsistent part of `state`.
 */
export function restorePopulation(options: PopulationOptions, state: PopulationState): Population {
  const native = loadNative();
  try {
    checkShape('options', options, POPULATION_OPTIONS_SHAPE, { nested: NESTED });
    checkShape('state', state, POPULATION_STATE_SHAPE, { nested: NESTED });
    return new Population(new native.Population(options, options, state));
  } catch (err) {
    throw toNativeError(err);
  }
}

/**
 * The instance (name, dim, problemSeed, shift, rotate) that every engine can be handed: its
 * default bounds, optimum and rotation (dim × dim row-major, or null).
 * @throws NativeError naming the bad argument.
 */
export function describeObjective(
  name: ObjectiveName,
  dim: number,
  problemSeed: number,
  options?: InstanceOptions,
): ObjectiveDescription {
  const native = loadNative();
  try {
    checkObjectiveArguments(name, dim, problemSeed, options);
    const described = native.describeObjective(name, dim, problemSeed, options);
    // napi gives undefined for Rust's None.
    return { ...described, rotation: described.rotation ?? null };
  } catch (err) {
    throw toNativeError(err);
  }
}

/**
 * The objective of each genome (count × dim, row-major) on that instance.
 * @throws NativeError naming the bad argument (e.g. a length not a multiple of dim).
 */
export function evaluateObjective(
  name: ObjectiveName,
  dim: number,
  problemSeed: number,
  options: InstanceOptions,
  genomes: Float64Array,
): Float64Array {
  const native = loadNative();
  try {
    checkObjectiveArguments(name, dim, problemSeed, options);
    checkArgument('genomes', genomes, 'Float64Array');
    return native.evaluateObjective(name, dim, problemSeed, options, genomes);
  } catch (err) {
    throw toNativeError(err);
  }
}

/** The shapes of the object fields of options, parameters and checkpoints. */
const NESTED = { localSearch: LOCAL_SEARCH_SHAPE, parameters: GA_PARAMETERS_SHAPE } as const;

function checkObjectiveArguments(name: unknown, dim: unknown, problemSeed: unknown, options: unknown): void {
  checkArgument('name', name, 'string');
  checkArgument('dim', dim, 'number');
  checkArgument('problemSeed', problemSeed, 'number');
  checkShape('options', options, { shift: 'boolean?', rotate: 'boolean?' }, { optional: true });
}
