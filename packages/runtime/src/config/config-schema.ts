import { PLACEMENT_POLICIES } from '../coordination/placement-policy.js';
import { ValidationError } from '../errors.js';
import { BACKOFF_SHAPES } from '../supervision/backoff-shape.js';
import { SUPERVISION_STRATEGIES } from '../supervision/supervision-strategy.js';
import { isScopedKey, parseScopedKey, scopedKey } from './scoped-key.js';
import type { ScopedSettings } from './scoped-settings.js';

/** One tunable setting: a whole number within bounds. */
export interface SettingSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
  /** An enumerated setting's names, by value: it may be set by name too (`placement.policy=fill`). */
  readonly choices?: readonly string[];
}

/**
 * Every swarm setting, by dotted key. All are applied live by every node (no restart). The
 * same keys are the genes a later evolution run tunes.
 *
 * Some settings may also be given per cell type or per dependency edge with a scoped key,
 * `<key>@type:<T>`, `<key>@to:<B>` or `<key>@edge:<A>:<B>` (`scoped-key.ts` says which settings
 * take which scope). A scoped value has the bounds of its key; the most specific one wins (edge,
 * then callee type, then swarm-wide). `=default` (or `--unset`) removes a scoped value and puts a
 * swarm-wide one back to its default. A caller's own timeout (`request(…, { timeout })`) wins
 * over `request.timeoutMs` at every scope: the scoped and swarm-wide values apply to calls that
 * set none.
 */
export const CONFIG_SCHEMA = {
  'health.heartbeatMs': { default: 1000, min: 50, max: 60_000, description: 'node heartbeat interval, millis' },
  'health.suspectPhi': { default: 8, min: 1, max: 50, description: 'phi above which a node is suspect' },
  'supervision.maxRestarts': { default: 5, min: 0, max: 1000, description: 'restarts allowed within periodMs' },
  'supervision.periodMs': { default: 10_000, min: 1, max: 3_600_000, description: 'restart intensity window, millis' },
  'supervision.backoffBaseMs': { default: 5, min: 0, max: 60_000, description: 'first restart delay, millis' },
  'supervision.backoffMaxMs': { default: 5000, min: 0, max: 600_000, description: 'longest restart delay, millis' },
  'supervision.backoffShape': {
    default: 0,
    min: 0,
    max: 2,
    description: 'how restart delays grow: 0 exponential, 1 constant, 2 decorrelated jitter (an enumerated strategy)',
    choices: BACKOFF_SHAPES,
  },
  'supervision.strategy': {
    default: 0,
    min: 0,
    max: 2,
    description:
      'what a crash does: 0 rest-for-one (dependents restart too), 1 one-for-one, 2 escalate at once (an enumerated strategy)',
    choices: SUPERVISION_STRATEGIES,
  },
  'persistence.snapshotMaxStaleMs': {
    default: 100,
    min: 1,
    max: 60_000,
    description: 'longest a change waits to be saved, millis',
  },
  'persistence.writeConcurrency': {
    default: 32,
    min: 1,
    max: 1024,
    description: 'snapshot writes in flight at once per node',
  },
  'overload.storeLatencyMs': {
    default: 250,
    min: 1,
    max: 600_000,
    description: 'snapshot write latency (p90) over which a node is overloaded, millis',
  },
  'overload.storeQueued': {
    default: 2000,
    min: 1,
    max: 10_000_000,
    description: 'snapshot writes waiting over which a node is overloaded',
  },
  'overload.eventLoopLagMs': {
    default: 250,
    min: 1,
    max: 600_000,
    description: 'event-loop delay (p99) over which a node is overloaded, millis',
  },
  'breaker.failureThreshold': {
    default: 5,
    min: 1,
    max: 1000,
    description: 'consecutive failures that open a circuit',
  },
  'breaker.resetTimeoutMs': {
    default: 2000,
    min: 10,
    max: 600_000,
    description: 'open circuit wait before a trial, millis',
  },
  'request.timeoutMs': {
    default: 5000,
    min: 10,
    max: 600_000,
    description: 'timeout of a call between cells that sets none itself, millis',
  },
  'stigmergy.avoidStrength': {
    default: 3,
    min: 1,
    max: 1000,
    description: 'mark strength at which cells avoid a dependency',
  },
  'stigmergy.markTtlMs': {
    default: 10_000,
    min: 100,
    max: 3_600_000,
    description: 'how long a failure mark lasts, millis',
  },
  'placement.downAfterMs': {
    default: 1500,
    min: 200,
    max: 600_000,
    description: 'leader re-places the cells of a member silent this long, millis',
  },
  'placement.rebalanceBatch': {
    default: 25,
    min: 1,
    max: 10_000,
    description: 'live cells in handoff at once while rebalancing',
  },
  'placement.policy': {
    default: 0,
    min: 0,
    max: 2,
    description:
      "where an unpinned cell goes: 0 spread (the node with the lowest fill), 1 fill (the fullest node below its capacity), 2 affinity (the node running most of the cell's callers and callees in recent call traces, else spread) (an enumerated strategy)",
    choices: PLACEMENT_POLICIES,
  },
  'evolution.auto': {
    default: 0,
    min: 0,
    max: 1,
    description: 'adaptive-config starts swarm-objective runs by itself: 1 on, 0 off (hms evolve auto on|off)',
  },
  'evolution.autoDropPct': {
    default: 10,
    min: 1,
    max: 100,
    description: 'a run starts itself when measured fitness falls this many percent below its baseline',
  },
  'evolution.scheduleMs': {
    default: 0,
    min: 0,
    max: 604_800_000,
    description: 'a run also starts itself this long after the last one began, millis; 0 off',
  },
  'evolution.baselineMs': {
    default: 120_000,
    min: 1000,
    max: 3_600_000,
    description: 'how far back the fitness baseline of self-started runs reaches, millis',
  },
  'evolution.cooldownMs': {
    default: 60_000,
    min: 0,
    max: 86_400_000,
    description:
      'after a self-started run and its trial, nothing starts itself and the baseline is relearned for this long, millis',
  },
  'evolution.autoIslands': { default: 2, min: 1, max: 64, description: 'islands of a self-started run' },
  'evolution.autoPopulation': {
    default: 32,
    min: 4,
    max: 10_000,
    description: 'population per island of a self-started run',
  },
  'evolution.autoGenerations': {
    default: 40,
    min: 1,
    max: 100_000,
    description: 'generations of a self-started run',
  },
} as const satisfies Record<string, SettingSpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

