import type { Clock } from '../clock.js';
import type { CallTraceBatch } from '../resilience/call-trace.js';
import type { CallPeers } from './placement-policy.js';

/** Options of {@link CallAffinity}. */
export interface CallAffinityOptions {
  clock: Clock;
  /** Calls count for between one and two of these, in millis; default 120000. */
  windowMs?: number;
  /** Cell pairs remembered per window, at most; calls of further pairs are not counted. Default 50000. */
  maxPairs?: number;
}

type Generation = Map<string, Map<string, number>>;

/**
 * Who called whom lately, for the `affinity` placement policy: fed with the call batches of every
 * node's heartbeats (caller cell, callee cell), it answers a cell's peers — its callers and its
 * callees — with the calls between them. Calls of the current and the previous window count, so
 * what is remembered is bounded by time and by `maxPairs`, not by the swarm's size.
 */
export class CallAffinity {
  private current: Generation = new Map();
  private previous: Generation = new Map();
  private pairs = 0;
  private since: number;
  private readonly windowMs: number;
  private readonly maxPairs: number;

  constructor(private readonly options: CallAffinityOptions) {
    this.windowMs = options.windowMs ?? 120_000;
    this.maxPairs = options.maxPairs ?? 50_000;
    this.since = options.clock.now();
  }

  /** Counts the calls of one heartbeat's batch that name their caller (older nodes' do not). */
  observe(batch: CallTraceBatch): void {
    const { from, src } = batch;
    if (!from || !src) return;
    this.rotate();
    for (let i = 0; i < batch.dep.length; i++) {
      const caller = from[src[i] as number];
      const callee = batch.to[batch.dep[i] as number];
      if (!caller || !callee || caller === callee) continue;
      this.add(caller, callee);
      this.add(callee, caller);
    }
  }

  /** The cell's callers and callees of the last one to two windows, with the calls between them. */
  peersOf(cell: string): CallPeers {
    this.rotate();
    const now = this.current.get(cell);
    const before = this.previous.get(cell);
    if (!before) return now ?? new Map();
    if (!now) return before;
    const out = new Map(before);
    for (const [peer, calls] of now) out.set(peer, (out.get(peer) ?? 0) + calls);
    return out;
  }

  private add(a: string, b: string): void {
    let peers = this.current.get(a);
    if (!peers) {
      if (this.pairs >= this.maxPairs) return;
      peers = new Map();
      this.current.set(a, peers);
    }
    const calls = peers.get(b);
    if (calls === undefined) {
      if (this.pairs >= this.maxPairs) return;
      this.pairs++;
    }
    peers.set(b, (calls ?? 0) + 1);
  }

  private rotate(): void {
    const now = this.options.clock.now();
    if (now - this.since < this.windowMs) return;
    this.previous = now - this.since < 2 * this.windowMs ? this.current : new Map();
    this.current = new Map();
    this.pairs = 0;
    this.since = now;
  }
}
