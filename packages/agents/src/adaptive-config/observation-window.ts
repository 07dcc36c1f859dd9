import { CALL_OUTCOME, type CallTraceBatch, type NodeHeartbeat } from '@hms/runtime';
import { percentile } from '../evolution/call-replay.js';
import { type CrashLoop, crashLoopOf, type LifecycleMark } from '../evolution/crash-loop.js';
import type { EdgeMeasures } from '../evolution/keep-rule.js';
import { type SwarmMeasures, swarmFitness } from '../evolution/swarm-fitness.js';
import { EDGE_SLOTS } from '../evolution/swarm-genes.js';
import { SWARM_LATENCY_SCALE_MS, type SwarmCalibration } from '../evolution/swarm-model.js';
import { type HeartbeatFigures, heartbeatFigures, runningFraction } from '../heartbeat/heartbeat-figures.js';

/** Calls kept, at most; older ones are dropped first. */
const MAX_CALLS = 50_000;
/**
 * How far back the calibration looks for what dependencies answered, in millis: a window in which
 * callers avoided a dependency all along still gets the answers it gave before.
 */
export const ANSWERS_MS = 60_000;
/** How far back observations are kept, in millis. */
const KEEP_MS = 10 * 60_000;
/** Cells whose lifecycle events are kept, at most (the most recently heard); and events per cell. */
const MAX_LIFECYCLE_CELLS = 256;
const MAX_LIFECYCLE_MARKS = 2000;
/** The fewest failed calls (timed out, failed, rejected) in a calibration window that make an edge worth its own genes. */
export const EDGE_MIN_FAILURES = 5;

/** Each call's edge, `<caller type>:<callee type>`, from a batch's type columns ('' where a type is not known). */
function edgesOfBatch(b: CallTraceBatch): (i: number) => string {
  const strings = (v: unknown, n: number) =>
    Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  const toType = strings(b.toType, b.to.length);
  const fromType = b.from ? strings(b.fromType, b.from.length) : undefined;
  const src = Array.isArray(b.src) && b.src.length === b.dep.length ? b.src : undefined;
  if (!toType && !fromType) return () => '';
  return (i) => `${(src && fromType?.[src[i] as number]) ?? ''}:${toType?.[b.dep[i] as number] ?? ''}`;
}

/** A measured window: what the swarm did, and its fitness (0..1, higher is better). */
export interface Measurement {
  from: number;
  to: number;
  calls: number;
  measures: SwarmMeasures;
  fitness: number;
  /** Each edge's calls between known cell types (`<caller type>:<callee type>`), for the keep rule per edge. */
  edges?: Record<string, EdgeMeasures>;
}

/**
 * What the swarm did recently, from node heartbeats: every call between cells (with latency and
 * outcome), each node's event-loop utilization, and its cells' health and restarts. It measures
 * the swarm's fitness over a time window and calibrates the swarm model.
 */
export class ObservationWindow {
  private deps = new Map<string, number>();
  private calls = {
    dep: [] as number[],
    at: [] as number[],
    ms: [] as number[],
    outcome: [] as number[],
    edge: [] as number[],
  };
  /** Edges (`<caller type>:<callee type>`) by index; '' is the edge of calls whose types are not known. */
  private edges = new Map<string, number>();
  private load: Array<{ at: number; node: string; elu: number }> = [];
  private restarts: Array<{ at: number; total: number; cells: number }> = [];
  /** Each cell's recent starts, crashes and escalations (by cell id), for its crash figures. */
  private lifecycle = new Map<string, LifecycleMark[]>();
  /** Every live node's latest bounded figures (not its heartbeat: that may list 2,000 cells). */
  private latest = new Map<string, HeartbeatFigures>();

  /** Takes one node heartbeat. */
  add(hb: NodeHeartbeat): void {
    if (hb.leaving) {
      this.latest.delete(hb.node);
      return;
    }
    this.latest.set(hb.node, heartbeatFigures(hb));
    if (typeof hb.elu === 'number') this.load.push({ at: hb.ts, node: hb.node, elu: hb.elu });
    const b = hb.calls;
    if (b && Array.isArray(b.at)) {
      const edgeOf = edgesOfBatch(b);
      for (let i = 0; i < b.at.length; i++) {
        const name = edgeOf(i);
        let edge = this.edges.get(name);
        if (edge === undefined) {
          edge = this.edges.size;
          this.edges.set(name, edge);
        }
        this.calls.edge.push(edge);
        const to = b.to[b.dep[i] as number] as string;
        let dep = this.deps.get(to);
        if (dep === undefined) {
          dep = this.deps.size;
          this.deps.set(to, dep);
        }
        this.calls.dep.push(dep);
        this.calls.at.push(b.at[i] as number);
        this.calls.ms.push(b.ms[i] as number);
        this.calls.outcome.push(b.outcome[i] as number);
      }
    }
    let total = 0;
    let cells = 0;
    for (const n of this.latest.values()) {
      total += n.totals.restarts;
      cells += n.cellCount;
    }
    this.restarts.push({ at: hb.ts, total, cells });
    this.trim(hb.ts);
  }

