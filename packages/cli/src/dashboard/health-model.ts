import type { BusyCell, ConsoleInfo } from '@hms/runtime';

/** How a node looks on the dashboard. */
export type NodeState = 'alive' | 'late' | 'down' | 'left';

/** One row of the nodes panel. */
export interface NodeRow {
  node: string;
  state: NodeState;
  /** Phi-accrual suspicion from heartbeat arrival here (0 = on time). */
  phi: number;
  role: string;
  term: number;
  cells: number;
  /** Event-loop lag p99, in millis. */
  lagMs: number;
  rssBytes: number;
  /** Its HMS version; undefined for a node older than heartbeats that carry it. */
  version: string | undefined;
  /** What is over its limit, or null. */
  overload: string | null;
  configVersion: number;
  /** Millis since its last heartbeat arrived. */
  silentMs: number;
  /** Its heartbeat interval, in millis. */
  intervalMs: number;
}

/** Something that happened, as the activity panels list it. */
export interface ActivityRow {
  /** Epoch millis. */
  at: number;
  type: string;
  /** The cell or node it is about. */
  about: string;
  text: string;
  severity: 'info' | 'warning' | 'critical';
  /** A crashed cell's restart is due at this epoch-millis time (its backoff), if one is. */
  restartAt?: number;
}

/** The overall status and why. */
export interface OverallHealth {
  level: 'healthy' | 'degraded' | 'critical';
  reason: string;
}

/** Everything the health view shows, at one instant. */
export interface HealthSnapshot {
  swarm: string;
  connected: boolean;
  /** From the leader's own raft heartbeats; null while none is heard. */
  leader: string | null;
  term: number;
  nodes: NodeRow[];
  /** Cells by status, summed over the nodes that are not down. */
  cellsByStatus: Record<string, number>;
  totalCells: number;
  /** The leader's rebalancing progress, or null. */
  rebalance: { moved: number; inFlight: number; remaining: number } | null;
  /** Healing actions of the last minute, newest first. */
  healing: ActivityRow[];
  /** Latest alerts, newest first. */
  alerts: ActivityRow[];
  consoles: ConsoleInfo[];
  /** The busiest cells of the swarm now (from the nodes' heartbeats), busiest first, at most 5. */
  busiest: Array<BusyCell & { node: string }>;
  /** Per node, messages handled per second at each of its recent heartbeats, oldest first. */
  rates: Record<string, number[]>;
  /** Millis since the dashboard started watching. */
  watchingMs: number;
}

/** How long a leaderless swarm is given at start-up before it counts as critical, in millis. */
const LEADER_GRACE_MS = 2000;

/** Judges the swarm: critical without a leader or with failed cells, degraded on anything else amiss. */
export function overallHealth(s: Omit<HealthSnapshot, never>): OverallHealth {
  if (!s.connected) return { level: 'critical', reason: 'disconnected from NATS' };
  const live = s.nodes.filter((n) => n.state === 'alive' || n.state === 'late');
  if (s.nodes.length === 0) {
    return s.watchingMs < LEADER_GRACE_MS
      ? { level: 'degraded', reason: 'waiting for node heartbeats' }
      : { level: 'critical', reason: 'no node heartbeats' };
  }
  if (s.leader === null && s.watchingMs >= LEADER_GRACE_MS) return { level: 'critical', reason: 'no leader' };
  const down = s.nodes.filter((n) => n.state === 'down');
  if (live.length * 2 <= s.nodes.filter((n) => n.state !== 'left').length) {
    return { level: 'critical', reason: `majority lost: ${down.map((n) => n.node).join(', ')} down` };
  }
  const failed = s.cellsByStatus.failed ?? 0;
  if (failed > 0) return { level: 'critical', reason: `${failed} cell(s) failed (escalated)` };
  const reasons: string[] = [];
  if (down.length) reasons.push(`${down.map((n) => n.node).join(', ')} down`);
  const late = s.nodes.filter((n) => n.state === 'late');
  if (late.length) reasons.push(`${late.map((n) => n.node).join(', ')} late`);
  const overloaded = s.nodes.filter((n) => n.overload);
  if (overloaded.length) reasons.push(`${overloaded.map((n) => n.node).join(', ')} overloaded`);
  const unwell = s.totalCells - (s.cellsByStatus.running ?? 0);
  if (unwell > 0) reasons.push(`${unwell} cell(s) not running`);
  if (s.rebalance) reasons.push(`rebalancing (${s.rebalance.remaining} to go)`);
  if (s.leader === null) reasons.push('no leader yet');
  return reasons.length
    ? { level: 'degraded', reason: reasons.join('; ') }
    : { level: 'healthy', reason: 'all nodes alive, all cells running' };
}

/** Phi as shown: one decimal, `99+` past that (a dead node's phi grows without bound). */
export function phiLabel(phi: number): string {
  return phi >= 99 ? '99+' : phi.toFixed(1);
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)}M`;
}

/** `hh:mm:ss` of an epoch-millis time, local. */
export function clockTime(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
