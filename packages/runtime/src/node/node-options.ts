import type { CellRegistry } from '../cell/cell-registry.js';
import type { Clock } from '../clock.js';
import type { ElectionTiming } from '../election/election-core.js';
import type { Logger } from '../logger.js';
import type { NodePluginOptions } from '../plugins/node-plugins.js';
import type { RestartIntensity } from '../supervision/restart-intensity.js';
import type { Transport } from '../transport/transport.js';

/** Options of `createNode` (node-host.ts). */
export interface NodeOptions {
  /** This node's id, one subject token, unique in the swarm (e.g. `node-1`). */
  nodeId: string;
  swarm: string;
  transport: Transport;
  registry: CellRegistry;
  logger: Logger;
  clock?: Clock;
  /** Heartbeat interval, in millis; default 1000. */
  heartbeatMs?: number;
  /** How often cells may crash before the node gives up on them; see {@link RestartIntensity}. */
  restartIntensity?: RestartIntensity;
  /** The longest a cell's change may wait before its snapshot is saved, in millis; default 100. */
  snapshotMaxStaleMs?: number;
  /** Leader-election timing; default 500–1000 ms timeouts, 100 ms leader heartbeats. */
  electionTiming?: ElectionTiming;
  /**
   * A directory for this node's own durable state (its election term and vote); default: the
   * vote is kept in KV, which makes elections wait for JetStream when it is slow.
   */
  dataDir?: string;
  /**
   * Whether cells stop taking messages while this node is cut off from the majority; default
   * true. (A lone-node swarm is its own majority and never fences.)
   */
  fenceMinority?: boolean;
  /** How many cells this node is sized for; placement weighs nodes by it; default 10000. */
  capacity?: number;
  /** How long a swarm-wide change (create, destroy, configure) waits for a leader, in millis; default 5000. */
  leaderWaitMs?: number;
  /** Serve Prometheus metrics on this port (0: any free port); none when omitted. */
  metricsPort?: number;
  /** The address the metrics endpoint listens on; default 127.0.0.1. */
  metricsHost?: string;
  /** Built-in plugins and the swarm's plugins (loaded live into `registry`); none when omitted. */
  plugins?: NodePluginOptions;
}