  /**
   * Takes one lifecycle event heard at `at` (epoch millis): `<prefix>.started`, `<prefix>.crashed`
   * or `<prefix>.escalated` (`cell.started` …) from the cell `from`, a crash with its `restartInMs`.
   */
  addLifecycle(event: { type: string; from?: string; restartInMs?: unknown }, at: number): void {
    const kind = event.type.slice(event.type.lastIndexOf('.') + 1);
    const cellId = event.from;
    if (!cellId || (kind !== 'started' && kind !== 'crashed' && kind !== 'escalated')) return;
    const mark: LifecycleMark = { at, kind };
    if (kind === 'crashed' && typeof event.restartInMs === 'number') mark.restartInMs = event.restartInMs;
    let marks = this.lifecycle.get(cellId);
    if (marks) this.lifecycle.delete(cellId);
    else marks = [];
    // Most recently heard last, so the first is the one to forget.
    this.lifecycle.set(cellId, marks);
    marks.push(mark);
    const cut = mark.at - KEEP_MS;
    while (marks.length > MAX_LIFECYCLE_MARKS || (marks.length > 0 && (marks[0] as LifecycleMark).at < cut)) {
      marks.shift();
    }
    if (this.lifecycle.size > MAX_LIFECYCLE_CELLS) this.lifecycle.delete(this.lifecycle.keys().next().value as string);
  }

  /** The dependencies (called cells) that crashed again and again over the {@link ANSWERS_MS} before `to`. */
  private crashLoops(to: number): CrashLoop[] {
    const out: CrashLoop[] = [];
    for (const [id, dep] of this.deps) {
      const marks = this.lifecycle.get(id)?.filter((m) => m.at >= to - ANSWERS_MS && m.at < to);
      const loop = marks ? crashLoopOf(dep, marks) : null;
      if (loop) out.push(loop);
    }
    return out;
  }

  private trim(now: number): void {
    const cut = now - KEEP_MS;
    const excess = this.calls.at.length - MAX_CALLS;
    let drop = Math.max(0, excess);
    while (drop < this.calls.at.length && (this.calls.at[drop] as number) < cut) drop++;
    if (drop > 0) for (const k of ['dep', 'at', 'ms', 'outcome', 'edge'] as const) this.calls[k].splice(0, drop);
    while (this.load.length > 0 && (this.load[0] as { at: number }).at < cut) this.load.shift();
    while (this.restarts.length > 0 && (this.restarts[0] as { at: number }).at < cut) this.restarts.shift();
  }

