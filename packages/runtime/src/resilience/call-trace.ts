import { CircuitOpenError, DependencyAvoidedError, RequestTimeoutError } from '../errors.js';

/** How a call from one cell to another ended. */
export const CALL_OUTCOME = {
  /** Answered. */
  ok: 0,
  /** No answer within the request timeout. */
  timeout: 1,
  /** Failed otherwise (an error reply, no responders, a lost connection). */
  failed: 2,
  /** Never sent: the circuit was open or the dependency marked failing. */
  rejected: 3,
} as const;

export type CallOutcome = (typeof CALL_OUTCOME)[keyof typeof CALL_OUTCOME];

/** The outcome code of a call that threw `error`. */
export function callOutcome(error: unknown): CallOutcome {
  if (error instanceof RequestTimeoutError) return CALL_OUTCOME.timeout;
  if (error instanceof CircuitOpenError || error instanceof DependencyAvoidedError) return CALL_OUTCOME.rejected;
  return CALL_OUTCOME.failed;
}

/**
 * Calls between cells, column-wise (compact on the wire): call i went to `to[dep[i]]`, started
 * at `at[i]` (epoch millis), took `ms[i]` millis and ended with `outcome[i]` ({@link CALL_OUTCOME}).
 */
export interface CallTraceBatch {
  to: string[];
  dep: number[];
  /** The calling cells: call i came from `from[src[i]]` (absent from older nodes). */
  from?: string[];
  src?: number[];
  /** The calling cells' types, one per entry of `from` (absent from older nodes; '' unknown). */
  fromType?: string[];
  /** The called cells' types, one per entry of `to` (absent from older nodes; '' unknown: no desired cell has the id). */
  toType?: string[];
  at: number[];
  ms: number[];
  outcome: number[];
  /** Calls left out because more were made between two drains than the batch holds. */
  dropped: number;
}

/**
 * The calls a node's cells made since the last drain, kept for its heartbeat: what the
 * swarm model of the evolution is calibrated on (latency and outcome of every dependency call,
 * in order). Holds the most recent `capacity` calls; older ones are counted as dropped.
 */
export class CallTrace {
  private readonly rows: Array<{
    to: string;
    at: number;
    ms: number;
    outcome: number;
    from: string;
    fromType: string;
    toType: string;
  }> = [];
  private dropped = 0;

  /** @param capacity calls kept between drains; default 2000. */
  constructor(private readonly capacity = 2000) {}

  /**
   * Records one call: its target cell, start (epoch millis), duration (millis), outcome, calling
   * cell, and the types of the calling and the called cell (for the settings of each edge).
   */
  record(to: string, at: number, ms: number, outcome: CallOutcome, from = '', fromType = '', toType = ''): void {
    if (this.rows.length >= this.capacity) {
      this.rows.shift();
      this.dropped++;
    }
    this.rows.push({ to, at, ms: Math.round(ms * 100) / 100, outcome, from, fromType, toType });
  }

  /** The calls since the last drain (undefined when none), and forgets them. */
  drain(): CallTraceBatch | undefined {
    if (this.rows.length === 0 && this.dropped === 0) return undefined;
    const index = new Map<string, number>();
    const callers = new Map<string, number>();
    const batch: CallTraceBatch = { to: [], dep: [], at: [], ms: [], outcome: [], dropped: this.dropped };
    const from: string[] = [];
    const src: number[] = [];
    const fromType: string[] = [];
    const toType: string[] = [];
    for (const r of this.rows) {
      let c = callers.get(r.from);
      if (c === undefined) {
        c = from.length;
        callers.set(r.from, c);
        from.push(r.from);
        fromType.push(r.fromType);
      }
      src.push(c);
      let i = index.get(r.to);
      if (i === undefined) {
        i = batch.to.length;
        index.set(r.to, i);
        batch.to.push(r.to);
        toType.push(r.toType);
      }
      batch.dep.push(i);
      batch.at.push(r.at);
      batch.ms.push(r.ms);
      batch.outcome.push(r.outcome);
    }
    if (from.some((f) => f !== '')) Object.assign(batch, { from, src });
    if (fromType.some((t) => t !== '') || toType.some((t) => t !== '')) Object.assign(batch, { fromType, toType });
    this.rows.length = 0;
    this.dropped = 0;
    return batch;
  }
}
