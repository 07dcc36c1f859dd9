import { describe, expect, it } from 'vitest';
import { NativeError } from '../src/errors.js';
import {
  createPopulation,
  describeObjective,
  evaluateObjective,
  type PopulationOptions,
  restorePopulation,
} from '../src/native-population.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const sphere = (genomes: Float64Array, count: number): Float64Array => {
  const dim = genomes.length / count;
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += (genomes[k * dim + i] as number) ** 2;
    out[k] = s;
  }
  return out;
};

describe('Population', () => {
  it('converges to near zero on sphere', () => {
    const population = createPopulation({ dim: 10, seed: 3, objective: 'sphere' });
    const start = population.stats().best;
    const stats = population.step(300);
    expect(stats.best).toBeLessThan(1e-6);
    expect(stats.best).toBeLessThan(start);
    expect(stats.generation).toBe(300);
    expect(population.best().genome).toHaveLength(10);
  });

  it('gives the same run for the same seed', () => {
    const options: PopulationOptions = { dim: 20, seed: 7, objective: 'rastrigin', rotate: true };
    const a = createPopulation(options);
    const b = createPopulation(options);
    a.step(60);
    b.step(60);
    expect(a.exportState()).toEqual(b.exportState());
    const c = createPopulation({ ...options, seed: 8, problemSeed: 7 });
    c.step(60);
    expect(c.exportState().genomes).not.toEqual(a.exportState().genomes);
  });

  it('calls the stepWith callback exactly once per generation when local search is off', () => {
    const population = createPopulation({
      dim: 6,
      seed: 1,
      lower: -100,
      upper: 100,
      localSearch: { every: 0, elites: 1, budget: 2 },
    });
    let calls = 0;
    const stats = population.stepWith(150, (genomes, count) => {
      calls++;
      expect(genomes).toHaveLength(count * 6);
      return Array.from(sphere(genomes, count));
    });
    expect(calls).toBe(150);
    expect(stats.generation).toBe(150);
    expect(stats.best).toBeLessThan(1);
  });

  it('rethrows the callback error and rejects a result of the wrong length', () => {
    const population = createPopulation({ dim: 3, seed: 1, lower: 0, upper: 1 });
    const boom = new Error('boom');
    expect(
      thrown(() =>
        population.stepWith(1, () => {
          throw boom;
        }),
      ),
    ).toBe(boom);
    const err = thrown(() => population.stepWith(1, () => new Float64Array(2)));
    expect(err).toBeInstanceOf(NativeError);
    expect((err as Error).message).toMatch(/must return 100 numbers/);
  });

  it('round-trips migrants between two populations', () => {
    const a = createPopulation({ dim: 5, seed: 1, objective: 'sphere' });
    const b = createPopulation({ dim: 5, seed: 2, problemSeed: 1, objective: 'sphere' });
    a.step(50);
    const migrants = a.exportMigrants(2);
    expect(migrants.genomes).toHaveLength(10);
    expect(migrants.fitness[0]).toBeLessThanOrEqual(migrants.fitness[1] as number);
    expect(b.importMigrants(migrants)).toBe(2);
    expect(b.best().fitness).toBe(Math.min(migrants.fitness[0] as number, b.best().fitness));
    expect(b.exportMigrants(1).fitness[0]).toBe(migrants.fitness[0]);
    const wrong = { genomes: new Float64Array(4), fitness: new Float64Array(1) };
    expect(thrown(() => b.importMigrants(wrong))).toBeInstanceOf(NativeError);
  });

  it('continues identically after exportState and restorePopulation', () => {
    const options: PopulationOptions = {
      dim: 8,
      seed: 5,
      objective: 'ackley',
      localSearch: { every: 10, elites: 2, budget: 200 },
    };
    const a = createPopulation(options);
    a.step(30);
    const state = a.exportState();
    const copy = JSON.parse(JSON.stringify(state));
    const b = restorePopulation(options, copy);
    a.step(40);
    b.step(40);
    expect(b.exportState()).toEqual(a.exportState());
  });

  it('names the field of a bad option', () => {
    const cases: [Partial<PopulationOptions>, RegExp][] = [
      [{ mutationRate: 2 }, /^mutationRate /],
      [{ dim: 0 }, /^dim /],
      [{ size: 3 }, /^size /],
      [{ seed: -1 }, /^seed /],
      [{ seed: 1.5 }, /^seed /],
      [{ tournamentSize: 0 }, /^tournamentSize /],
      [{ crossover: 'one-point' as never }, /^crossover /],
      [{ elitism: 100 }, /^elitism /],
      [{ objective: 'nope' as never }, /^objective /],
      [{ localSearch: { every: 5, elites: 0, budget: 10 } }, /^localSearch.elites /],
      [{ lower: [0, 1] }, /^lower /],
      [{ objective: undefined }, /^lower /],
    ];
    for (const [bad, message] of cases) {
      const err = thrown(() => createPopulation({ dim: 4, seed: 1, objective: 'sphere', ...bad }));
      expect(err).toBeInstanceOf(NativeError);
      expect((err as Error).message).toMatch(message);
    }
    const population = createPopulation({ dim: 4, seed: 1, objective: 'sphere' });
    expect((thrown(() => population.setParameters({ sbxEta: -1 })) as Error).message).toMatch(/^sbxEta /);
  });

  it('keeps integer genes whole and within bounds', () => {
    const integer = [true, false, true, false];
    const population = createPopulation({ dim: 4, seed: 1, lower: -10.5, upper: 10.5, integer });
    population.stepWith(30, sphere);
    const { genomes } = population.exportMigrants(population.size);
    genomes.forEach((g, k) => {
      expect(Math.abs(g)).toBeLessThanOrEqual(10.5);
      if (integer[k % 4]) expect(Number.isInteger(g)).toBe(true);
    });
  });

  it('describes and evaluates the same problem instance', () => {
    const d = describeObjective('rastrigin', 5, 9, { rotate: true });
    expect(d.lower).toBe(-5.12);
    expect(d.rotation).toHaveLength(25);
    const values = evaluateObjective(
      'rastrigin',
      5,
      9,
      { rotate: true },
      new Float64Array([...d.shift, ...d.shift.map((x) => x + 0.5)]),
    );
    expect(values[0]).toBeCloseTo(0, 9);
    expect(values[1]).toBeGreaterThan(0);
    expect(describeObjective('sphere', 3, 1).rotation).toBeNull();
    expect(thrown(() => evaluateObjective('sphere', 3, 1, {}, new Float64Array(4)))).toBeInstanceOf(NativeError);
  });
});
