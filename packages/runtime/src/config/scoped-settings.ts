import type { SwarmConfig } from './config-schema.js';
import type { CallSettingKey, TypeSettingKey } from './scoped-key.js';

/** Scoped values in force, by stored scoped key (`request.timeoutMs@edge:pinger:echo` → 1500). */
export type ScopedSettings = Readonly<Record<string, number>>;

/** A configuration version's settings: the swarm-wide ones and the scoped ones. */
export interface LiveConfig {
  config: SwarmConfig;
  scoped: ScopedSettings;
}

/**
 * The value of a call setting for a call from a cell of type `caller` to one of type `callee`:
 * `@edge:caller:callee`, else `@to:callee`, else the swarm-wide value. An unknown caller or
 * callee type (a call to a service, to an id no desired cell has) skips the scopes that need it.
 */
export function callSetting(live: LiveConfig, key: CallSettingKey, caller?: string, callee?: string): number {
  if (callee !== undefined) {
    if (caller !== undefined) {
      const edge = live.scoped[`${key}@edge:${caller}:${callee}`];
      if (edge !== undefined) return edge;
    }
    const to = live.scoped[`${key}@to:${callee}`];
    if (to !== undefined) return to;
  }
  return live.config[key];
}

/** The value of a cell-type setting for the cells of `type`: `@type:type`, else the swarm-wide value. */
export function typeSetting(live: LiveConfig, key: TypeSettingKey, type: string): number {
  return live.scoped[`${key}@type:${type}`] ?? live.config[key];
}
