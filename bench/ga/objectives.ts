/**
 * The contract's objective functions (all minimised, optimum 0) on a problem instance
 * z = M(x − o): the pure-TypeScript twin of `native/ga`'s objectives module.
 */
import { Xoshiro128 } from './rng.js';

/** The builtin objectives. */
export const objectiveNames = ['sphere', 'rastrigin', 'rosenbrock', 'ackley', 'griewank', 'schwefel'] as const;
export type ObjectiveName = (typeof objectiveNames)[number];

/** Default bounds per objective (every gene shares them). */
export const defaultBounds: Record<ObjectiveName, readonly [number, number]> = {
  sphere: [-100, 100],
  rastrigin: [-5.12, 5.12],
  rosenbrock: [-5, 10],
  ackley: [-32.768, 32.768],
  griewank: [-600, 600],
  schwefel: [-500, 500],
};

const SCHWEFEL_OFFSET = 420.9687462275036;

/** One problem instance: the function, its bounds, the optimum's shift and the rotation. */
export interface ProblemInstance {
  name: ObjectiveName;
  dim: number;
  lower: number;
  upper: number;
  /** The optimum o (dim values). */
  shift: Float64Array;
  /** M, dim × dim row-major, or null for no rotation. */
  rotation: Float64Array | null;
}

/**
 * Draws an instance from `problemSeed` with the contract's PRNG: o uniform in 0.8 × bounds
 * (schwefel: in [−80, 80]), M by Gram–Schmidt of a Gaussian matrix. Used only when the native
 * addon is not there; the benchmark hands every engine `describeObjective`'s instance.
 */
export function drawInstance(
  name: ObjectiveName,
  dim: number,
  problemSeed: number,
  options: { shift?: boolean; rotate?: boolean } = {},
): ProblemInstance {
  const [lower, upper] = defaultBounds[name];
  const rng = new Xoshiro128(problemSeed);
  const shift = new Float64Array(dim);
  if (options.shift ?? true) {
    const [lo, hi] = name === 'schwefel' ? [-80, 80] : [0.8 * lower, 0.8 * upper];
    for (let i = 0; i < dim; i++) shift[i] = lo + rng.nextDouble() * (hi - lo);
  }
  let rotation: Float64Array | null = null;
  if (options.rotate) {
    rotation = new Float64Array(dim * dim);
    for (let i = 0; i < dim * dim; i++) rotation[i] = rng.nextGaussian();
    for (let r = 0; r < dim; r++) {
      const row = r * dim;
      for (let p = 0; p < r; p++) {
        let dot = 0;
        for (let c = 0; c < dim; c++) dot += rotation[row + c]! * rotation[p * dim + c]!;
        for (let c = 0; c < dim; c++) rotation[row + c]! -= dot * rotation[p * dim + c]!;
      }
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += rotation[row + c]! ** 2;
      norm = Math.sqrt(norm);
      for (let c = 0; c < dim; c++) rotation[row + c]! /= norm;
    }
  }
  return { name, dim, lower, upper, shift, rotation };
}

/** Evaluates genomes (count × dim, row-major) on an instance; `z` is a dim-long scratch buffer. */
export type BatchObjective = (genomes: Float64Array, offset: number, count: number, out: Float64Array) => void;

/** The batch evaluator of an instance: writes f(M(x − o)) of `count` genomes from `offset`. */
export function createObjective(instance: ProblemInstance): BatchObjective {
  const { name, dim, shift, rotation } = instance;
  const d = new Float64Array(dim);
  const z = new Float64Array(dim);
  const transform = (genomes: Float64Array, base: number): void => {
    if (!rotation) {
      for (let i = 0; i < dim; i++) z[i] = genomes[base + i]! - shift[i]!;
      return;
    }
    for (let i = 0; i < dim; i++) d[i] = genomes[base + i]! - shift[i]!;
    for (let r = 0; r < dim; r++) {
      let sum = 0;
      const row = r * dim;
      for (let c = 0; c < dim; c++) sum += rotation[row + c]! * d[c]!;
      z[r] = sum;
    }
  };
  const f = scalarObjective(name, dim, z);
  return (genomes, offset, count, out) => {
    for (let k = 0; k < count; k++) {
      transform(genomes, (offset + k) * dim);
      out[offset + k] = f();
    }
  };
}

function scalarObjective(name: ObjectiveName, dim: number, z: Float64Array): () => number {
  switch (name) {
    case 'sphere':
      return () => {
        let s = 0;
        for (let i = 0; i < dim; i++) s += z[i]! * z[i]!;
        return s;
      };
    case 'rastrigin':
      return () => {
        let s = 10 * dim;
        for (let i = 0; i < dim; i++) {
          const v = z[i]!;
          s += v * v - 10 * cos2pi(v);
        }
        return s;
      };
    case 'rosenbrock':
      return () => {
        let s = 0;
        for (let i = 0; i < dim - 1; i++) {
          const a = z[i]! + 1;
          const b = z[i + 1]! + 1;
          s += 100 * (b - a * a) ** 2 + (a - 1) ** 2;
        }
        return s;
      };
    case 'ackley':
      return () => {
        let sq = 0;
        let cs = 0;
        for (let i = 0; i < dim; i++) {
          sq += z[i]! * z[i]!;
          cs += cos2pi(z[i]!);
        }
        return -20 * Math.exp(-0.2 * Math.sqrt(sq / dim)) - Math.exp(cs / dim) + 20 + Math.E;
      };
    case 'griewank':
      return () => {
        let s = 0;
        let p = 1;
        for (let i = 0; i < dim; i++) {
          s += (z[i]! * z[i]!) / 4000;
          p *= Math.cos(z[i]! / Math.sqrt(i + 1));
        }
        return 1 + s - p;
      };
    case 'schwefel':
      return () => {
        let s = 418.9828872724339 * dim;
        for (let i = 0; i < dim; i++) {
          const v = z[i]! + SCHWEFEL_OFFSET;
          s -= v * Math.sin(Math.sqrt(Math.abs(v)));
        }
        return s;
      };
  }
}

/**
 * cos(2πx) within 1e-14, as native/ga's fast_math: exact period reduction, a quarter-wave fold,
 * then a degree-18 Taylor polynomial (~25% faster than Math.cos(2π·x) in V8).
 */
function cos2pi(x: number): number {
  const d = x - Math.round(x);
  const r = d < 0 ? -d : d;
  let a = r;
  let sign = 1;
  if (r > 0.25) {
    a = 0.5 - r;
    sign = -1;
  }
  const t = 2 * Math.PI * a;
  const t2 = t * t;
  return (
    sign *
    (1 +
      t2 *
        (-1 / 2 +
          t2 *
            (1 / 24 +
              t2 *
                (-1 / 720 +
                  t2 *
                    (1 / 40_320 +
                      t2 *
                        (-1 / 3_628_800 +
                          t2 *
                            (1 / 479_001_600 +
                              t2 *
                                (-1 / 87_178_291_200 +
                                  t2 * (1 / 20_922_789_888_000 + t2 * (-1 / 6_402_373_705_728_000))))))))))
  );
}
