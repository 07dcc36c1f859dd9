import type { CellRegistry } from '../cell/cell-registry.js';
import { HOST_MESSAGE } from '../cell/running-cell.js';
import type { Clock } from '../clock.js';
import { CONFIG_CHANGED } from '../config/config-changed.js';
import type { SwarmConfigStore, VersionedConfig } from '../config/swarm-config-store.js';
import { DRAIN_EVENT, type NodeDrains } from '../coordination/node-drains.js';
import type { ElectionView } from '../election/election-runner.js';
import { watchLeader } from '../election/leader-watch.js';
import { NoRespondersError, NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ConsoleView } from '../node/console-view.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import type { PeerView } from '../node/peer-view.js';
import type { DesiredCells } from '../persistence/desired-cells.js';
import type { DesiredCellsView } from '../persistence/desired-cells-view.js';
import { EventLog, METRICS_LOG } from '../persistence/event-log.js';
import type { SnapshotStore } from '../persistence/snapshot-store.js';
import type { IncomingMessage } from '../transport/message.js';
import { assertToken, CONTROL_QUEUE, type Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { type AgentLifecycleOptions, createAgentLifecycle } from './agent-lifecycle.js';
import { createAgentListing } from './agent-listing.js';
import { bodyField } from './body-field.js';
import { CONTROL_COMMAND, type DrainReply, RECOVERY_MANAGER_TYPE } from './control-commands.js';
import { createEvolutionHandlers } from './evolution-control.js';
import { createLeaderRoute, SWARM_WIDE_COMMANDS } from './leader-route.js';
import { createSettle } from './lifecycle-settle.js';
import { createSwarmStatus } from './swarm-status.js';

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
  /** The placement policy in force, for creates without `--node` (see {@link AgentLifecycleOptions}). */
  placementPolicy?: AgentLifecycleOptions['placementPolicy'];
  /** A cell's traced callers and callees, for the `affinity` policy. */
  peersOf?: AgentLifecycleOptions['peersOf'];
  /** This node's rebalancing progress while it leads and rebalances, else null. */
  rebalancing?: () => { moved: number; inFlight: number; remaining: number; startedAt: number } | null;
}

/**
 * Serves `hms.<swarm>.ctl.*` in the `hms-ctl` queue group: any node can answer any query, since
 * everything it answers from is shared (desired cells in KV, heartbeats of every node); the
 * swarm-wide changes among the commands are forwarded to the leader ({@link createLeaderRoute}).
 */
export function createControlServer(options: ControlServerOptions) {
  const { transport, subjects, registry, desired, config, peers, logger, drains, view } = options;
  const settle = createSettle(transport, subjects, options.settleTimeoutMs ?? 10_000);
  // Leader and term from the leader's own heartbeats: fresh within 100 ms of an election.
  // Only voting members' heartbeats count, as in the election itself.
  const leaderSeen = watchLeader(transport, subjects, (id) => options.election().members.includes(id));
  const listAgents = createAgentListing({ transport, subjects, view, peers, logger });
  const status = createSwarmStatus({
    swarm: subjects.swarm,
    peers,
    view,
    desired,
    config,
    drains,
    election: options.election,
    leaderSeen: () => leaderSeen.watch.current(),
    ...(options.consoles ? { consoles: options.consoles } : {}),
  });
  const lifecycle = createAgentLifecycle({
    registry,
    desired,
    snapshots: options.snapshots,
    peers,
    view,
    drains,
    settle,
    ...(options.placementPolicy ? { placementPolicy: options.placementPolicy } : {}),
    ...(options.peersOf ? { peersOf: options.peersOf } : {}),
  });

  /** Marks `node` drained or schedulable again (on the leader), announcing the change. */
  const setDrained = async (msg: IncomingMessage, drained: boolean): Promise<DrainReply> => {
    const node = bodyField(msg.body, 'node');
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

    [CONTROL_COMMAND.nodeList]: status.nodeList,

    [CONTROL_COMMAND.systemStatus]: status.systemStatus,

    [CONTROL_COMMAND.systemConfigure]: async (msg) => {
      const set = bodyField(msg.body, 'set');
      if (set === null || typeof set !== 'object' || Array.isArray(set) || Object.keys(set).length === 0) {
        throw new ValidationError('system.configure needs set: { key: value, … }', { data: { field: 'set' } });
      }
      return announce(await config.change(set as Record<string, unknown>));
    },

    [CONTROL_COMMAND.healTrigger]: async (msg) => {
      const id = bodyField(msg.body, 'id');
      assertToken(id, 'cell id');
      if (!(await desired.get(id))) throw new NotFoundError(`unknown cell id ${id}`, { data: { id } });
      return settle(LIFECYCLE_EVENT.healed, id, async () => {
        transport.publish(subjects.event(LIFECYCLE_EVENT.healRequested, id), LIFECYCLE_EVENT.healRequested, {
          by: msg.from,
        });
      });
    },

    [CONTROL_COMMAND.healStatus]: async () => {
      const manager = (await view.list()).find((s) => s.type === RECOVERY_MANAGER_TYPE);
      if (!manager) {
        throw new NotFoundError(
          `no ${RECOVERY_MANAGER_TYPE} cell: create one with hms agent create ${RECOVERY_MANAGER_TYPE}`,
        );
      }
      return transport.request(subjects.cellInbox(manager.id), 'status', undefined, { timeout: 2000 });
    },

    [CONTROL_COMMAND.metricsQuery]: async (msg) => {
      const cell = bodyField(msg.body, 'cell');
      if (cell !== undefined) assertToken(cell, 'cell id');
      const limit = bodyField(msg.body, 'limit') ?? 12;
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

    [CONTROL_COMMAND.agentList]: (msg) => listAgents(msg.body),

    [CONTROL_COMMAND.agentStatus]: async (msg) => {
      const id = bodyField(msg.body, 'id');
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

    [CONTROL_COMMAND.agentCreate]: lifecycle.create,

    [CONTROL_COMMAND.agentDestroy]: lifecycle.destroy,
  };

  Object.assign(
    handlers,
    createEvolutionHandlers({
      transport,
      subjects,
      registry,
      list: () => view.list(),
      peers,
      nodeId: options.nodeId,
      logger,
      ...(options.rebalancing ? { rebalancing: options.rebalancing } : {}),
      create: (spec) => settle(LIFECYCLE_EVENT.started, spec.id, () => desired.create(spec)),
      schedulable: (node) => !(node in drains.current()),
      destroy: lifecycle.remove,
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
