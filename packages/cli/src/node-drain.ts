import { type ControlClient, NotFoundError } from '@hms/runtime/client';
import { CliError, UsageError } from './errors.js';

/** How often `hms node drain` asks whether the node is empty, in millis. */
const POLL_MS = 250;

/** What `hms node drain` reports once the node is empty. */
export interface DrainOutcome {
  node: string;
  /** Desired cells it had when the drain was asked for. */
  cells: number;
  /** How long it took to empty, in millis. */
  ms: number;
}

/** Turns the server's refusal of a node name it does not know into a bad argument (exit 2). */
export function rethrowUnknownNode(err: unknown): never {
  if (err instanceof NotFoundError) throw new UsageError(err.message);
  throw err;
}

/**
 * Drains `node` through the leader and waits until no desired cell names it, or until
 * `timeoutMs` has passed: then it fails (exit 1) saying how many cells are left — the drain
 * itself goes on, and `hms node undrain` calls it off.
 */
export async function drainAndWait(control: ControlClient, node: string, timeoutMs: number): Promise<DrainOutcome> {
  const began = Date.now();
  const { cells } = await control.drainNode(node).catch(rethrowUnknownNode);
  const deadline = began + timeoutMs;
  for (;;) {
    const info = (await control.listNodes()).find((n) => n.node === node);
    if (info === undefined || info.drain === 'drained') return { node, cells, ms: Date.now() - began };
    if (Date.now() >= deadline) {
      throw new CliError(
        `node ${node} still hosts ${info.cells} cells after ${Math.round(timeoutMs / 1000)} s: the drain goes on (hms node list shows it; hms node undrain ${node} calls it off)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

/** The table's status column says `draining` / `drained` for a drained live node. */
export function withDrainStatus<T extends { status: string; drain?: string }>(nodes: T[]): T[] {
  return nodes.map((n) => (n.drain && n.status === 'alive' ? { ...n, status: n.drain } : n));
}
