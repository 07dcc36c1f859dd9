import type { CellRegistry } from '../cell/cell-registry.js';
import { CELL_STATUS, type CellHealth } from '../cell/cell-status.js';
import type { RunningCell } from '../cell/running-cell.js';
import type { CellSpec } from '../persistence/desired-cells.js';
import type { RestartTracker } from './restart-intensity.js';

/** A cell a node's supervisor is responsible for: running, starting, waiting to restart, or given up on. */
export interface Hosted {
  spec: CellSpec;
  cell?: RunningCell;
  /** Its recent crashes; made by its first crash. */
  tracker?: RestartTracker;
  restarts: number;
  restartTimer?: unknown;
  /** Gave up after too many crashes. */
  failed: boolean;
  /** An operator's restart is under way. */
  restarting?: boolean;
  /** Why it was not started (a snapshot its definition cannot read): it shows as `failed`. */
  refusal?: string;
}

/** The health of a cell that does not run: waiting for its type to be loaded, or refused. */
function waiting(spec: CellSpec, node: string, lastError: string): CellHealth {
  return {
    id: spec.id,
    type: spec.type,
    node,
    status: CELL_STATUS.stopped,
    state: null,
    mailbox: 0,
    handled: 0,
    errors: 0,
    restarts: 0,
    startedAt: 0,
    lastError,
  };
}

/** A hosted cell's health on `node`: none while it is starting or waiting to restart. */
export function hostedHealth(e: Hosted, registry: CellRegistry, node: string): CellHealth[] {
  if (!e.cell && e.refusal !== undefined) return [{ ...waiting(e.spec, node, e.refusal), status: CELL_STATUS.failed }];
  if (!e.cell && !registry.has(e.spec.type)) {
    // Its type's plugin is not loaded here (removed, disabled or failed): say so.
    return [waiting(e.spec, node, `cell type ${e.spec.type} is not loaded on ${node}`)];
  }
  if (!e.cell) return [];
  const h = e.cell.health();
  return [e.failed ? { ...h, status: CELL_STATUS.failed } : h];
}
