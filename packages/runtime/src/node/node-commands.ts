import type { CellHealth } from '../cell/cell-status.js';
import { ValidationError } from '../errors.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';

/** Questions a single node answers on `hms.<swarm>.node.<nodeId>.<command>`. */
export const NODE_COMMAND = {
  /**
   * A page of the health of the cells it hosts: `{ offset?, limit? }` → {@link NodeCellsPage};
   * with `{ ids }`, only those of these cells it hosts (at most one page of ids).
   */
  cells: 'cells',
  /**
   * Nobody serves it: a starting node publishes one empty message here to check that its
   * credentials may publish in the swarm (an observer's may not).
   */
  startProbe: 'start-probe',
} as const;

/** The most cells one page carries (a page must fit NATS' 1 MiB max payload). */
export const NODE_CELLS_MAX_PAGE = 2000;

/** One page of a node's cells. */
export interface NodeCellsPage {
  node: string;
  /** Cells hosted there now. */
  total: number;
  offset: number;
  cells: CellHealth[];
}

function wholeNumber(body: unknown, name: string, fallback: number, max: number): number {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${name} must be a whole number from 0 to ${max}`, { data: { field: name } });
  }
  return value;
}

/**
 * Serves the per-node questions: heartbeats carry counts and the cells that need attention,
 * and the detail of every cell is asked for here, page by page, only when someone wants it.
 */
export function serveNodeCommands(options: {
  transport: Transport;
  subjects: Subjects;
  nodeId: string;
  cells: () => CellHealth[];
  /** Those of `ids` hosted here (without looking at every cell). */
  cellsById: (ids: readonly string[]) => CellHealth[];
}): TransportSubscription {
  const { transport, subjects, nodeId } = options;
  return transport.subscribe(subjects.nodeCommand(nodeId, NODE_COMMAND.cells), (msg) => {
    const ids = msg.body !== null && typeof msg.body === 'object' ? (msg.body as { ids?: unknown }).ids : undefined;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length > NODE_CELLS_MAX_PAGE || !ids.every((i) => typeof i === 'string')) {
        throw new ValidationError(`ids must be a list of at most ${NODE_CELLS_MAX_PAGE} cell ids`, {
          data: { field: 'ids' },
        });
      }
      const cells = options.cellsById([...new Set(ids as string[])]);
      msg.respond({ node: nodeId, total: cells.length, offset: 0, cells } satisfies NodeCellsPage);
      return;
    }
    const offset = wholeNumber(msg.body, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const limit = wholeNumber(msg.body, 'limit', NODE_CELLS_MAX_PAGE, NODE_CELLS_MAX_PAGE);
    const all = options.cells();
    msg.respond({
      node: nodeId,
      total: all.length,
      offset,
      cells: all.slice(offset, offset + limit),
    } satisfies NodeCellsPage);
  });
}

/** Those of `ids` (at most one page) that `nodeId` hosts. */
export async function fetchNodeCellsById(
  transport: Transport,
  subjects: Subjects,
  nodeId: string,
  ids: readonly string[],
  timeoutMs = 5000,
): Promise<CellHealth[]> {
  const page = (await transport.request(
    subjects.nodeCommand(nodeId, NODE_COMMAND.cells),
    NODE_COMMAND.cells,
    { ids },
    {
      timeout: timeoutMs,
    },
  )) as NodeCellsPage;
  return page.cells;
}

/** Every cell `nodeId` hosts, asked for page by page. */
export async function fetchNodeCells(
  transport: Transport,
  subjects: Subjects,
  nodeId: string,
  timeoutMs = 5000,
): Promise<CellHealth[]> {
  const out: CellHealth[] = [];
  for (let offset = 0; ; offset += NODE_CELLS_MAX_PAGE) {
    const page = (await transport.request(
      subjects.nodeCommand(nodeId, NODE_COMMAND.cells),
      NODE_COMMAND.cells,
      { offset, limit: NODE_CELLS_MAX_PAGE },
      { timeout: timeoutMs },
    )) as NodeCellsPage;
    out.push(...page.cells);
    if (page.cells.length < NODE_CELLS_MAX_PAGE || out.length >= page.total) return out;
  }
}
