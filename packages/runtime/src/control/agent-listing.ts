import type { CellHealth } from '../cell/cell-status.js';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { fetchNodeCellsById } from '../node/node-commands.js';
import { PEER_STATUS, type PeerView } from '../node/peer-view.js';
import type { DesiredCellsView } from '../persistence/desired-cells-view.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { bodyField } from './body-field.js';
import { AGENT_PAGE, type AgentInfo, type AgentListPage } from './control-commands.js';

/** Later pages of one `agent.list` reuse the first page's sorted listing for this long, in millis. */
const SORTED_LIST_REUSE_MS = 10_000;

/**
 * How long a listing waits for one node's report of its cells, in millis. A node that cannot
 * answer within one and a half heartbeat intervals (1 s) is paused or far behind: its cells are
 * listed as `unknown` rather than the listing waiting for it (it waited 5 s, and a control
 * request routed to a paused node was the CLI's whole timeout).
 */
export const NODE_HEALTH_TIMEOUT_MS = 1500;

/** What {@link createAgentListing} reads. */
export interface AgentListingOptions {
  transport: Transport;
  subjects: Subjects;
  /** The node's watched copy of the desired cells. */
  view: DesiredCellsView;
  peers: PeerView;
  logger: Logger;
  /** Per-node wait for its cells' health, in millis; default {@link NODE_HEALTH_TIMEOUT_MS}. */
  nodeTimeoutMs?: number;
}

/** The health of some cells as the nodes that answered report it. */
interface GatheredHealth {
  cells: CellHealth[];
  /** Nodes believed running (alive or suspect) that did not answer. */
  unanswered: Set<string>;
}

/**
 * `agent.list`: the desired cells in id order, page by page, each with its health as its node
 * reports it. Every live node is asked (a moving cell can run on two for a moment); a node that
 * does not answer in time, or whose heartbeats are late (suspect), is not waited for: its cells
 * are listed with status `unknown` and the page names it in `unanswered`.
 */
export function createAgentListing(options: AgentListingOptions) {
  const { transport, subjects, view, peers, logger } = options;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? NODE_HEALTH_TIMEOUT_MS;
  /**
   * The desired cells in id order, as `agent.list` pages them: sorted once and reused by the
   * following pages for a moment — sorting 100,000 specs for each of 100 pages made `hms agent
   * list` time out at that size. A page may therefore be up to this old; the list was never one
   * instant's view anyway, with cells created and moved while it is paged through.
   */
  let sorted: { at: number; specs: Awaited<ReturnType<DesiredCellsView['list']>> } | null = null;
  const sortedSpecs = async () => {
    const now = Date.now();
    if (sorted && now - sorted.at < SORTED_LIST_REUSE_MS) return sorted.specs;
    const specs = (await view.list()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    sorted = { at: now, specs };
    return specs;
  };

  const gather = async (ids: readonly string[]): Promise<GatheredHealth> => {
    const unanswered = new Set<string>();
    const known = peers.list();
    for (const p of known) if (p.status === PEER_STATUS.suspect) unanswered.add(p.node);
    const pages = await Promise.all(
      known
        .filter((p) => p.status === PEER_STATUS.alive)
        .map((p) =>
          fetchNodeCellsById(transport, subjects, p.node, ids, nodeTimeoutMs).catch((err: unknown) => {
            logger.warn({ err, node: p.node }, 'node did not list its cells: they are listed as unknown');
            unanswered.add(p.node);
            return [];
          }),
        ),
    );
    return { cells: pages.flat(), unanswered };
  };

  return async (body: unknown): Promise<AgentListPage> => {
    const offset = bodyField(body, 'offset') ?? 0;
    const limit = bodyField(body, 'limit') ?? AGENT_PAGE;
    for (const [name, value, max] of [
      ['offset', offset, Number.MAX_SAFE_INTEGER],
      ['limit', limit, AGENT_PAGE],
    ] as const) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < (name === 'limit' ? 1 : 0) || value > max) {
        throw new ValidationError(`${name} must be a whole number up to ${max}`, { data: { field: name } });
      }
    }
    // The first page sorts afresh; the following ones reuse that order.
    if (offset === 0) sorted = null;
    const all = await sortedSpecs();
    const specs = all.slice(offset as number, (offset as number) + (limit as number));
    const { cells, unanswered } = await gather(specs.map((s) => s.id));
    const copiesOf = new Map<string, CellHealth[]>();
    for (const c of cells) copiesOf.set(c.id, [...(copiesOf.get(c.id) ?? []), c]);
    const agents = specs.map((s): AgentInfo => {
      const h = copiesOf.get(s.id)?.find((c) => c.node === s.node);
      return {
        id: s.id,
        type: s.type,
        node: s.node,
        status: h ? h.status : unanswered.has(s.node) ? 'unknown' : 'unplaced',
        state: h?.state ?? null,
        mailbox: h?.mailbox ?? 0,
        handled: h?.handled ?? 0,
        errors: h?.errors ?? 0,
        restarts: h?.restarts ?? 0,
        copies: copiesOf.get(s.id)?.length ?? 0,
      };
    });
    const page: AgentListPage = { total: all.length, offset: offset as number, agents };
    if (unanswered.size > 0) page.unanswered = [...unanswered].sort();
    return page;
  };
}
