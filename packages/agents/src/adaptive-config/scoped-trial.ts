import type { SystemStatus } from '@hms/runtime';

/**
 * A trial's view of scoped settings: the configuration in force has swarm-wide and scoped keys
 * side by side; a candidate's scoped key that was not in force is restored on roll-back by
 * removing it (`null`: the control plane's `default`).
 */

/** The configuration in force, scoped values (`request.timeoutMs@edge:A:B`) beside the swarm-wide ones. */
export function configInForce(status: Pick<SystemStatus, 'config' | 'scoped'>): Record<string, number> {
  return { ...status.config, ...(status.scoped ?? {}) };
}

/** The values `keys` have in `config`: what a roll-back restores; null for a scoped key not in force (removed). */
export function previousValues(config: Record<string, number>, keys: readonly string[]): Record<string, number | null> {
  return Object.fromEntries(keys.map((k) => [k, config[k] ?? null]));
}

/**
 * The longest request timeout in a configuration (swarm-wide or scoped), or `fallback` when it
 * has none: calls made under it may take this long to end.
 */
export function longestTimeout(config: Record<string, number>, fallback: number): number {
  const timeouts = Object.entries(config)
    .filter(([k, v]) => typeof v === 'number' && (k === 'request.timeoutMs' || k.startsWith('request.timeoutMs@')))
    .map(([, v]) => v);
  return timeouts.length === 0 ? fallback : Math.max(...timeouts);
}
