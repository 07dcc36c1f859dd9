/** Options of {@link SnapshotWriteQueue}. */
export interface SnapshotWriteQueueOptions {
  /** Writes in flight at once, per node; default 32. */
  concurrency?: number;
  /** Current time in millis; default `Date.now`. */
  now?: () => number;
}

/** How many recent writes the latency figures look at. */
const LATENCY_WINDOW = 256;

/** Writes older than this no longer count for the latency figures, in millis. */
const LATENCY_MAX_AGE_MS = 5000;

/** Latency at which saves start to coalesce harder, in millis. */
const COALESCE_FROM_MS = 25;

/** The most a cell's saves are stretched under pressure: 20 × `snapshotMaxStaleMs`. */
const MAX_STRETCH = 20;

/**
 * The node's gate to JetStream for snapshot writes: at most `concurrency` in flight, the rest
 * wait their turn in order. Every cell has at most one write queued or in flight (its saver
 * coalesces changes meanwhile, and the write takes the state current when its turn comes), so a
 * broadcast to thousands of persisted cells becomes a steady stream of writes instead of a
 * burst, and the backlog is bounded by the number of cells. Measures write latency, which sets
 * how much harder savers coalesce ({@link stretch}) and feeds the node's overload status.
 */
export class SnapshotWriteQueue {
  private concurrency: number;
  private readonly now: () => number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private readonly finishedAt = new Float64Array(LATENCY_WINDOW);
  private next = 0;
  private filled = 0;
  private writes = 0;
  private stretchValue = 1;
  private stretchAt = Number.NEGATIVE_INFINITY;

  constructor(options: SnapshotWriteQueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 32);
    this.now = options.now ?? Date.now;
  }

  /** Runs `write` when a slot is free; its duration counts toward the latency figures. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    // A waiting write is handed its slot by the write that frees it (see pump).
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    const started = this.now();
    try {
      return await write();
    } finally {
      const done = this.now();
      this.latencies[this.next] = done - started;
      this.finishedAt[this.next] = done;
      this.next = (this.next + 1) % LATENCY_WINDOW;
      this.filled = Math.min(LATENCY_WINDOW, this.filled + 1);
      this.writes++;
      this.running--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()?.();
    }
  }

  /** Changes how many writes may be in flight, live; waiting writes start if slots opened. */
  setConcurrency(concurrency: number): void {
    this.concurrency = Math.max(1, concurrency);
    this.pump();
  }

  /** Writes waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Writes done since start. */
  get completed(): number {
    return this.writes;
  }

  /** The 90th percentile of recent writes' latency, in millis (0 when none is recent). */
  latencyP90Ms(): number {
    const cutoff = this.now() - LATENCY_MAX_AGE_MS;
    const recent: number[] = [];
    for (let i = 0; i < this.filled; i++) {
      if ((this.finishedAt[i] as number) >= cutoff) recent.push(this.latencies[i] as number);
    }
    if (recent.length === 0) return 0;
    recent.sort((a, b) => a - b);
    return recent[Math.min(recent.length - 1, Math.floor(recent.length * 0.9))] as number;
  }

  /**
   * How many times `snapshotMaxStaleMs` a cell's changes wait before they are saved: 1 while
   * writes are quick, rising with write latency and with the backlog, up to 20.
   */
  stretch(): number {
    // Asked on every change of every cell: worked out at most every 100 ms.
    const now = this.now();
    if (now - this.stretchAt < 100) return this.stretchValue;
    this.stretchAt = now;
    const byLatency = this.latencyP90Ms() / COALESCE_FROM_MS;
    const byBacklog = this.waiting.length / this.concurrency;
    this.stretchValue = Math.min(MAX_STRETCH, Math.max(1, byLatency, byBacklog));
    return this.stretchValue;
  }
}
