import type { CellRegistry } from '../cell/cell-registry.js';
import type { RebalanceProgress } from '../coordination/coordinator.js';
import { DEFAULT_NODE_CAPACITY } from '../coordination/node-load.js';
import type { ElectionRunner } from '../election/election-runner.js';
import type { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { HMS_VERSION } from '../plugins/hms-version.js';
import type { NodePlugins } from '../plugins/node-plugins.js';
import type { CallTrace } from '../resilience/call-trace.js';
import type { CellSupervisor } from '../supervision/cell-supervisor.js';
import { protocolVersions } from '../transport/message-versions.js';
import type { Transport } from '../transport/transport.js';
import type { HeartbeatCells } from './heartbeat-cells.js';
import type { NodeLoadSampler } from './load-sampler.js';
import { hostName, type NodeHeartbeat } from './node-heartbeat.js';
import type { RequestLatency } from './request-latency.js';

/** Where a node's heartbeat reads what it reports. */
export interface HeartbeatSources {
  nodeId: string;
  /** Cells this node is sized for; default DEFAULT_NODE_CAPACITY. */
  capacity: number | undefined;
  registry: CellRegistry;
  transport: Transport;
  supervisor: CellSupervisor;
  writeQueue: SnapshotWriteQueue;
  load: NodeLoadSampler;
  heartbeatCells: HeartbeatCells;
  requestLatency: RequestLatency;
  calls: CallTrace;
  intervalMs: () => number;
  configVersion: () => number;
  /** The highest desired-cells revision seen or written here. */
  cellsRevision: () => number;
  failedSaves: () => number;
  rebalance: () => RebalanceProgress | null;
  election: () => ElectionRunner | undefined;
  metricsUrl: () => string | undefined;
  plugins: () => NodePlugins | undefined;
}

/**
 * Builds a node's heartbeats: who it is, its load, its store, its election, and its cells'
 * counters (full health only for the cells it lists: see HeartbeatCells). Each one samples the
 * load and starts the next request-latency window.
 */
export class HeartbeatBuilder {
  /** The running number of heartbeats built. */
  seq = 0;
  /** When the last one was built (epoch millis; 0: never). */
  lastBeatAt = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly sources: HeartbeatSources) {}

  build(leaving: boolean): NodeHeartbeat {
    const s = this.sources;
    this.lastBeatAt = Date.now();
    const { eventLoopLagMs, elu } = s.load.sample();
    const election = s.election();
    const view = election?.view();
    const calls = s.calls.drain();
    const metricsUrl = s.metricsUrl();
    const plugins = s.plugins();
    const beat: NodeHeartbeat = {
      node: s.nodeId,
      host: hostName,
      version: HMS_VERSION,
      protocol: protocolVersions(s.registry.definitions()),
      pid: process.pid,
      startedAt: this.startedAt,
      ts: Date.now(),
      seq: this.seq++,
      intervalMs: s.intervalMs(),
      configVersion: s.configVersion(),
      cellsRevision: s.cellsRevision(),
      ...(plugins?.watch ? { pluginsRevision: plugins.watch.applied() } : {}),
      leaving,
      types: s.registry.list().map((t) => t.type),
      capacity: s.capacity ?? DEFAULT_NODE_CAPACITY,
      rebalance: s.rebalance(),
      eventLoopLagMs,
      elu,
      ...(calls ? { calls } : {}),
      rssBytes: process.memoryUsage.rss(),
      malformed: s.transport.stats.malformed + (election?.malformed() ?? 0),
      election: view ? { role: view.role, term: view.term, leader: view.leader } : null,
      ...(metricsUrl ? { metricsUrl } : {}),
      store: {
        latencyMs: s.writeQueue.latencyP90Ms(),
        queued: s.writeQueue.queued,
        writes: s.writeQueue.completed,
        failed: s.failedSaves(),
      },
      overload: s.load.current(),
      ...s.heartbeatCells.summarize(
        s.supervisor.pulses(),
        this.lastBeatAt,
        (id) => s.requestLatency.p90Ms(id),
        (ids) => s.supervisor.healthOf(ids),
      ),
      ...(plugins ? { plugins: plugins.status() } : {}),
    };
    s.requestLatency.reset();
    return beat;
  }
}