/** A complete swarm configuration: every key of {@link CONFIG_SCHEMA} with a value. */
export type SwarmConfig = Record<ConfigKey, number>;

/** The configuration every swarm starts with. */
export function defaultConfig(): SwarmConfig {
  return Object.fromEntries(Object.entries(CONFIG_SCHEMA).map(([k, s]) => [k, s.default])) as SwarmConfig;
}

function isKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_SCHEMA, key);
}

/** Validated changes: a number per key to set; `null` for a scoped key to remove. */
export type ConfigChanges = Record<string, number | null>;

/** The value that removes a scoped value (or puts a swarm-wide one back to its default). */
export const DEFAULT_VALUE = 'default';

function checkedValue(field: string, spec: SettingSpec, raw: unknown): number {
  const named = typeof raw === 'string' ? (spec.choices?.indexOf(raw.trim()) ?? -1) : -1;
  if (named >= 0) return named;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
    const allowed = spec.choices
      ? `one of ${spec.choices.map((name, i) => `${name} (${i})`).join(', ')}`
      : `a whole number from ${spec.min} to ${spec.max}`;
    throw new ValidationError(`${field} must be ${allowed}, not ${JSON.stringify(raw)}`, { data: { field } });
  }
  return value;
}

function specOf(field: string, base: string): SettingSpec {
  if (!isKey(base)) {
    throw new ValidationError(`unknown setting ${base} (known: ${Object.keys(CONFIG_SCHEMA).join(', ')})`, {
      data: { field },
    });
  }
  return CONFIG_SCHEMA[base];
}

/**
 * Checks a set of changes against the schema: swarm-wide keys and scoped keys (see
 * {@link CONFIG_SCHEMA}). `default` (or null) removes a scoped value — `null` in the result —
 * and puts a swarm-wide key back to its default.
 * @throws ValidationError naming the first bad field (`data.field`) and why.
 */
export function validateChanges(changes: Record<string, unknown>): ConfigChanges {
  const out: ConfigChanges = {};
  for (const [key, raw] of Object.entries(changes)) {
    const scoped = isScopedKey(key) ? parseScopedKey(key) : undefined;
    const spec = specOf(key, scoped?.base ?? key);
    const reset = raw === null || raw === DEFAULT_VALUE;
    if (scoped) out[scopedKey(scoped.base, scoped.scope)] = reset ? null : checkedValue(key, spec, raw);
    else out[key] = reset ? spec.default : checkedValue(key, spec, raw);
  }
  return out;
}

/** The swarm-wide part of validated changes. */
function swarmWide(changes: ConfigChanges): Partial<SwarmConfig> {
  return Object.fromEntries(Object.entries(changes).filter(([k, v]) => isKey(k) && v !== null)) as Partial<SwarmConfig>;
}

/** Checks a whole configuration read from storage, filling keys it lacks with defaults. */
export function completeConfig(stored: unknown): SwarmConfig {
  const base = defaultConfig();
  if (stored === null || typeof stored !== 'object') return base;
  const known = Object.fromEntries(Object.entries(stored).filter(([k]) => isKey(k)));
  return { ...base, ...swarmWide(validateChanges(known)) };
}

/** Checks the scoped values of a configuration read from storage. @throws ValidationError naming the field. */
export function storedScopedSettings(stored: unknown): ScopedSettings {
  if (stored === null || typeof stored !== 'object') return {};
  const scoped = Object.fromEntries(Object.entries(stored).filter(([k]) => isScopedKey(k)));
  return Object.fromEntries(
    Object.entries(validateChanges(scoped)).filter((e): e is [string, number] => e[1] !== null),
  );
}

/**
 * Applies validated changes to a stored configuration: scoped keys set to null are removed.
 * Returns the object to store (swarm-wide and scoped keys side by side).
 */
export function withChanges(
  config: SwarmConfig,
  scoped: ScopedSettings,
  changes: ConfigChanges,
): Record<string, number> {
  const out: Record<string, number> = { ...config, ...scoped };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
