/**
 * The JavaScript types of what the native addon takes, checked before the call. napi-rs
 * converts arguments before any Rust runs, and its conversion errors name a Rust type, not the
 * field ("Failed to convert JavaScript value `Undefined` into rust type `String`"); these
 * checks make every wrongly typed argument a {@link NativeError} naming it. The addon checks
 * the values (ranges, lengths, consistency) itself.
 */
import { NativeError } from './errors.js';

/** A JavaScript type the addon converts. `?` suffix: undefined allowed. */
type Kind =
  | 'number'
  | 'string'
  | 'boolean'
  | 'function'
  | 'numbers'
  | 'strings'
  | 'booleans'
  | 'number or numbers'
  | 'Float64Array'
  | 'object';

/** Field → kind, optional with a trailing `?`. */
export type Shape = Readonly<Record<string, `${Kind}` | `${Kind}?`>>;

function isKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'function':
      return typeof value === kind;
    case 'numbers':
      return value instanceof Float64Array || (Array.isArray(value) && value.every((v) => typeof v === 'number'));
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'booleans':
      return Array.isArray(value) && value.every((v) => typeof v === 'boolean');
    case 'number or numbers':
      return isKind(value, 'number') || isKind(value, 'numbers');
    case 'Float64Array':
      return value instanceof Float64Array;
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list with an element of another type';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 40)}`;
}

/**
 * @throws NativeError naming `field` when `value` is not of `kind` (`?`: or undefined).
 */
export function checkArgument(field: string, value: unknown, kind: Shape[string]): void {
  const optional = kind.endsWith('?');
  const base = (optional ? kind.slice(0, -1) : kind) as Kind;
  if ((optional && value === undefined) || isKind(value, base)) return;
  throw new NativeError(`${field} must be ${optional ? `${base} or absent` : base}, got ${describe(value)}`, {
    data: { field },
  });
}

/**
 * Checks that `value` is an object (or absent when `optional`) whose fields listed in `shape`
 * have their kinds; `nested` gives the shapes of object fields, by field name, at any depth.
 * Fields are named by their path: `options.localSearch.every`.
 * @throws NativeError naming the first wrong field.
 */
export function checkShape(
  what: string,
  value: unknown,
  shape: Shape,
  { optional = false, nested = {} }: { optional?: boolean; nested?: Readonly<Record<string, Shape>> } = {},
): void {
  checkArgument(what, value, optional ? 'object?' : 'object');
  if (value === undefined) return;
  const record = value as Record<string, unknown>;
  for (const [field, kind] of Object.entries(shape)) {
    checkArgument(`${what}.${field}`, record[field], kind);
    const inner = nested[field];
    if (inner && record[field] !== undefined) checkShape(`${what}.${field}`, record[field], inner, { nested });
  }
}

/** The operator settings' kinds (GaParameters). */
export const GA_PARAMETERS_SHAPE: Shape = {
  selection: 'string?',
  tournamentSize: 'number?',
  crossover: 'string?',
  crossoverRate: 'number?',
  sbxEta: 'number?',
  blendAlpha: 'number?',
  mutation: 'string?',
  mutationRate: 'number?',
  mutationEta: 'number?',
  gaussianSigma: 'number?',
  elitism: 'number?',
  adaptiveMutation: 'boolean?',
  targetDiversity: 'number?',
  mutationBoost: 'number?',
  localSearch: 'object?',
  parallel: 'string?',
};

/** The local search settings' kinds. */
export const LOCAL_SEARCH_SHAPE: Shape = { every: 'number?', elites: 'number?', budget: 'number?' };

/** A population's options' kinds (PopulationOptions). */
export const POPULATION_OPTIONS_SHAPE: Shape = {
  ...GA_PARAMETERS_SHAPE,
  dim: 'number',
  size: 'number?',
  seed: 'number',
  objective: 'string?',
  problemSeed: 'number?',
  shift: 'boolean?',
  rotate: 'boolean?',
  lower: 'number or numbers?',
  upper: 'number or numbers?',
  integer: 'booleans?',
};

/** A checkpoint's kinds (PopulationState). */
export const POPULATION_STATE_SHAPE: Shape = {
  dim: 'number',
  size: 'number',
  generation: 'number',
  evaluations: 'number',
  genomes: 'numbers',
  fitness: 'numbers',
  rng: 'numbers',
  parameters: 'object',
  localSearchStalled: 'boolean?',
};
