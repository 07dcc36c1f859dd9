import type { CellHealth } from '../cell/cell-status.js';
import type { ConsoleInfo } from '../node/console-view.js';
import type { Peer } from '../node/peer-view.js';

/** The control-plane commands, served on `hms.<swarm>.ctl.<command>`. */
export const CONTROL_COMMAND = {
  agentList: 'agent.list',
  agentCreate: 'agent.create',
  agentDestroy: 'agent.destroy',
  agentStatus: 'agent.status',
  nodeList: 'node.list',
  /** Marks a node unschedulable and moves its cells off (body `{ node }`); the leader does it. */
  nodeDrain: 'node.drain',
  /** Makes a drained node schedulable again (body `{ node }`). */
  nodeUndrain: 'node.undrain',
  cellTypes: 'cell.types',
  systemStatus: 'system.status',
  systemConfigure: 'system.configure',
  systemReset: 'system.reset',
  healTrigger: 'heal.trigger',
  healStatus: 'heal.status',
  metricsQuery: 'metrics.query',
  evolveStart: 'evolve.start',
  evolveStop: 'evolve.stop',
  evolveStatus: 'evolve.status',
  evolveConfigure: 'evolve.configure',
  evolveApply: 'evolve.apply',
} as const;

/**
 * The control commands that only read: the observer role may send these and no other. Every
 * other command changes the swarm (create, destroy, configure, trigger, start, stop, apply).
 */
export const READ_ONLY_CONTROL_COMMANDS: readonly ControlCommand[] = [
  CONTROL_COMMAND.agentList,
  CONTROL_COMMAND.agentStatus,
  CONTROL_COMMAND.nodeList,
  CONTROL_COMMAND.cellTypes,
  CONTROL_COMMAND.systemStatus,
  CONTROL_COMMAND.healStatus,
  CONTROL_COMMAND.metricsQuery,
  CONTROL_COMMAND.evolveStatus,
];

/** Body of `metrics.query`: the latest samples of the metrics history, optionally of one cell. */
export interface MetricsQuery {
  /** Only this cell's figures. */
  cell?: string;
  /** How many samples, newest last; default 12. */
  limit?: number;
}

/** The cell type whose cells keep the healing history (`hms heal status` asks the first). */
export const RECOVERY_MANAGER_TYPE = 'recovery-manager';

/** What `hms system status` shows. */
export interface SystemStatus {
  swarm: string;
  /** The leader every live node agrees on, or null (none yet, or no majority). */
  leader: string | null;
  /** The highest election term the live nodes report. */
  term: number;
  /** The voting members of the election (a dead node stays one until it leaves gracefully). */
  members: string[];
  /** The leader's rebalancing progress, or null when placement is even. */
  rebalance: { moved: number; inFlight: number; remaining: number; startedAt: number } | null;
  configVersion: number;
  config: Record<string, number>;
  /** Scoped values (`request.timeoutMs@edge:pinger:echo` → 1500); absent from leaders before they existed. */
  scoped?: Record<string, number>;
  nodes: Array<{
    node: string;
    status: string;
    role: string;
    term: number;
    cells: number;
    /** Cells it is sized for; placement weighs by it. */
    capacity: number;
    /** Its HMS version; undefined for a node older than heartbeats that carry it. */
    version: string | undefined;
    configVersion: number;
    intervalMs: number;
    /** Set while the node is drained (`hms node drain`). */
    drain?: DrainState;
  }>;
  /** Nodes over their limits now (they take no new cells). */
  overloaded?: string[];
  cells: { total: number; byStatus: Record<string, number> };
  /** Consoles (long-running CLI sessions) connected now; they never vote nor host cells. */
  consoles?: ConsoleInfo[];
}

export type ControlCommand = (typeof CONTROL_COMMAND)[keyof typeof CONTROL_COMMAND];

/** A cell as `hms agent list` shows it: its desired spec joined with its reported health. */
export interface AgentInfo {
  id: string;
  type: string;
  node: string;
  /**
   * A {@link CellHealth} status (`failed` = escalated); `unknown` when its node did not answer
   * in time (paused, or its heartbeats are late: see {@link AgentListPage.unanswered}); `unplaced`
   * when no live node reports it.
   */
  status: CellHealth['status'] | 'unknown' | 'unplaced';
  state: unknown;
  mailbox: number;
  handled: number;
  errors: number;
  restarts: number;
  /** How many live nodes report running a copy: 1 normally, 0 while it moves, 2+ only transiently after a partition heals. */
  copies: number;
}

/** How many cells one `agent.list` page carries (a page must fit in one NATS message). */
export const AGENT_PAGE = 1000;

/** One page of `agent.list` (body `{ offset?, limit? }`), in id order. */
export interface AgentListPage {
  /** Desired cells in the swarm. */
  total: number;
  offset: number;
  agents: AgentInfo[];
  /** Nodes believed running that did not report their cells in time: their cells are `unknown`. */
  unanswered?: string[];
}

/** Body of `agent.create`. */
export interface CreateAgentRequest {
  type: string;
  /** Default: `<type>-<6 random chars>`. */
  id?: string;
  config?: unknown;
  /**
   * Pin to this node: rebalancing never moves it away, and if the node dies it runs elsewhere
   * until the node is back. Default: the live node the placement policy chooses
   * (`placement.policy`; spread: the lowest fill, cells / capacity).
   */
  node?: string;
  /** Cells this one depends on (rest-for-one: it restarts when one of them crashes). */
  dependsOn?: string[];
}

/**
 * Where a drain stands: `draining` while desired cells still name the node, then `drained`.
 * Absent for a schedulable node.
 */
export type DrainState = 'draining' | 'drained';

/** The answer to `node.drain` / `node.undrain`. */
export interface DrainReply {
  node: string;
  /** Whether the node is unschedulable now. */
  drained: boolean;
  /** Desired cells assigned to it when the command was carried out. */
  cells: number;
  /** False when it was already in the state asked for. */
  changed: boolean;
}

/** A node as `hms node list` shows it. */
export type NodeInfo = Omit<Peer, 'heartbeat'> & {
  /** Set while the node is drained (`hms node drain`). */
  drain?: DrainState;
  host: string;
  pid: number;
  /** Its HMS version; undefined for a node older than heartbeats that carry it. */
  version: string | undefined;
  /** The message versions it speaks (see NodeHeartbeat.protocol); undefined for an older node. */
  protocol: string[] | undefined;
  cells: number;
  eventLoopLagMs: number;
  rssBytes: number;
  malformed: number;
  metricsUrl: string | undefined;
  configVersion: number;
  intervalMs: number;
  role: string;
  term: number;
};
