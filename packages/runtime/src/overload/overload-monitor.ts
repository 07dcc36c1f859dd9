import type { OverloadStatus } from '../node/node-heartbeat.js';

/** The limits past which a node calls itself overloaded. */
export interface OverloadLimits {
  /** Snapshot writes' p90 latency, in millis; default 250. */
  storeLatencyMs: number;
  /** Snapshot writes waiting for a slot; default 2000. */
  storeQueued: number;
  /** Event-loop delay p99, in millis; default 250. */
  eventLoopLagMs: number;
}

/** The default {@link OverloadLimits}. */
export const DEFAULT_OVERLOAD_LIMITS: OverloadLimits = { storeLatencyMs: 250, storeQueued: 2000, eventLoopLagMs: 250 };

/** One sample of what the monitor watches. */
export interface LoadSample {
  storeLatencyMs: number;
  storeQueued: number;
  eventLoopLagMs: number;
}

/** Samples in a row under half the limits before an overload is over (hysteresis). */
const CALM_SAMPLES = 3;

/**
 * Decides, from samples taken every heartbeat, whether a node is overloaded: as soon as a store
 * figure passes its limit, or the event loop lags past its limit two samples in a row; over again only once every figure has stayed under half its limit
 * for three samples in a row, so the status does not flap at the edge.
 */
export class OverloadMonitor {
  private status: OverloadStatus | null = null;
  private calm = 0;
  private lagged = false;

  constructor(private limits: OverloadLimits = DEFAULT_OVERLOAD_LIMITS) {}

  /** Changes the limits, live (from the next sample on). */
  setLimits(limits: OverloadLimits): void {
    this.limits = limits;
  }

  /** Takes a sample; returns `entered`/`left` when the status changed, else undefined. */
  sample(s: LoadSample, now: number): 'entered' | 'left' | undefined {
    const reasons: string[] = [];
    if (s.storeLatencyMs > this.limits.storeLatencyMs) reasons.push('store-latency');
    if (s.storeQueued > this.limits.storeQueued) reasons.push('store-queue');
    // One slow interval (start-up, a GC) is not overload: the loop must lag two in a row.
    const lagging = s.eventLoopLagMs > this.limits.eventLoopLagMs;
    if (lagging && this.lagged) reasons.push('event-loop');
    this.lagged = lagging;
    if (reasons.length > 0) {
      const entered = this.status === null;
      this.status = { since: this.status?.since ?? now, reasons, ...s };
      this.calm = 0;
      return entered ? 'entered' : undefined;
    }
    if (this.status === null) return undefined;
    const underHalf =
      s.storeLatencyMs <= this.limits.storeLatencyMs / 2 &&
      s.storeQueued <= this.limits.storeQueued / 2 &&
      s.eventLoopLagMs <= this.limits.eventLoopLagMs / 2;
    this.calm = underHalf ? this.calm + 1 : 0;
    if (this.calm < CALM_SAMPLES) {
      this.status = { ...this.status, ...s };
      return undefined;
    }
    this.status = null;
    this.calm = 0;
    return 'left';
  }

  /** The overload now, or null. */
  current(): OverloadStatus | null {
    return this.status;
  }
}
