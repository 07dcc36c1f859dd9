import { type GaParameters, isToken, type ObjectiveName, ValidationError } from '@hms/runtime';
import { SWARM_GENOME_DIM } from '../evolution/swarm-genes.js';
import { isTopology, TOPOLOGY, type Topology } from './migration-topology.js';

/** The builtin objectives (benchmark functions, minimised) and `swarm`, the swarm's own configuration. */
export const OBJECTIVES = ['sphere', 'rastrigin', 'rosenbrock', 'ackley', 'griewank', 'schwefel', 'swarm'] as const;

export type IslandObjective = ObjectiveName | 'swarm';

/** Settings an operator may change while the run goes on (`hms evolve configure`). */
export interface IslandSettings {
  /** Last generation, >= 1. */
  generations: number;
  topology: Topology;
  /** Generations between migrations, >= 1; default 25. */
  migrationInterval: number;
  /** Individuals sent to each neighbour at a migration, >= 0; default 2. */
  migrants: number;
  /** How long an island waits for its neighbours' migrants at a migration, in millis; default 2000. */
  migrationWaitMs: number;
  /** Operator settings of the native engine (mutation rate, crossover, local search, …). */
  parameters: GaParameters;
}

/** A `ga-island` cell's configuration (the leader fills `run`, `index`, `islands`). */
export interface IslandConfig extends IslandSettings {
  run: string;
  /** This island's index in the run, 0..islands-1. */
  index: number;
  islands: number;
  objective: IslandObjective;
  /** Genes; the swarm objective has one per tuned setting. Default 30. */
  dim: number;
  /** Population size; default 100. */
  population: number;
  /** The run's seed: the problem instance (shift, rotation) comes from it, each island's draws from it and its index. */
  seed: number;
  /** Rotate the benchmark function (not separable); default false. */
  rotate: boolean;
  /** The adaptive-config cell the swarm objective is calibrated by. */
  tuner?: string;
}

type Raw = Record<string, unknown>;

function wholeNumber(raw: Raw, field: string, fallback: number, min: number, max: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(
      `ga-island ${field} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`,
      {
        data: { field },
      },
    );
  }
  return v;
}

const PARAMETER_NUMBERS: Record<string, [number, number]> = {
  tournamentSize: [1, 64],
  crossoverRate: [0, 1],
  sbxEta: [0, 1000],
  blendAlpha: [0, 10],
  mutationRate: [0, 1],
  mutationEta: [0, 1000],
  gaussianSigma: [0, 10],
  elitism: [0, 10_000],
  mutationBoost: [0, 100],
};
const PARAMETER_CHOICES: Record<string, readonly unknown[]> = {
  selection: ['tournament', 'rank'],
  crossover: ['sbx', 'blend', 'uniform'],
  mutation: ['polynomial', 'gaussian'],
  parallel: ['auto', 'on', 'off'],
  adaptiveMutation: [true, false],
};

/** Checks native engine parameters; @throws ValidationError naming the field. */
export function parseParameters(raw: unknown): GaParameters {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('ga-island parameters must be an object', { data: { field: 'parameters' } });
  }
  for (const [key, value] of Object.entries(raw)) {
    const range = PARAMETER_NUMBERS[key];
    const choices = PARAMETER_CHOICES[key];
    if (range) {
      if (typeof value !== 'number' || !(value >= range[0] && value <= range[1])) {
        throw new ValidationError(`parameters.${key} must be a number from ${range[0]} to ${range[1]}`, {
          data: { field: `parameters.${key}` },
        });
      }
    } else if (choices) {
      if (!choices.includes(value)) {
        throw new ValidationError(`parameters.${key} must be one of ${choices.join(', ')}`, {
          data: { field: `parameters.${key}` },
        });
      }
    } else if (key === 'localSearch') {
      const ls = value as Raw | null;
      for (const f of ['every', 'elites', 'budget']) {
        const v = ls?.[f];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          throw new ValidationError(`parameters.localSearch.${f} must be a whole number >= 0`, {
            data: { field: `parameters.localSearch.${f}` },
          });
        }
      }
    } else {
      throw new ValidationError(`unknown parameter ${key}`, { data: { field: `parameters.${key}` } });
    }
  }
  return raw as GaParameters;
}

