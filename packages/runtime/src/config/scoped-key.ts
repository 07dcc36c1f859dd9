import { ValidationError } from '../errors.js';
import { isToken } from '../transport/subjects.js';

/**
 * Scoped settings: a swarm-wide setting given another value for one cell type or one
 * dependency edge. A scoped key is `<base>@<scope>`, where the scope is one of
 *
 * - `type:<T>` — the cells of type T (restart intensity, backoff, strategy: {@link TYPE_SETTINGS});
 * - `to:<B>` — calls to a cell of type B, from any caller ({@link CALL_SETTINGS});
 * - `edge:<A>:<B>` — calls from a cell of type A to a cell of type B ({@link CALL_SETTINGS}).
 *
 * Type names are subject tokens (A-Z a-z 0-9 _ -), so `@` and `:` never occur in them and the key
 * needs no quoting in a shell: `hms system configure --set request.timeoutMs@edge:pinger:echo=1500`.
 * `edge:A>B` is taken as a spelling of `edge:A:B` (it must be quoted in a shell) and stored as
 * `edge:A:B`.
 *
 * Resolution, most specific first: a call from A to B uses `@edge:A:B`, else `@to:B`, else the
 * swarm-wide value; a cell of type T uses `@type:T`, else the swarm-wide value.
 */
export const SCOPE_KIND = { type: 'type', to: 'to', edge: 'edge' } as const;

export type ScopeKind = (typeof SCOPE_KIND)[keyof typeof SCOPE_KIND];

/** A parsed scope. */
export type SettingScope =
  | { kind: typeof SCOPE_KIND.type; type: string }
  | { kind: typeof SCOPE_KIND.to; callee: string }
  | { kind: typeof SCOPE_KIND.edge; caller: string; callee: string };

/** Settings a cell type may have its own value of (`@type:T`): how its crashes are handled. */
export const TYPE_SETTINGS = [
  'supervision.maxRestarts',
  'supervision.periodMs',
  'supervision.backoffBaseMs',
  'supervision.backoffMaxMs',
  'supervision.backoffShape',
  'supervision.strategy',
] as const;

/** Settings a dependency may have its own value of (`@to:B`, `@edge:A:B`): how calls to it are guarded. */
export const CALL_SETTINGS = [
  'request.timeoutMs',
  'breaker.failureThreshold',
  'breaker.resetTimeoutMs',
  'stigmergy.avoidStrength',
] as const;

export type TypeSettingKey = (typeof TYPE_SETTINGS)[number];
export type CallSettingKey = (typeof CALL_SETTINGS)[number];

/** A scoped key, split. */
export interface ScopedKey {
  base: string;
  scope: SettingScope;
}

const SEPARATOR = '@';

function refuse(field: string, why: string): never {
  throw new ValidationError(`${field}: ${why}`, { data: { field } });
}

function typeName(field: string, name: string | undefined, role: string): string {
  if (name === undefined || !isToken(name)) {
    refuse(field, `${role} ${JSON.stringify(name ?? '')} is not a cell type name (1-128 of A-Z a-z 0-9 _ -)`);
  }
  return name;
}

/** True when `key` names a scope (contains `@`); says nothing about whether it is valid. */
export function isScopedKey(key: string): boolean {
  return key.includes(SEPARATOR);
}

/**
 * Splits a scoped key and checks it: the scope kind must exist and be one `base` takes, and the
 * type names must be valid. Whether `base` is a known setting at all is the schema's check.
 * @throws ValidationError naming the key (`data.field`) and why.
 */
export function parseScopedKey(key: string): ScopedKey {
  const at = key.indexOf(SEPARATOR);
  const base = key.slice(0, at);
  const scope = key.slice(at + 1);
  const colon = scope.indexOf(':');
  const kind = colon < 0 ? scope : scope.slice(0, colon);
  const rest = colon < 0 ? undefined : scope.slice(colon + 1);
  const takes = (TYPE_SETTINGS as readonly string[]).includes(base)
    ? SCOPE_KIND.type
    : (CALL_SETTINGS as readonly string[]).includes(base)
      ? 'call'
      : undefined;
  if (kind === SCOPE_KIND.type) {
    if (takes !== SCOPE_KIND.type) refuse(key, `${base} takes no type: scope (only ${TYPE_SETTINGS.join(', ')} do)`);
    return { base, scope: { kind, type: typeName(key, rest, 'type') } };
  }
  if (kind === SCOPE_KIND.to || kind === SCOPE_KIND.edge) {
    if (takes !== 'call') refuse(key, `${base} takes no ${kind}: scope (only ${CALL_SETTINGS.join(', ')} do)`);
    if (kind === SCOPE_KIND.to) return { base, scope: { kind, callee: typeName(key, rest, 'callee type') } };
    const parts = (rest ?? '').split(/[:>]/);
    if (parts.length !== 2) refuse(key, 'an edge scope is edge:<caller type>:<callee type>');
    return {
      base,
      scope: { kind, caller: typeName(key, parts[0], 'caller type'), callee: typeName(key, parts[1], 'callee type') },
    };
  }
  return refuse(key, `unknown scope ${JSON.stringify(scope)} (use type:<T>, to:<T> or edge:<caller>:<callee>)`);
}

/** The scope part of a key, as stored (`type:T`, `to:B`, `edge:A:B`). */
export function formatScope(scope: SettingScope): string {
  switch (scope.kind) {
    case SCOPE_KIND.type:
      return `type:${scope.type}`;
    case SCOPE_KIND.to:
      return `to:${scope.callee}`;
    case SCOPE_KIND.edge:
      return `edge:${scope.caller}:${scope.callee}`;
  }
}

/** The stored spelling of a scoped key. */
export function scopedKey(base: string, scope: SettingScope): string {
  return `${base}${SEPARATOR}${formatScope(scope)}`;
}
