import type { SettingSpec } from '@hms/runtime';
import { CONFIG_SCHEMA, parseScopedKey } from '@hms/runtime/client';
import { formatTable } from './output.js';

/**
 * The configuration as a table: each swarm-wide setting, and under it its scoped values
 * (`  @edge:pinger:echo`), sorted by scope, each with what it applies to.
 */
export function formatConfigTable(config: Record<string, number>, scoped: Record<string, number> = {}): string {
  const byBase = new Map<string, Array<[string, number]>>();
  for (const [key, value] of Object.entries(scoped).sort(([a], [b]) => a.localeCompare(b))) {
    const { base } = parseScopedKey(key);
    byBase.set(base, [...(byBase.get(base) ?? []), [key.slice(base.length), value]]);
  }
  const rows = Object.entries(config).flatMap(([key, value]) => [
    { key, value: valueText(key, value), description: specOf(key)?.description ?? '' },
    ...(byBase.get(key) ?? []).map(([scope, v]) => ({
      key: `  ${scope}`,
      value: valueText(key, v),
      description: scopeText(scope),
    })),
  ]);
  return formatTable(rows, ['key', 'value', 'description']);
}

const specOf = (key: string): SettingSpec | undefined => CONFIG_SCHEMA[key as keyof typeof CONFIG_SCHEMA];

/** An enumerated setting's value with its name (`1 (fill)`); others as they are. */
function valueText(key: string, value: number): string | number {
  const name = specOf(key)?.choices?.[value];
  return name === undefined ? value : `${value} (${name})`;
}

function scopeText(scope: string): string {
  const [kind, a, b] = scope.slice(1).split(':');
  if (kind === 'type') return `cells of type ${a}`;
  if (kind === 'to') return `calls to ${a} from any type`;
  return `calls from ${a} to ${b}`;
}