/**
 * Checks settings an operator changes live; only the fields given are returned.
 * @throws ValidationError naming the field.
 */
export function parseSettingsChange(raw: unknown, current: IslandSettings): IslandSettings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('settings must be an object', { data: { field: 'set' } });
  }
  const r = raw as Raw;
  const known = ['generations', 'topology', 'migrationInterval', 'migrants', 'migrationWaitMs', 'parameters'];
  const params: Raw = {};
  for (const key of Object.keys(r)) {
    if (Object.hasOwn(PARAMETER_NUMBERS, key) || Object.hasOwn(PARAMETER_CHOICES, key)) params[key] = r[key];
    else if (!known.includes(key)) {
      throw new ValidationError(
        `unknown island setting ${key} (known: ${[...known, ...Object.keys(PARAMETER_NUMBERS)].join(', ')})`,
        {
          data: { field: key },
        },
      );
    }
  }
  const num = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);
  const merged: Raw = { ...current };
  for (const key of ['generations', 'migrationInterval', 'migrants', 'migrationWaitMs']) {
    if (r[key] !== undefined) merged[key] = num(r[key]);
  }
  if (r.topology !== undefined) merged.topology = r.topology;
  const parameters = {
    ...current.parameters,
    ...parseParameters(r.parameters),
    ...parseParameters(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, num(v)]))),
  };
  return settingsFrom({ ...merged, parameters });
}

function settingsFrom(r: Raw): IslandSettings {
  const topology = r.topology ?? TOPOLOGY.ring;
  if (!isTopology(topology)) {
    throw new ValidationError(`ga-island topology must be one of ${Object.values(TOPOLOGY).join(', ')}`, {
      data: { field: 'topology' },
    });
  }
  return {
    generations: wholeNumber(r, 'generations', 500, 1, 100_000_000),
    topology,
    migrationInterval: wholeNumber(r, 'migrationInterval', 25, 1, 1_000_000),
    migrants: wholeNumber(r, 'migrants', 2, 0, 10_000),
    migrationWaitMs: wholeNumber(r, 'migrationWaitMs', 2000, 0, 600_000),
    parameters: parseParameters(r.parameters),
  };
}

/** Validates and defaults a `ga-island` configuration; @throws ValidationError naming the field. */
export function parseIslandConfig(raw: unknown): IslandConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('ga-island config must be an object', { data: { field: 'config' } });
  }
  const r = raw as Raw;
  if (!isToken(r.run)) throw new ValidationError('ga-island run must be a run id', { data: { field: 'run' } });
  const objective = r.objective ?? 'rastrigin';
  if (!OBJECTIVES.includes(objective as IslandObjective)) {
    throw new ValidationError(
      `ga-island objective must be one of ${OBJECTIVES.join(', ')}, not ${JSON.stringify(objective)}`,
      {
        data: { field: 'objective' },
      },
    );
  }
  const islands = wholeNumber(r, 'islands', 1, 1, 64);
  const population = wholeNumber(r, 'population', 100, 4, 100_000);
  const settings = settingsFrom(r);
  if (settings.migrants > population) {
    throw new ValidationError(
      `ga-island migrants (${settings.migrants}) must not exceed the population (${population})`,
      {
        data: { field: 'migrants' },
      },
    );
  }
  if (r.rotate !== undefined && typeof r.rotate !== 'boolean') {
    throw new ValidationError('ga-island rotate must be true or false', { data: { field: 'rotate' } });
  }
  if (objective === 'swarm' && !isToken(r.tuner)) {
    throw new ValidationError('ga-island tuner (the adaptive-config cell id) is needed by the swarm objective', {
      data: { field: 'tuner' },
    });
  }
  return {
    ...settings,
    run: r.run,
    index: wholeNumber(r, 'index', 0, 0, islands - 1),
    islands,
    objective: objective as IslandObjective,
    dim: objective === 'swarm' ? SWARM_GENOME_DIM : wholeNumber(r, 'dim', 30, 1, 10_000),
    population,
    seed: wholeNumber(r, 'seed', 1, 0, 2 ** 32 - 1),
    rotate: r.rotate === true,
    ...(objective === 'swarm' ? { tuner: r.tuner as string } : {}),
  };
}
