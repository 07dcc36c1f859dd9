import type { SwarmConfigStore } from '../config/swarm-config-store.js';
import type { NodeDrains } from '../coordination/node-drains.js';
import { DEFAULT_NODE_CAPACITY } from '../coordination/node-load.js';
import type { ElectionView } from '../election/election-runner.js';
import type { SeenLeader } from '../election/leader-watch.js';
import type { ConsoleView } from '../node/console-view.js';
import type { PeerView } from '../node/peer-view.js';
import type { DesiredCells } from '../persistence/desired-cells.js';
import type { DesiredCellsView } from '../persistence/desired-cells-view.js';
import type { DrainState, NodeInfo, SystemStatus } from './control-commands.js';

/** What {@link createSwarmStatus} reads. */
export interface SwarmStatusOptions {
  swarm: string;
  peers: PeerView;
  view: DesiredCellsView;
  desired: DesiredCells;
  config: SwarmConfigStore;
  drains: NodeDrains;
  election: () => ElectionView;
  /** The leader as its own raft heartbeats name it (fresh within 100 ms of an election). */
  leaderSeen: () => SeenLeader;
  consoles?: ConsoleView;
}

/**
 * `node.list` and `system.status`: the swarm as this node sees it, from the heartbeats of every
 * node, the leader's raft heartbeats, the desired cells and the drained nodes.
 */
export function createSwarmStatus(options: SwarmStatusOptions) {
  const { peers, view, desired, config, drains } = options;

  /** Where the drain of `node` stands, given the drained nodes just read. */
  const drainState = (node: string, cellCount: number): { drain?: DrainState } =>
    node in drains.current() ? { drain: view.assignedTo(node) + cellCount > 0 ? 'draining' : 'drained' } : {};

  const nodeList = async (): Promise<NodeInfo[]> => {
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
      ...roleOf(p.node, hb.election, options.leaderSeen()),
      ...drainState(p.node, p.status === 'alive' ? hb.cellCount : 0),
    }));
  };

  const systemStatus = async (): Promise<SystemStatus> => {
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
    const seen = options.leaderSeen();
    const term = Math.max(seen.term, ...alive.map((p) => p.heartbeat.election?.term ?? 0));
    const leaders = new Set(alive.map((p) => p.heartbeat.election?.leader ?? null));
    // A leader heard in the highest term is the answer; node heartbeats are a second behind.
    const leader =
      seen.leader !== null && seen.term >= term ? seen.leader : leaders.size === 1 ? ([...leaders][0] ?? null) : null;
    const rebalance = alive.find((p) => p.node === leader)?.heartbeat.rebalance ?? null;
    return {
      swarm: options.swarm,
      leader,
      term,
      members: options.election().members,
      rebalance,
      configVersion: current.version,
      config: current.config,
      scoped: current.scoped,
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
  };

  return { nodeList, systemStatus };
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
