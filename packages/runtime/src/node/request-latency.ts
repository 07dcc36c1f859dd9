/** Requests remembered per cell per heartbeat interval; beyond it the oldest are overwritten. */
const SAMPLES = 128;

/**
 * Per-cell request latency over one heartbeat interval, for the busiest cells' `latencyMs` in
 * heartbeats: the last {@link SAMPLES} durations of each cell that answered a request, dropped
 * by {@link RequestLatency.reset} after each heartbeat. Memory grows with the cells that were
 * asked something in one interval, not with time.
 */
export class RequestLatency {
  private samples = new Map<string, { ms: Float64Array; count: number }>();

  /** Records one request of `cellId` that took `seconds`. */
  observe(cellId: string, seconds: number): void {
    let s = this.samples.get(cellId);
    if (!s) {
      s = { ms: new Float64Array(SAMPLES), count: 0 };
      this.samples.set(cellId, s);
    }
    s.ms[s.count % SAMPLES] = seconds * 1000;
    s.count++;
  }

  /** The p90 of `cellId`'s requests since the last reset, in millis (2 decimals); undefined without any. */
  p90Ms(cellId: string): number | undefined {
    const s = this.samples.get(cellId);
    if (!s) return undefined;
    const held = s.ms.slice(0, Math.min(s.count, SAMPLES)).sort();
    const p90 = held[Math.min(held.length - 1, Math.floor(held.length * 0.9))] as number;
    return Math.round(p90 * 100) / 100;
  }

  /** Forgets every sample: the next interval starts empty. */
  reset(): void {
    this.samples.clear();
  }
}
