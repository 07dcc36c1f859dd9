import type { CellHealth } from './cell-status.js';

/** One state of a cell's machine, with its children; `active` marks the states it is in now. */
export interface StateTreeNode {
  /** The state's key (`counting`); the root is the machine's id. */
  key: string;
  /** `atomic`, `compound`, `parallel`, `final` or `history`. */
  type: string;
  active: boolean;
  children: StateTreeNode[];
}

/** An event a cell took in or sent out, as `hms agent inspect` lists it. */
export interface CellEventRecord {
  /** Epoch millis. */
  at: number;
  /** `in`: a message or event it took; `out`: one it sent, requested or published. */
  dir: 'in' | 'out';
  type: string;
  /** Who sent it (in) or to whom it went (out; absent for a published event). */
  peer?: string;
}

/** What a cell answers to `hms.inspect`: its health plus its machine's inside. */
export interface CellInspection extends CellHealth {
  /** The machine's context, made plain (long arrays and strings cut, cycles and functions dropped). */
  context: unknown;
  /** Every state of the machine, the active ones marked. */
  tree: StateTreeNode;
  /** The last events in and out, oldest first. */
  events: CellEventRecord[];
}

/** The part of an XState state node that the tree needs. */
interface StateNodeLike {
  key: string;
  type: string;
  states: Record<string, StateNodeLike>;
}

/**
 * The state tree of a machine whose root is `root`, each node marked active when `isActive`
 * says so (given the node's path from the root, e.g. `['active', 'waiting']`).
 */
export function stateTree(
  root: StateNodeLike,
  isActive: (path: string[]) => boolean,
  path: string[] = [],
): StateTreeNode {
  return {
    key: root.key,
    type: root.type,
    active: path.length === 0 || isActive(path),
    children: Object.values(root.states ?? {}).map((child) => stateTree(child, isActive, [...path, child.key])),
  };
}

/** True when the state value `value` (`'a'`, `{ a: 'b' }`, parallel objects) is in `path`. */
export function valueHasPath(value: unknown, path: readonly string[]): boolean {
  let v: unknown = value;
  for (const key of path) {
    if (typeof v === 'string') {
      if (v !== key) return false;
      v = undefined;
      continue;
    }
    if (v === null || typeof v !== 'object' || !(key in v)) return false;
    v = (v as Record<string, unknown>)[key];
  }
  return true;
}

const MAX_DEPTH = 8;
const MAX_ITEMS = 50;
const MAX_STRING = 500;

/** A copy of `value` that any codec can carry and a terminal can show: bounded, acyclic, plain. */
export function plainValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth >= MAX_DEPTH) return '…';
  seen.add(value);
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value) || value instanceof Set) {
    const items = [...value];
    const out = items.slice(0, MAX_ITEMS).map((v) => plainValue(v, depth + 1, seen));
    return items.length > MAX_ITEMS ? [...out, `… ${items.length - MAX_ITEMS} more`] : out;
  }
  const entries = value instanceof Map ? [...value].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, MAX_ITEMS)) {
    // Spawned actors and other live objects show as their id, not their insides.
    const plain =
      v !== null && typeof v === 'object' && 'sessionId' in v
        ? `<actor ${(v as { id?: string }).id}>`
        : plainValue(v, depth + 1, seen);
    if (plain !== undefined) out[k] = plain;
  }
  if (entries.length > MAX_ITEMS) out['…'] = `${entries.length - MAX_ITEMS} more`;
  return out;
}

/** The last `size` events of a cell, in and out. */
export class CellEventRing {
  private readonly items: CellEventRecord[] = [];

  constructor(private readonly size = 20) {}

  /** Records an event now. */
  record(dir: CellEventRecord['dir'], type: string, peer?: string): void {
    this.items.push({ at: Date.now(), dir, type, ...(peer === undefined ? {} : { peer }) });
    if (this.items.length > this.size) this.items.shift();
  }

  /** The recorded events, oldest first. */
  list(): CellEventRecord[] {
    return [...this.items];
  }
}
