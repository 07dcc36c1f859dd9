import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CellHealth, CellStatus } from '../cell/cell-status.js';
import type { PluginStatus } from '../plugins/plugin-status.js';
import type { CallTraceBatch } from '../resilience/call-trace.js';

/** What a node publishes on `hms.<swarm>.hb.<nodeId>` every heartbeat interval. */
export interface NodeHeartbeat {
  node: string;
  host: string;
  /** The node's HMS version (`HMS_VERSION`, e.g. `0.1.0`); absent from nodes older than it. */
  version?: string;
  /**
   * The message schema versions it speaks: `hms/<n>` for HMS's own messages, then
   * `<cellType>:<messageType>/<v>` for each a cell type declares above 1; absent from older nodes.
   */
  protocol?: string[];
  pid: number;
  /** Epoch millis when the node started. */
  startedAt: number;
  /** Epoch millis when this heartbeat was sent. */
  ts: number;
  /** Increases by one with every heartbeat of this node process. */
  seq: number;
  /** The sender's heartbeat interval, in millis. */
  intervalMs: number;
  /** The swarm configuration version the node runs with (0: defaults, never configured). */
  configVersion: number;
  /**
   * The highest revision of the desired cells' bucket the node has seen or written: a peer whose
   * watch stays behind it resumes its watch (see guardWatch). Absent from older nodes.
   */
  cellsRevision?: number;
  /** The same for the plugin set's bucket. Absent from older nodes and nodes without plugins. */
  pluginsRevision?: number;
  /** True on the last heartbeat of a node that is shutting down (a graceful leave). */
  leaving: boolean;
  /** Cell types this node can host. */
  types: string[];
  /** How many cells this node is sized for; placement weighs by it (absent: the default). */
  capacity?: number;
  /** Rebalancing progress, from the leader while it rebalances. */
  rebalance?: { moved: number; inFlight: number; remaining: number; startedAt: number } | null;
  /** Event-loop delay, p99 over the last interval, in millis. */
  eventLoopLagMs: number;
  /** Event-loop utilization over the last interval, 0..1 (the share of time the loop was busy). */
  elu?: number;
  /** The calls this node's cells made to other cells since the previous heartbeat. */
  calls?: CallTraceBatch;
  /** Resident set size, in bytes. */
  rssBytes: number;
  /** Malformed messages dropped by this node since it started. */
  malformed: number;
  /** The node's view of the leader election. */
  election: { role: string; term: number; leader: string | null } | null;
  /** Where the node serves Prometheus metrics, if it does. */
  metricsUrl?: string;
  /** The plugins on this node: loaded, or failed with the reason (absent: a node without plugins). */
  plugins?: PluginStatus[];
  /**
   * The cells that need attention: every hosted cell that is not `running`, and every cell whose
   * status changed since the previous heartbeat (so a cell back to `running` is seen once). Not
   * every cell: a node's full list is asked for on demand (`ctl.cells.<nodeId>`), so heartbeats
   * stay the same size at any swarm size.
   */
  cells: CellHealth[];
  /** How many cells this node hosts. */
  cellCount: number;
  /** Hosted cells by status (`running`, `starting`, `crashed`, `failed`, …); absent statuses: 0. */
  counts: Partial<Record<CellStatus, number>>;
  /** Sums over the hosted cells (each cell's counters since it started on this node). */
  totals: CellTotals;
  /** The cells that handled the most messages since the previous heartbeat, with their rate; at most 10. */
  busiest: BusyCell[];
  /** True when `cells` was cut to HEARTBEAT_MAX_CELLS (not-running cells kept first). */
  truncated: boolean;
  /** Snapshot writes to JetStream: p90 latency (millis), waiting, done and failed since start. */
  store?: { latencyMs: number; queued: number; writes: number; failed: number };
  /** Present while this node is overloaded: what is over its limit. */
  overload?: OverloadStatus | null;
}

/** Sums over a node's cells, as heartbeats carry them. */
export interface CellTotals {
  /** Messages handled. */
  handled: number;
  /** Messages that failed. */
  errors: number;
  /** Restarts by the supervisor. */
  restarts: number;
  /** Messages waiting in the inboxes now. */
  mailbox: number;
}

/** One of a heartbeat's busiest cells. */
export interface BusyCell {
  id: string;
  type: string;
  status: CellStatus;
  handled: number;
  errors: number;
  mailbox: number;
  restarts: number;
  /** Messages handled per second since the previous heartbeat. */
  rate: number;
  /** Request latency, p90 over the requests answered since the previous heartbeat, in millis (absent: none answered). */
  latencyMs?: number;
}

/** Why a node is overloaded, as its heartbeats, `hms monitor health` and metrics show it. */
export interface OverloadStatus {
  /** Epoch millis when the overload began. */
  since: number;
  /** What is over its limit: `store-latency` (JetStream writes), `store-queue`, `event-loop`. */
  reasons: string[];
  /** Snapshot writes' latency, p90 over the last few seconds, in millis. */
  storeLatencyMs: number;
  /** Snapshot writes waiting for a slot. */
  storeQueued: number;
  /** Event-loop delay p99 over the last interval, in millis. */
  eventLoopLagMs: number;
}

/** Measures event-loop delay between heartbeats. */
export function createLoopLagMonitor(): { sampleMs(): number; stop(): void } {
  const resolutionMs = 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    sampleMs() {
      // The histogram's samples include the sampling timer's own period.
      const p99 = histogram.percentile(99) / 1e6 - resolutionMs;
      histogram.reset();
      return Number.isFinite(p99) ? Math.max(0, Math.round(p99 * 100) / 100) : 0;
    },
    stop: () => histogram.disable(),
  };
}

/** This machine's host name, as heartbeats report it. */
export const hostName = hostname();
