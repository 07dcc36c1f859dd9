import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NativeError } from '../src/errors.js';
import { createPhiDetector } from '../src/native.js';
import {
  createPopulation,
  describeObjective,
  evaluateObjective,
  type PopulationOptions,
  restorePopulation,
} from '../src/native-population.js';

/** Values that break code expecting a number, string, list or object. */
const wrong: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    'x',
    -1,
    0,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    1e308,
    2 ** 32,
    2 ** 53 + 2,
    -(2 ** 31),
    true,
    [],
    [Number.NaN],
    {},
    new Float64Array(2),
    Symbol('s'),
    10n,
    () => 1,
  ),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * Runs `call`: it may succeed, or throw a NativeError whose message names one of `fields`;
 * anything else (a generic error, a panic's message, a TypeError) fails the property.
 */
function refusedByName(call: () => unknown, fields: readonly string[]): void {
  try {
    call();
  } catch (err) {
    if (!(err instanceof NativeError)) throw new Error(`not a NativeError: ${String(err)}`, { cause: err });
    const lower = err.message.toLowerCase();
    if (!fields.some((f) => lower.includes(f.toLowerCase()))) {
      throw new Error(`NativeError names none of ${fields.join(', ')}: ${err.message}`);
    }
  }
}

const BASE: PopulationOptions = { dim: 3, size: 8, seed: 1, objective: 'sphere' };
const OPTION_FIELDS = [
  'dim',
  'size',
  'seed',
  'objective',
  'problemSeed',
  'shift',
  'rotate',
  'lower',
  'upper',
  'integer',
  'selection',
  'tournamentSize',
  'crossover',
  'crossoverRate',
  'sbxEta',
  'blxAlpha',
  'mutation',
  'mutationRate',
  'polynomialEta',
  'gaussianSigma',
  'elitism',
  'adaptiveMutation',
  'targetDiversity',
  'mutationBoost',
  'localSearch',
  'parallel',
] as const;

describe('the native addon under generated input', () => {
  it('creates a population or refuses naming the field, for any value of any option', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPTION_FIELDS), wrong, (field, value) => {
        refusedByName(() => {
          const p = createPopulation({ ...BASE, [field]: value } as PopulationOptions);
          p.step(1);
        }, [field]);
      }),
      { numRuns: 2000 },
    );
  });

  it('sets parameters or refuses naming the field', () => {
    const p = createPopulation(BASE);
    fc.assert(
      fc.property(fc.constantFrom(...OPTION_FIELDS.slice(10)), wrong, (field, value) => {
        refusedByName(() => p.setParameters({ [field]: value }), [field]);
        p.step(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('imports migrants or refuses naming genomes or fitness', () => {
    const p = createPopulation(BASE);
    const migrants = p.exportMigrants(2);
    fc.assert(
      fc.property(fc.constantFrom('genomes', 'fitness'), wrong, (field, value) => {
        refusedByName(() => p.importMigrants({ ...migrants, [field]: value } as never), [field]);
        p.step(1);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(wrong, (value) => refusedByName(() => p.importMigrants(value as never), ['migrants'])),
      { numRuns: 300 },
    );
  });

  it('exports migrants and steps or refuses naming the count', () => {
    const p = createPopulation(BASE);
    fc.assert(
      // A valid but large number of generations is a long run, not a bad input.
      fc.property(
        wrong.filter((v) => !(typeof v === 'number' && v > 100)),
        (value) => {
          refusedByName(() => p.exportMigrants(value as number), ['count']);
          refusedByName(() => p.step(value as number), ['generations']);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('restores a checkpoint with one field changed, or refuses naming it', () => {
    const p = createPopulation(BASE);
    p.step(2);
    const state = p.exportState();
    const fields = Object.keys(state) as Array<keyof typeof state>;
    fc.assert(
      fc.property(fc.constantFrom(...fields), wrong, (field, value) => {
        refusedByName(() => restorePopulation(BASE, { ...state, [field]: value }).step(1), [field, 'state']);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('genomes', 'fitness', 'rng') as fc.Arbitrary<'genomes' | 'fitness' | 'rng'>,
        fc.nat(),
        wrong,
        (field, index, value) => {
          const list = [...state[field]];
          list[index % list.length] = value as number;
          refusedByName(() => restorePopulation(BASE, { ...state, [field]: list }).step(1), [field, 'state']);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses a checkpoint claiming ten million individuals, naming state.genomes (regression: the population was allocated before the check, and a large enough one aborted the process)', () => {
    const options: PopulationOptions = { dim: 1000, size: 4, seed: 1, objective: 'sphere' };
    const state = createPopulation(options).exportState();
    expect(() => restorePopulation(options, { ...state, size: 1e7 })).toThrow(/state\.genomes/);
  });

  it('describes and evaluates objectives or refuses naming the argument', () => {
    fc.assert(
      fc.property(wrong, wrong, wrong, (name, dim, seed) => {
        refusedByName(
          () => describeObjective(name as never, dim as number, seed as number),
          ['name', 'objective', 'dim', 'problemSeed', 'seed'],
        );
        refusedByName(() => evaluateObjective('sphere', 2, 1, {}, name as Float64Array), ['genomes']);
      }),
      { numRuns: 1000 },
    );
  });

  it('scores heartbeats or refuses naming the key or the time (NaN, negative, huge)', () => {
    const detector = createPhiDetector();
    fc.assert(
      fc.property(wrong, wrong, (key, at) => {
        refusedByName(() => detector.heartbeat(key as string, at as number), ['key', 'atMs']);
        refusedByName(() => detector.heartbeatMany([key as string], at as number), ['keys', 'atMs']);
        refusedByName(() => detector.heartbeatMany(key as string[], 1), ['keys']);
        refusedByName(() => detector.phi(key as string, at as number), ['key', 'nowMs']);
        refusedByName(() => detector.phiAll(at as number), ['nowMs']);
        refusedByName(() => detector.remove(key as string), ['key']);
      }),
      { numRuns: 2000 },
    );
    for (const phi of detector.phiAll(Date.now()).phi) expect(Number.isNaN(phi)).toBe(false);
  });

  it('creates a phi detector or refuses naming the option', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('windowSize', 'minStdDevMs', 'acceptablePauseMs', 'firstHeartbeatEstimateMs'),
        wrong,
        (field, value) => {
          refusedByName(() => {
            const d = createPhiDetector({ [field]: value });
            d.heartbeat('a', 1);
            d.heartbeat('a', 2);
            d.phiAll(3);
          }, [field, 'options']);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
