import { randomBytes } from 'node:crypto';
import type { CellRegistry } from '../cell/cell-registry.js';
import type { CellHealth } from '../cell/cell-status.js';
import { HOST_MESSAGE } from '../cell/running-cell.js';
import type { Clock } from '../clock.js';
import { CONFIG_CHANGED } from '../config/config-changed.js';
import type { SwarmConfigStore, VersionedConfig } from '../config/swarm-config-store.js';
import { DRAIN_EVENT, type NodeDrains } from '../coordination/node-drains.js';
import { DEFAULT_NODE_CAPACITY, leastLoaded, type NodeLoad } from '../coordination/node-load.js';
import type { ElectionView } from '../election/election-runner.js';
import { type SeenLeader, watchLeader } from '../election/leader-watch.js';
import { NoRespondersError, NotFoundError, OverloadedError, RequestTimeoutError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ConsoleView } from '../node/console-view.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import { fetchNodeCellsById } from '../node/node-commands.js';
import type { Peer, PeerView } from '../node/peer-view.js';
import type { DesiredCells } from '../persistence/desired-cells.js';
import type { DesiredCellsView } from '../persistence/desired-cells-view.js';
import { EventLog, METRICS_LOG } from '../persistence/event-log.js';
import type { SnapshotStore } from '../persistence/snapshot-store.js';
import type { IncomingMessage } from '../transport/message.js';
import { assertToken, CONTROL_QUEUE, type Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import {
  AGENT_PAGE,
  type AgentInfo,
  type AgentListPage,
  CONTROL_COMMAND,
  type CreateAgentRequest,
  type DrainReply,
  type DrainState,
  type NodeInfo,
  RECOVERY_MANAGER_TYPE,
  type SystemStatus,
} from './control-commands.js';
import { createEvolutionHandlers } from './evolution-control.js';
import { createLeaderRoute, SWARM_WIDE_COMMANDS } from './leader-route.js';

/** Later pages of one `agent.list` reuse the first page's sorted listing for this long, in millis. */
const SORTED_LIST_REUSE_MS = 10_000;

/** What the control server needs from its node. */
export interface ControlServerOptions {
  transport: Transport;
  subjects: Subjects;
  registry: CellRegistry;
  desired: DesiredCells;
  snapshots: SnapshotStore;
  config: SwarmConfigStore;
  peers: PeerView;
  nodeId: string;
  clock: Clock;
  logger: Logger;
  /** This node's view of the election: swarm-wide changes go to the leader. */
  election: () => ElectionView;
  /** Confirms the KV leader record still names this node for `term` (see {@link createLeaderRoute}). */
  confirmLeadership: (term: number) => Promise<boolean>;
  /** How long a swarm-wide change waits for a leader before it is refused, in millis; default 5000. */
  leaderWaitMs?: number;
  /**
   * The node's watched copy of the desired cells: lists come from memory, and placement counts
   * each node's cells without listing them (so a create costs the same at any swarm size).
   */
  view: DesiredCellsView;
  /** How long create/destroy wait for the cell to start or stop, in millis; default 10000. */
  settleTimeoutMs?: number;
  /** The swarm's connected consoles (CLI sessions), shown in `system.status`; none when omitted. */
  consoles?: ConsoleView;
  /** The swarm's drained nodes: they take no new cells; `node.list` and `system.status` show them. */
  drains: NodeDrains;
  /** Called after each command served here: its handling time in nanoseconds, its error if it failed. */
  onCommand?: (command: string, elapsedNs: number, error?: unknown) => void;
  /** This node's rebalancing progress while it leads and rebalances, else null. */
  rebalancing?: () => { moved: number; inFlight: number; remaining: number; startedAt: number } | null;
}

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * Serves `hms.<swarm>.ctl.*` in the `hms-ctl` queue group: any node can answer any query, since
 * everything it answers from is shared (desired cells in KV, heartbeats of every node); the
 * swarm-wide changes among the commands are forwarded to the leader ({@link createLeaderRoute}).
 */
export function createControlServer(options: ControlServerOptions) {
  const { transport, subjects, registry, desired, snapshots, config, peers, logger, drains } = options;
  const settleMs = options.settleTimeoutMs ?? 10_000;
  // Leader and term from the leader's own heartbeats: fresh within 100 ms of an election.
  // Only voting members' heartbeats count, as in the election itself.
  const leaderSeen = watchLeader(transport, subjects, (id) => options.election().members.includes(id));

  const { view } = options;
  const listSpecs = () => view.list();
  /**
   * The desired cells in id order, as `agent.list` pages them: sorted once and reused by the
   * following pages for a moment — sorting 100,000 specs for each of 100 pages made `hms agent
   * list` time out at that size. A page may therefore be up to this old; the list was never one
   * instant's view anyway, with cells created and moved while it is paged through.
   */
  let sorted: { at: number; specs: Awaited<ReturnType<typeof listSpecs>> } | null = null;
  const sortedSpecs = async () => {
    const now = Date.now();
    if (sorted && now - sorted.at < SORTED_LIST_REUSE_MS) return sorted.specs;
    const specs = (await listSpecs()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    sorted = { at: now, specs };
    return specs;
  };
  /** Cells picked for a node whose creation the watch has not delivered yet, per node. */
  const placing = new Map<string, number>();

  /** The live node with the lowest fill after taking one more; overloaded and drained nodes take none. */
  const pickNode = (): string => {
    const drained = drains.current();
    const alive = peers.alive().filter((p) => !(p.node in drained));
    const open = alive.filter((p) => !p.heartbeat.overload);
    if (open.length === 0) {
      if (alive.length === 0) {
        throw new NotFoundError(
          Object.keys(drained).length
            ? `no schedulable live node to place the cell on (drained: ${Object.keys(drained).sort().join(', ')})`
            : 'no live node to place the cell on',
        );
      }
      throw overloaded(alive);
    }
    const best = leastLoaded(
      open.map(
        (p): NodeLoad => ({
          node: p.node,
          cells: view.assignedTo(p.node) + (placing.get(p.node) ?? 0),
          capacity: p.heartbeat.capacity ?? DEFAULT_NODE_CAPACITY,
        }),
      ),
    ) as NodeLoad;
    return best.node;
  };

  /** The health of cells `ids` wherever a live node runs them (heartbeats carry only those needing attention). */
  const gatherCells = async (ids: readonly string[]): Promise<CellHealth[]> => {
    const wanted = new Set(ids);
    const pages = await Promise.all(
      peers.alive().map((p) =>
        fetchNodeCellsById(transport, subjects, p.node, ids).catch((err: unknown) => {
          logger.warn({ err, node: p.node }, 'node did not list its cells');
          return p.heartbeat.cells.filter((c) => wanted.has(c.id));
        }),
      ),
    );
    return pages.flat();
  };

  /** Resolves when the lifecycle event `type` of cell `id` is seen, after `action` ran. */
  const settle = async (type: string, id: string, action: () => Promise<unknown>) => {
    let resolve!: (body: unknown) => void;
    const seen = new Promise<unknown>((r) => {
      resolve = r;
    });
    const sub = transport.subscribe(subjects.event(type, id), (m) => resolve(m.body));
    let timer: NodeJS.Timeout | undefined;
    try {
      await transport.flush();
      await action();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RequestTimeoutError(`cell ${id}: no ${type} within ${settleMs} ms`)),
          settleMs,
        );
      });
      return await Promise.race([seen, timeout]);
    } finally {
      clearTimeout(timer);
      sub.unsubscribe();
    }
  };

  /** Where the drain of `node` stands, given the drained nodes just read. */
  const drainState = (node: string, cellCount: number): { drain?: DrainState } =>
    node in drains.current() ? { drain: view.assignedTo(node) + cellCount > 0 ? 'draining' : 'drained' } : {};

  /** Marks `node` drained or schedulable again (on the leader), announcing the change. */
  const setDrained = async (msg: IncomingMessage, drained: boolean): Promise<DrainReply> => {
    const node = field(msg.body, 'node');
    assertToken(node, 'node');
    const known =
      peers.list().some((p) => p.node === node) ||
      options.election().members.includes(node) ||
      view.assignedTo(node) > 0 ||
      node in (await drains.load());
    if (!known) throw new NotFoundError(`unknown node ${node}`, { data: { field: 'node', node } });
    const { changed } = await drains.change(node, drained, msg.from);
    const cells = view.assignedTo(node);
    if (changed) {
      const type = drained ? DRAIN_EVENT.draining : DRAIN_EVENT.undrained;
      logger.info({ node, cells, by: msg.from }, drained ? 'node draining' : 'node undrained');
      transport.publish(subjects.event(type, node), type, { node, cells, by: msg.from }, { from: options.nodeId });
    }
    return { node, drained, cells, changed };
  };

  /** Tells every node that a configuration version was written. */
  const announce = (written: VersionedConfig): VersionedConfig => {
    transport.publish(subjects.event(CONFIG_CHANGED, options.nodeId), CONFIG_CHANGED, { version: written.version });
    return written;
  };

  const handlers: Record<string, (msg: IncomingMessage) => Promise<unknown> | unknown> = {
    [CONTROL_COMMAND.cellTypes]: () => registry.list(),

    [CONTROL_COMMAND.nodeDrain]: (msg) => setDrained(msg, true),

    [CONTROL_COMMAND.nodeUndrain]: (msg) => setDrained(msg, false),

    [CONTROL_COMMAND.nodeList]: async (): Promise<NodeInfo[]> => {
      await drains.load();
      return peers.list().map(({ heartbeat: hb, ...p }) => ({
        ...p,
        host: hb.host,
        pid: hb.pid,
        version: hb.version,
        protocol: hb.protocol,
        cells: hb.cellCount,
        eventLoopLagMs: hb.eventLoopLagMs,
        rssBytes: hb.rssBytes,
        malformed: hb.malformed,
        metricsUrl: hb.metricsUrl,
        configVersion: hb.configVersion,
        intervalMs: hb.intervalMs,
        ...roleOf(p.node, hb.election, leaderSeen.watch.current()),
        ...drainState(p.node, p.status === 'alive' ? hb.cellCount : 0),
      }));
    },

    [CONTROL_COMMAND.systemStatus]: async (): Promise<SystemStatus> => {
      const [current] = await Promise.all([config.read(), drains.load()]);
      const alive = peers.alive();
      const total = view.isSynced ? view.size : (await desired.list()).length;
      const byStatus: Record<string, number> = {};
      let hosted = 0;
      for (const p of alive) {
        for (const [status, n] of Object.entries(p.heartbeat.counts ?? {})) {
          byStatus[status] = (byStatus[status] ?? 0) + (n ?? 0);
          hosted += n ?? 0;
        }
      }
      if (total > hosted) byStatus.unplaced = total - hosted;
      const seen = leaderSeen.watch.current();
      const term = Math.max(seen.term, ...alive.map((p) => p.heartbeat.election?.term ?? 0));
      const leaders = new Set(alive.map((p) => p.heartbeat.election?.leader ?? null));
      // A leader heard in the highest term is the answer; node heartbeats are a second behind.
      const leader =
        seen.leader !== null && seen.term >= term ? seen.leader : leaders.size === 1 ? ([...leaders][0] ?? null) : null;
      const rebalance = alive.find((p) => p.node === leader)?.heartbeat.rebalance ?? null;
      return {
        swarm: subjects.swarm,
        leader,
        term,
        members: options.election().members,
        rebalance,
        configVersion: current.version,
        config: current.config,
        nodes: peers.list().map((p) => ({
          node: p.node,
          status: p.status,
          cells: p.heartbeat.cellCount,
          capacity: p.heartbeat.capacity ?? DEFAULT_NODE_CAPACITY,
          version: p.heartbeat.version,
          ...roleOf(p.node, p.heartbeat.election, seen),
          configVersion: p.heartbeat.configVersion,
          intervalMs: p.heartbeat.intervalMs,
          ...drainState(p.node, p.status === 'alive' ? p.heartbeat.cellCount : 0),
        })),
        overloaded: alive.filter((p) => p.heartbeat.overload).map((p) => p.node),
        cells: { total, byStatus },
        consoles: options.consoles?.list() ?? [],
      };
    },

    [CONTROL_COMMAND.systemConfigure]: async (msg) => {
      const set = field(msg.body, 'set');
      if (set === null || typeof set !== 'object' || Array.isArray(set) || Object.keys(set).length === 0) {
        throw new ValidationError('system.configure needs set: { key: value, … }', { data: { field: 'set' } });
      }
      return announce(await config.change(set as Record<string, unknown>));
    },

    [CONTROL_COMMAND.healTrigger]: async (msg) => {
      const id = field(msg.body, 'id');
      assertToken(id, 'cell id');
      if (!(await desired.get(id))) throw new NotFoundError(`unknown cell id ${id}`, { data: { id } });
      return settle(LIFECYCLE_EVENT.healed, id, async () => {
        transport.publish(subjects.event(LIFECYCLE_EVENT.healRequested, id), LIFECYCLE_EVENT.healRequested, {
          by: msg.from,
        });
      });
    },

    [CONTROL_COMMAND.healStatus]: async () => {
      const manager = (await listSpecs()).find((s) => s.type === RECOVERY_MANAGER_TYPE);
      if (!manager) {
        throw new NotFoundError(
          `no ${RECOVERY_MANAGER_TYPE} cell: create one with hms agent create ${RECOVERY_MANAGER_TYPE}`,
        );
      }
      return transport.request(subjects.cellInbox(manager.id), 'status', undefined, { timeout: 2000 });
    },

    [CONTROL_COMMAND.metricsQuery]: async (msg) => {
      const cell = field(msg.body, 'cell');
      if (cell !== undefined) assertToken(cell, 'cell id');
      const limit = field(msg.body, 'limit') ?? 12;
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new ValidationError('limit must be a whole number from 1 to 1000', { data: { field: 'limit' } });
      }
      const log = await EventLog.open(transport, subjects.swarm, METRICS_LOG, logger);
      return (await log.recent(limit)).map(({ at, body }) => {
        // Samples name the swarm's busiest cells in `busiest`; earlier samples listed every cell in `cells`.
        const cells = ((body.busiest ?? body.cells) as Array<{ id: string }> | undefined) ?? [];
        return { at, nodes: body.nodes, cells: cell ? cells.filter((c) => c.id === cell) : cells };
      });
    },

    [CONTROL_COMMAND.systemReset]: async () => announce(await config.reset()),

    [CONTROL_COMMAND.agentList]: async (msg): Promise<AgentListPage> => {
      const offset = field(msg.body, 'offset') ?? 0;
      const limit = field(msg.body, 'limit') ?? AGENT_PAGE;
      for (const [name, value, max] of [
        ['offset', offset, Number.MAX_SAFE_INTEGER],
        ['limit', limit, AGENT_PAGE],
      ] as const) {
        if (
          typeof value !== 'number' ||
          !Number.isInteger(value) ||
          value < (name === 'limit' ? 1 : 0) ||
          value > max
        ) {
          throw new ValidationError(`${name} must be a whole number up to ${max}`, { data: { field: name } });
        }
      }
      // The first page sorts afresh; the following ones reuse that order.
      if (offset === 0) sorted = null;
      const all = await sortedSpecs();
      const specs = all.slice(offset as number, (offset as number) + (limit as number));
      const cells = await gatherCells(specs.map((s) => s.id));
      const copiesOf = new Map<string, CellHealth[]>();
      for (const c of cells) copiesOf.set(c.id, [...(copiesOf.get(c.id) ?? []), c]);
      const agents = specs.map((s): AgentInfo => {
        const h = copiesOf.get(s.id)?.find((c) => c.node === s.node);
        return {
          id: s.id,
          type: s.type,
          node: s.node,
          status: h ? h.status : 'unplaced',
          state: h?.state ?? null,
          mailbox: h?.mailbox ?? 0,
          handled: h?.handled ?? 0,
          errors: h?.errors ?? 0,
          restarts: h?.restarts ?? 0,
          copies: copiesOf.get(s.id)?.length ?? 0,
        };
      });
      return { total: all.length, offset: offset as number, agents };
    },

    [CONTROL_COMMAND.agentStatus]: async (msg) => {
      const id = field(msg.body, 'id');
      assertToken(id, 'cell id');
      try {
        return await transport.request(subjects.cellInbox(id), HOST_MESSAGE.status, undefined, {
          timeout: 2000,
        });
      } catch (err) {
        if (!(err instanceof NoRespondersError)) throw err;
        const spec = await desired.get(id);
        if (!spec) throw new NotFoundError(`unknown cell id ${id}`, { data: { id } });
        return { id, type: spec.type, node: spec.node, status: 'unplaced' };
      }
    },

    [CONTROL_COMMAND.agentCreate]: async (msg) => {
      const req = (msg.body ?? {}) as CreateAgentRequest;
      if (typeof req.type !== 'string') {
        throw new ValidationError('agent.create needs a type', { data: { field: 'type' } });
      }
      const definition = registry.get(req.type);
      definition.config(req.config);
      const id = req.id ?? `${req.type}-${randomBytes(3).toString('hex')}`;
      assertToken(id, 'cell id');
      // A list: a string would be taken letter by letter as cell ids, a number would throw a TypeError.
      if (req.dependsOn !== undefined && !Array.isArray(req.dependsOn)) {
        throw new ValidationError('dependsOn must be a list of cell ids', { data: { field: 'dependsOn' } });
      }
      for (const dep of req.dependsOn ?? []) assertToken(dep, 'dependsOn cell id');
      if (req.node !== undefined) {
        assertToken(req.node, 'node');
        const target = peers.alive().find((p) => p.node === req.node);
        if (!target) throw new NotFoundError(`no live node ${req.node}`, { data: { field: 'node' } });
        if (req.node in drains.current()) {
          throw new ValidationError(
            `node ${req.node} is drained: it takes no new cells (hms node undrain ${req.node})`,
            {
              data: { field: 'node' },
            },
          );
        }
        if (target.heartbeat.overload) throw overloaded([target]);
      }
      const node = req.node ?? pickNode();
      placing.set(node, (placing.get(node) ?? 0) + 1);
      try {
        await settle(LIFECYCLE_EVENT.started, id, () =>
          desired.create({
            id,
            type: req.type,
            config: req.config ?? {},
            node,
            epoch: 1,
            createdAt: Date.now(),
            ...(req.dependsOn?.length ? { dependsOn: req.dependsOn } : {}),
            ...(req.node === undefined ? {} : { pin: req.node }),
          }),
        );
      } finally {
        const n = (placing.get(node) ?? 1) - 1;
        if (n <= 0) placing.delete(node);
        else placing.set(node, n);
      }
      return { id, type: req.type, node };
    },

    [CONTROL_COMMAND.agentDestroy]: async (msg) => {
      const id = field(msg.body, 'id');
      assertToken(id, 'cell id');
      const spec = await desired.get(id);
      if (!spec) throw new NotFoundError(`unknown cell id ${id}`, { data: { id } });
      // A live owner stops the cell (also one it gave up on) and discards its snapshot.
      if (peers.alive().some((p) => p.node === spec.node)) {
        await settle(LIFECYCLE_EVENT.stopped, id, () => desired.remove(id));
      } else {
        // No live owner to discard its snapshot: do it here.
        await desired.remove(id);
        await snapshots.remove(id);
      }
      return { id, destroyed: true };
    },
  };

  Object.assign(
    handlers,
    createEvolutionHandlers({
      transport,
      subjects,
      registry,
      list: listSpecs,
      peers,
      nodeId: options.nodeId,
      logger,
      ...(options.rebalancing ? { rebalancing: options.rebalancing } : {}),
      create: (spec) => settle(LIFECYCLE_EVENT.started, spec.id, () => desired.create(spec)),
      schedulable: (node) => !(node in drains.current()),
      destroy: (spec) =>
        peers.alive().some((p) => p.node === spec.node)
          ? settle(LIFECYCLE_EVENT.stopped, spec.id, () => desired.remove(spec.id))
          : desired.remove(spec.id).then(() => snapshots.remove(spec.id)),
    }),
  );

  const route = createLeaderRoute({
    transport,
    subjects,
    nodeId: options.nodeId,
    clock: options.clock,
    logger,
    election: options.election,
    confirmLeadership: options.confirmLeadership,
    handle: async (command, msg) => (handlers[command] as (m: IncomingMessage) => unknown)(msg),
    ...(options.leaderWaitMs === undefined ? {} : { leaderWaitMs: options.leaderWaitMs }),
  });

  const sub = transport.subscribe(
    subjects.controlPattern(),
    async (msg) => {
      const command = subjects.parseControl(msg.subject) ?? '';
      // Own commands only: `constructor`, `toString` and the rest of Object.prototype are not.
      const handler = Object.hasOwn(handlers, command) ? handlers[command] : undefined;
      if (!handler) {
        msg.fail(new NotFoundError(`unknown control command ${command}`));
        return;
      }
      logger.debug({ command, from: msg.from }, 'control command');
      const started = process.hrtime.bigint();
      const took = () => Number(process.hrtime.bigint() - started);
      try {
        msg.respond(await (SWARM_WIDE_COMMANDS.has(command) ? route.forward(command, msg) : handler(msg)));
      } catch (err) {
        options.onCommand?.(command, took(), err);
        throw err;
      }
      options.onCommand?.(command, took());
    },
    { queue: CONTROL_QUEUE },
  );

  return {
    async stop() {
      leaderSeen.stop();
      await sub.drain();
      await route.stop();
    },
  };
}

/**
 * A node's role and term, corrected by the leader heartbeats seen: the node sending them is the
 * leader, and one whose last heartbeat still says leader in an older term is not any more.
 */
function roleOf(
  node: string,
  election: { role: string; term: number } | null | undefined,
  seen: SeenLeader,
): { role: string; term: number } {
  const role = election?.role ?? 'none';
  const term = election?.term ?? 0;
  if (seen.leader === node) return { role: 'leader', term: Math.max(term, seen.term) };
  if (role === 'leader' && seen.leader !== null && term <= seen.term) return { role: 'follower', term };
  return { role, term };
}

/** The refusal of a create while `nodes` are over their limits. */
function overloaded(nodes: Peer[]): OverloadedError {
  const why = nodes.map((p) => `${p.node} (${p.heartbeat.overload?.reasons.join(', ') ?? 'overloaded'})`).join(', ');
  return new OverloadedError(`overloaded: no node can take a new cell now: ${why}; try again shortly`, {
    data: { nodes: nodes.map((p) => p.node) },
  });
}
