import type { Clock } from '../clock.js';
import { ROLE } from '../election/election-core.js';
import type { ElectionView } from '../election/election-runner.js';
import type { Logger } from '../logger.js';
import type { PeerView } from '../node/peer-view.js';
import type { DesiredCells } from '../persistence/desired-cells.js';
import { planReplacement } from './replacement-plan.js';

/** How often the leader looks for cells of never-seen nodes when every known node is alive. */
const FULL_CHECK_MS = 10_000;

/** Options of {@link startCoordinator}. */
export interface CoordinatorOptions {
  nodeId: string;
  desired: DesiredCells;
  peers: PeerView;
  election: () => ElectionView;
  clock: Clock;
  logger: Logger;
  /** Publishes a coordination event (`placement.moved`). */
  publish: (type: string, body: Record<string, unknown>) => void;
  /** How often the leader checks placement, in millis; default 500. */
  intervalMs?: number;
}

/**
 * The coordinator role of a node: while it is the leader (which needs a majority, so never in a
 * minority partition), it re-places the cells of dead or departed nodes onto live ones. Each
 * move is a compare-and-set of the cell's spec with the next epoch; the new owner restores the
 * cell from its snapshot, and a stale owner that comes back stops its copy when it sees the
 * spec name another node.
 */
export function startCoordinator(options: CoordinatorOptions): { stop(): void } {
  const { desired, peers, clock, logger, nodeId } = options;
  const log = logger.child({ component: 'coordinator' });
  let officeSince: number | null = null;
  let officeTerm = -1;
  let busy = false;
  let lastFullCheck = Number.NEGATIVE_INFINITY;

  const check = async () => {
    const view = options.election();
    if (view.role !== ROLE.leader) {
      officeSince = null;
      return;
    }
    if (officeSince === null || view.term !== officeTerm) {
      officeSince = clock.now();
      officeTerm = view.term;
    }
    const nodes = peers.list().map((p) => ({ node: p.node, status: p.status }));
    // Listing every desired cell is the expensive part: do it when a node is down, and every
    // 10 s for cells of nodes never seen (whose grace ends 10 s into the term).
    const someoneDown = nodes.some((n) => n.status !== 'alive');
    if (!someoneDown && clock.now() - lastFullCheck < FULL_CHECK_MS) return;
    lastFullCheck = clock.now();
    const moves = planReplacement(await desired.list(), nodes, { sinceOfficeMs: clock.now() - officeSince });
    await Promise.all(
      moves.map(async ({ spec, to }) => {
        const current = await desired.get(spec.id);
        if (!current || current.node !== spec.node || options.election().role !== ROLE.leader) return;
        const { revision, ...rest } = current;
        try {
          await desired.update({ ...rest, node: to, epoch: current.epoch + 1 }, revision);
          log.info(
            { cell: spec.id, from: spec.node, to, epoch: current.epoch + 1, term: officeTerm },
            'cell re-placed',
          );
          options.publish('placement.moved', {
            cell: spec.id,
            from: spec.node,
            to,
            epoch: current.epoch + 1,
            term: officeTerm,
            by: nodeId,
          });
        } catch (err) {
          log.debug({ err, cell: spec.id }, 'spec changed meanwhile; next round decides again');
        }
      }),
    );
  };

  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    check()
      .catch((err: unknown) => log.warn({ err }, 'placement check failed'))
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? 500);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