  /** Indexes of the calls that started in [from, to), in start order. */
  private callsIn(from: number, to: number): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.calls.at.length; i++) {
      const at = this.calls.at[i] as number;
      if (at >= from && at < to) order.push(i);
    }
    return order.sort((a, b) => (this.calls.at[a] as number) - (this.calls.at[b] as number));
  }

  /** Cells running over cells hosted, by the counts in the latest heartbeat of every node. */
  healthyFraction(): number {
    const counts: HeartbeatFigures['counts'] = {};
    for (const n of this.latest.values()) {
      for (const [status, k] of Object.entries(n.counts) as Array<[keyof typeof counts, number]>) {
        counts[status] = (counts[status] ?? 0) + k;
      }
    }
    return runningFraction(counts);
  }

  private meanElu(from: number, to: number): number {
    const inWindow = this.load.filter((l) => l.at >= from && l.at < to);
    if (inWindow.length === 0) return 0;
    return Math.min(1, inWindow.reduce((s, l) => s + l.elu, 0) / inWindow.length);
  }

  /** Cell crashes per cell per second in [from, to). */
  private crashRate(from: number, to: number): number {
    const inWindow = this.restarts.filter((r) => r.at >= from && r.at < to);
    const first = inWindow[0];
    const last = inWindow[inWindow.length - 1];
    if (!first || !last || last.at <= first.at || last.cells === 0) return 0;
    return Math.max(0, last.total - first.total) / last.cells / ((last.at - first.at) / 1000);
  }

  /** The swarm's measured fitness over [from, to). */
  measure(from: number, to: number): Measurement {
    const idx = this.callsIn(from, to);
    const latencies = new Float64Array(idx.length);
    let errors = 0;
    idx.forEach((i, k) => {
      latencies[k] = this.calls.ms[i] as number;
      if (this.calls.outcome[i] !== CALL_OUTCOME.ok) errors++;
    });
    const measures: SwarmMeasures = {
      p99LatencyMs: percentile(latencies, 0.99),
      errorRate: idx.length === 0 ? 0 : errors / idx.length,
      resourceUse: this.meanElu(from, to),
      healthyFraction: this.healthyFraction(),
    };
    return {
      from,
      to,
      calls: idx.length,
      measures,
      fitness: swarmFitness(measures, { latencyScaleMs: SWARM_LATENCY_SCALE_MS }),
      edges: this.edgeMeasures(idx),
    };
  }

  /** The calls `idx` by edge between known cell types: count, p99 latency and error rate. */
  private edgeMeasures(idx: number[]): Record<string, EdgeMeasures> {
    const names = [...this.edges.keys()];
    const byEdge = new Map<number, number[]>();
    for (const i of idx) {
      const e = this.calls.edge[i] as number;
      let list = byEdge.get(e);
      if (!list) {
        list = [];
        byEdge.set(e, list);
      }
      list.push(i);
    }
    const out: Record<string, EdgeMeasures> = {};
    for (const [e, list] of byEdge) {
      const name = names[e] ?? '';
      if (!/^[^:]+:[^:]+$/.test(name)) continue;
      const ms = Float64Array.from(list, (i) => this.calls.ms[i] as number);
      const errors = list.filter((i) => this.calls.outcome[i] !== CALL_OUTCOME.ok).length;
      out[name] = { calls: list.length, p99LatencyMs: percentile(ms, 0.99), errorRate: errors / list.length };
    }
    return out;
  }

  /**
   * The edges worth their own genes in a run over the calls `idx`: those between known cell types
   * with at least {@link EDGE_MIN_FAILURES} failed calls, most failures first, {@link EDGE_SLOTS} at most.
   */
  private edgesThatMatter(idx: number[], edges: string[]): string[] {
    const failures = new Map<number, number>();
    for (const i of idx) {
      if (this.calls.outcome[i] === CALL_OUTCOME.ok) continue;
      const e = this.calls.edge[i] as number;
      failures.set(e, (failures.get(e) ?? 0) + 1);
    }
    return [...failures]
      .filter(([e, n]) => n >= EDGE_MIN_FAILURES && /^[^:]+:[^:]+$/.test(edges[e] ?? ''))
      .sort((a, b) => b[1] - a[1] || (edges[a[0]] as string).localeCompare(edges[b[0]] as string))
      .slice(0, EDGE_SLOTS)
      .map(([e]) => edges[e] as string);
  }

  /**
   * The swarm model's calibration from [from, to) under `config` (the configuration in force):
   * at most `maxCalls` of the most recent calls; and what the dependencies answered when called
   * over the {@link ANSWERS_MS} before `to`, under any configuration (at most `maxCalls` of them).
   */
  calibration(from: number, to: number, config: Record<string, number>, maxCalls = 3000): SwarmCalibration {
    const idx = this.callsIn(from, to).slice(-maxCalls);
    const pick = (k: 'dep' | 'at' | 'ms' | 'outcome' | 'edge') => idx.map((i) => this.calls[k][i] as number);
    const went = this.callsIn(Math.min(from, to - ANSWERS_MS), to)
      .filter((i) => this.calls.outcome[i] !== CALL_OUTCOME.rejected)
      .slice(-maxCalls);
    const answered = (k: 'dep' | 'ms' | 'outcome') => went.map((i) => this.calls[k][i] as number);
    let cells = 0;
    for (const hb of this.latest.values()) cells += hb.cellCount;
    const edges = [...this.edges.keys()];
    return {
      calls: { dep: pick('dep'), at: pick('at'), ms: pick('ms'), outcome: pick('outcome'), edge: pick('edge') },
      edges,
      tunedEdges: this.edgesThatMatter(idx, edges),
      answers: { dep: answered('dep'), ms: answered('ms'), outcome: answered('outcome') },
      config,
      elu: this.meanElu(from, to),
      nodes: Math.max(1, this.latest.size),
      cells,
      healthyFraction: this.healthyFraction(),
      crashRate: this.crashRate(from, to),
      crashLoops: this.crashLoops(to),
    };
  }
}
