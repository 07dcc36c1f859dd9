import { randomBytes } from 'node:crypto';
import type { CellRegistry } from '../cell/cell-registry.js';
import { BusyError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PeerView } from '../node/peer-view.js';
import type { CellSpec } from '../persistence/desired-cells.js';
import { assertToken, type Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import {
  ADAPTIVE_CONFIG_TYPE,
  EVOLUTION_EVENT,
  type EvolutionStatus,
  type EvolveStarted,
  GA_ISLAND_TYPE,
  type IslandStatus,
} from './evolution-commands.js';

/** What the evolution handlers need from the control server. */
export interface EvolutionControlOptions {
  transport: Transport;
  subjects: Subjects;
  registry: CellRegistry;
  /** Every desired cell (the node's watched copy when it has one). */
  list: () => Promise<CellSpec[]>;
  peers: PeerView;
  nodeId: string;
  logger: Logger;
  /** Writes a new desired cell and resolves once it runs. */
  create: (spec: CellSpec) => Promise<unknown>;
  /** Removes a desired cell and resolves once it stopped. */
  destroy: (spec: CellSpec) => Promise<unknown>;
  /** Whether a node may take new cells (not drained); default every node. */
  schedulable?: (node: string) => boolean;
  /** The leader's rebalancing progress, null when placement is even (a self-started run waits for it). */
  rebalancing?: () => { moved: number; inFlight: number; remaining: number; startedAt: number } | null;
}

const MAX_ISLANDS = 64;
/** How long an island may take to answer a status or command, in millis. */
const ISLAND_TIMEOUT_MS = 3000;

function body(msg: { body: unknown }): Record<string, unknown> {
  return msg.body !== null && typeof msg.body === 'object' ? (msg.body as Record<string, unknown>) : {};
}

/**
 * The control-plane side of evolution: `evolve.start` (leader: the run's islands become desired
 * cells, spread over the live nodes; a previous run's islands are destroyed first),
 * `evolve.stop` (leader: every island stops evolving and keeps its result), `evolve.status`,
 * `evolve.configure` (live operator settings sent to every island) and `evolve.apply` (a
 * configuration tried live by the adaptive-config cell, kept only if it does better).
 */
export function createEvolutionHandlers(options: EvolutionControlOptions) {
  const { transport, subjects, registry, list, peers, logger } = options;

  const islandsIn = (specs: CellSpec[]): CellSpec[] =>
    specs
      .filter((s) => s.type === GA_ISLAND_TYPE)
      .sort((a, b) => islandIndex(a) - islandIndex(b) || a.id.localeCompare(b.id));
  const islandsOf = async (): Promise<CellSpec[]> => islandsIn(await list());

  const ask = (id: string, type: string, payload?: unknown) =>
    transport.request(subjects.cellInbox(id), type, payload, { timeout: ISLAND_TIMEOUT_MS });

  const adaptiveConfig = async (): Promise<CellSpec | undefined> =>
    (await list()).find((s) => s.type === ADAPTIVE_CONFIG_TYPE);

  /** @throws BusyError while the leader rebalances, an island evolves, or a run's best is on trial. */
  const refuseIfBusy = async (): Promise<void> => {
    const progress = options.rebalancing?.() ?? null;
    if (progress) {
      throw new BusyError(`rebalancing: ${progress.remaining + progress.inFlight} cells still to move`, {
        data: { reason: 'rebalance' },
      });
    }
    const islands = await islandsOf();
    const states = await Promise.all(
      islands.map((s) =>
        ask(s.id, 'status').then(
          (r) => (r as IslandStatus).state,
          () => 'unreachable',
        ),
      ),
    );
    // An island that does not answer may be moving with its node: it counts as evolving.
    const evolving = islands.filter((_, i) => states[i] === 'evolving' || states[i] === 'unreachable');
    if (evolving.length > 0) {
      throw new BusyError(`run ${runOf(evolving[0])} is under way (${evolving.length} islands evolving)`, {
        data: { reason: 'run' },
      });
    }
  };

  return {
    'evolve.start': async (msg: { body: unknown }): Promise<EvolveStarted> => {
      const req = body(msg);
      const count = req.islands ?? 4;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_ISLANDS) {
        throw new ValidationError(`islands must be a whole number from 1 to ${MAX_ISLANDS}`, {
          data: { field: 'islands' },
        });
      }
      const island = req.island ?? {};
      if (typeof island !== 'object' || island === null || Array.isArray(island)) {
        throw new ValidationError('island must be an object of island settings', { data: { field: 'island' } });
      }
      const run = req.run ?? `r${randomBytes(3).toString('hex')}`;
      assertToken(run, 'run id');
      const by = req.by ?? 'operator';
      if (by !== 'operator' && by !== 'auto') {
        throw new ValidationError('by must be operator or auto', { data: { field: 'by' } });
      }
      // An operator's run replaces the one before it; a self-started run never overlaps anything.
      if (by === 'auto') await refuseIfBusy();
      let tuner: string | undefined;
      if ((island as { objective?: unknown }).objective === 'swarm') {
        tuner = (await adaptiveConfig())?.id;
        if (!tuner) {
          throw new ValidationError(
            `the swarm objective needs an ${ADAPTIVE_CONFIG_TYPE} cell: hms agent create ${ADAPTIVE_CONFIG_TYPE}`,
            { data: { field: 'objective' } },
          );
        }
      }
      const definition = registry.get(GA_ISLAND_TYPE);
      const configs = Array.from({ length: count }, (_, index) => ({
        ...island,
        run,
        index,
        islands: count,
        ...(tuner ? { tuner } : {}),
      }));
      // Every island's settings are checked before anything is written.
      for (const c of configs) definition.config(c);
      const previous = await islandsOf();
      await Promise.all(previous.map((s) => options.destroy(s)));
      const nodes = peers
        .alive()
        .filter((p) => p.heartbeat.types.includes(GA_ISLAND_TYPE) && (options.schedulable?.(p.node) ?? true))
        .map((p) => p.node)
        .sort();
      if (nodes.length === 0) throw new ValidationError(`no live node hosts ${GA_ISLAND_TYPE} cells`);
      // Islands are spread round-robin, from a random node (so runs do not all start on the same one).
      const offset = Number.parseInt(randomBytes(1).toString('hex'), 16) % nodes.length;
      const placed = configs.map((config, index) => ({
        id: `ga-${run}-${index}`,
        type: GA_ISLAND_TYPE,
        config,
        node: nodes[(index + offset) % nodes.length] as string,
        epoch: 1,
        createdAt: Date.now(),
      }));
      await Promise.all(placed.map((spec) => options.create(spec)));
      transport.publish(subjects.event(EVOLUTION_EVENT.started, options.nodeId), EVOLUTION_EVENT.started, {
        run,
        islands: count,
        island,
        by,
        ...(typeof req.reason === 'string' ? { reason: req.reason } : {}),
      });
      logger.info({ run, islands: count, by }, 'evolution run started');
      return { run, islands: placed.map(({ id, node }) => ({ id, node })) };
    },

    'evolve.stop': async (): Promise<{ run: string | null; stopped: number }> => {
      const islands = await islandsOf();
      const results = await Promise.allSettled(islands.map((s) => ask(s.id, 'ga.stop')));
      const run = runOf(islands[0]);
      transport.publish(subjects.event(EVOLUTION_EVENT.stopped, options.nodeId), EVOLUTION_EVENT.stopped, { run });
      return { run, stopped: results.filter((r) => r.status === 'fulfilled').length };
    },

    'evolve.configure': async (msg: { body: unknown }): Promise<{ run: string | null; islands: number }> => {
      const set = body(msg).set;
      if (set === null || typeof set !== 'object' || Array.isArray(set) || Object.keys(set).length === 0) {
        throw new ValidationError('evolve.configure needs set: { setting: value, … }', { data: { field: 'set' } });
      }
      const islands = await islandsOf();
      if (islands.length === 0) throw new ValidationError('no evolution run: start one with hms evolve start');
      // The first island validates; a refused setting reaches no island.
      const [first, ...rest] = islands as [CellSpec, ...CellSpec[]];
      await ask(first.id, 'ga.configure', { set });
      await Promise.all(rest.map((s) => ask(s.id, 'ga.configure', { set })));
      return { run: runOf(first), islands: islands.length };
    },

    'evolve.status': async (): Promise<EvolutionStatus> => {
      const specs = await list();
      const islands = islandsIn(specs);
      const statuses = await Promise.all(
        islands.map(async (s): Promise<IslandStatus> => {
          try {
            return (await ask(s.id, 'status')) as IslandStatus;
          } catch {
            return unreachable(s);
          }
        }),
      );
      const tuner = specs.find((s) => s.type === ADAPTIVE_CONFIG_TYPE);
      const tuning = tuner ? await ask(tuner.id, 'status').catch(() => null) : null;
      return { run: runOf(islands[0]), islands: statuses, tuning };
    },

    'evolve.apply': async (msg: { body: unknown }) => {
      const tuner = await adaptiveConfig();
      if (!tuner) {
        throw new ValidationError(`no ${ADAPTIVE_CONFIG_TYPE} cell: hms agent create ${ADAPTIVE_CONFIG_TYPE}`);
      }
      return ask(tuner.id, 'apply', { set: body(msg).set, by: 'operator' });
    },
  };
}

function islandIndex(spec: CellSpec): number {
  const index = (spec.config as { index?: unknown } | null)?.index;
  return typeof index === 'number' ? index : 0;
}

function runOf(spec: CellSpec | undefined): string | null {
  const run = (spec?.config as { run?: unknown } | null | undefined)?.run;
  return typeof run === 'string' ? run : null;
}

function unreachable(spec: CellSpec): IslandStatus {
  const c = (spec.config ?? {}) as Record<string, unknown>;
  return {
    id: spec.id,
    node: spec.node,
    run: String(c.run ?? ''),
    index: islandIndex(spec),
    state: 'unreachable',
    objective: String(c.objective ?? ''),
    generation: 0,
    generations: Number(c.generations ?? 0),
    evaluations: 0,
    best: null,
    mean: null,
    diversity: null,
    mutationRate: null,
    migrantsIn: 0,
    migrantsOut: 0,
    history: [],
    resumedFrom: null,
    bestGenome: null,
  };
}
