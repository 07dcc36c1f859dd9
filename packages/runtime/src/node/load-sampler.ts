import type { Logger } from '../logger.js';
import { type OverloadLimits, OverloadMonitor } from '../overload/overload-monitor.js';
import type { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { LIFECYCLE_EVENT } from './lifecycle-events.js';
import type { OverloadStatus } from './node-heartbeat.js';
import { createLoopLagMonitor } from './node-heartbeat.js';

/** What a node's load looked like at its last heartbeat. */
export interface LoopSample {
  /** Event-loop lag (p99 since the last sample), millis. */
  eventLoopLagMs: number;
  /** Event-loop utilization since the last sample, 0..1. */
  elu: number;
}

/**
 * A node's load, sampled at each heartbeat: event-loop lag and utilization, and whether the node
 * is over its limits (store latency, queued writes, lag) — `node.overloaded` / `node.recovered`
 * announced when it crosses one.
 */
export class NodeLoadSampler {
  /** The event-loop lag of the last sample, millis. */
  lagMs = 0;
  private readonly lag = createLoopLagMonitor();
  private readonly overload = new OverloadMonitor();
  private lastElu = performance.eventLoopUtilization();

  constructor(
    private readonly options: {
      writeQueue: SnapshotWriteQueue;
      logger: Logger;
      /** Publishes a lifecycle event about this node. */
      announce: (type: string, body: Record<string, unknown>) => void;
    },
  ) {}

  /** Samples lag and utilization, and announces an overload entered or left. */
  sample(): LoopSample {
    this.lagMs = this.lag.sampleMs();
    const { writeQueue, logger } = this.options;
    const change = this.overload.sample(
      { storeLatencyMs: writeQueue.latencyP90Ms(), storeQueued: writeQueue.queued, eventLoopLagMs: this.lagMs },
      Date.now(),
    );
    if (change !== undefined) {
      const status = this.overload.current();
      if (change === 'entered') logger.warn({ overload: status }, 'node overloaded');
      else logger.info('node no longer overloaded');
      const type = change === 'entered' ? LIFECYCLE_EVENT.overloaded : LIFECYCLE_EVENT.recovered;
      this.options.announce(type, { ...(status ?? {}) });
    }
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.lastElu);
    this.lastElu = now;
    return { eventLoopLagMs: this.lagMs, elu: Math.round(utilization * 1000) / 1000 };
  }

  /** Over its limits now (with why), or null. */
  current(): OverloadStatus | null {
    return this.overload.current();
  }

  setLimits(limits: OverloadLimits): void {
    this.overload.setLimits(limits);
  }

  stop(): void {
    this.lag.stop();
  }
}
