import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CellHealth } from '../cell/cell-status.js';
import type { PluginStatus } from '../plugins/plugin-status.js';
import type { CallTraceBatch } from '../resilience/call-trace.js';

/** What a node publishes on `hms.<swarm>.hb.<nodeId>` every heartbeat interval. */
export interface NodeHeartbeat {
  node: string;
  host: string;
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
  /** Health of the cells hosted here (not running ones first when truncated). */
  cells: CellHealth[];
  /** How many cells this node hosts. */
  cellCount: number;
  /** True when `cells` lists only some of them (see HEARTBEAT_MAX_CELLS). */
  truncated: boolean;
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
