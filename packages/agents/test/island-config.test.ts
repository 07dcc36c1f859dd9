import { ValidationError } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { EDGE_GENE_KEYS, EDGE_SLOTS, SWARM_GENES } from '../src/evolution/swarm-genes.js';
import { parseIslandConfig, parseSettingsChange } from '../src/ga-island/island-config.js';

const base = { run: 'r1', index: 0, islands: 4 };

describe('island config', () => {
  it('fills the defaults of the issue: 100 individuals, ring migration of the best 2 every 25 generations', () => {
    expect(parseIslandConfig(base)).toMatchObject({
      objective: 'rastrigin',
      dim: 30,
      population: 100,
      topology: 'ring',
      migrationInterval: 25,
      migrants: 2,
      seed: 1,
      rotate: false,
    });
  });

  it('gives the swarm objective one gene per tuned setting, and room for the genes of its edges', () => {
    expect(parseIslandConfig({ ...base, objective: 'swarm', tuner: 'adaptive-config-1', dim: 99 }).dim).toBe(
      SWARM_GENES.length + EDGE_SLOTS * EDGE_GENE_KEYS.length,
    );
  });

  it.each([
    [{ ...base, run: 'a.b' }, 'run'],
    [{ ...base, objective: 'bogus' }, 'objective'],
    [{ ...base, index: 4 }, 'index'],
    [{ ...base, population: 2 }, 'population'],
    [{ ...base, dim: 0 }, 'dim'],
    [{ ...base, topology: 'star' }, 'topology'],
    [{ ...base, migrants: 101 }, 'migrants'],
    [{ ...base, seed: -1 }, 'seed'],
    [{ ...base, rotate: 'yes' }, 'rotate'],
    [{ ...base, objective: 'swarm' }, 'tuner'],
    [{ ...base, parameters: { mutationRate: 2 } }, 'parameters.mutationRate'],
    [{ ...base, parameters: { crossover: 'one-point' } }, 'parameters.crossover'],
    [{ ...base, parameters: { warp: 1 } }, 'parameters.warp'],
  ])('refuses %j naming the field %s', (raw, field) => {
    try {
      parseIslandConfig(raw);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).data).toEqual({ field });
    }
  });

  it('changes settings live from strings or numbers, keeping the others', () => {
    const current = parseIslandConfig(base);
    const next = parseSettingsChange({ generations: '900', mutationRate: 0.2, topology: 'full' }, current);
    expect(next).toMatchObject({
      generations: 900,
      topology: 'full',
      migrationInterval: 25,
      parameters: { mutationRate: 0.2 },
    });
    expect(() => parseSettingsChange({ population: 5 }, current)).toThrow(/unknown island setting population/);
    expect(() => parseSettingsChange({ migrationInterval: 0 }, current)).toThrow(/migrationInterval/);
  });
});
