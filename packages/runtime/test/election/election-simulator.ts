import {
  createElectionState,
  type DurableElectionState,
  type ElectionState,
  type ElectionTiming,
  ROLE,
  step,
  transferLeadership,
} from '../../src/election/election-core.js';
import type { ElectionMessage } from '../../src/election/election-messages.js';

/** A small, fast, seeded PRNG (mulberry32): a schedule is a function of its seed alone. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Faults a schedule may contain. */
export interface SimulationOptions {
  nodes: number;
  /** Faults happen until this virtual time, then the network heals and every node is up. */
  chaosMs: number;
  /** After the heal, a leader followed by every node must appear within this time. */
  healDeadlineMs: number;
  dropRate: number;
  duplicateRate: number;
  maxDelayMs: number;
  /** Chance per 100 ms of a new partition (or of healing the current one). */
  partitionRate: number;
  /** Chance per 100 ms that a node crashes (it restarts 50–500 ms later with its durable state). */
  crashRate: number;
  /** Chance per 100 ms that a leader hands its office over (a graceful leave); default 0. */
  transferRate?: number;
  timing: ElectionTiming;
}

export const SIMULATION_TIMING: ElectionTiming = {
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatMs: 50,
};

/** What a schedule showed. */
export interface SimulationResult {
  seed: number;
  /** Terms in which more than one node became leader (must be empty). */
  splitTerms: Array<{ term: number; leaders: string[] }>;
  /** Virtual millis from the heal to a leader followed by every node; null if none came. */
  electedAfterHealMs: number | null;
  leaderChanges: number;
}

type SimEvent =
  | { at: number; seq: number; kind: 'tick'; node: string }
  | { at: number; seq: number; kind: 'deliver'; to: string; message: ElectionMessage }
  | { at: number; seq: number; kind: 'fault' }
  | { at: number; seq: number; kind: 'restart'; node: string };

type NewEvent = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, 'seq'> : never) : never;

/** A binary heap of events ordered by time, then by insertion. */
class EventQueue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;
  push(e: NewEvent): void {
    const ev = { ...e, seq: this.seq++ } as SimEvent;
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p] as SimEvent, ev)) break;
      h[i] = h[p] as SimEvent;
      i = p;
    }
    h[i] = ev;
  }
  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l] as SimEvent, m === i ? last : (h[m] as SimEvent))) m = l;
        if (r < h.length && before(h[r] as SimEvent, m === i ? last : (h[m] as SimEvent))) m = r;
        if (m === i) break;
        h[i] = h[m] as SimEvent;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Runs the election core of `options.nodes` nodes over a simulated network with dropped,
 * delayed (hence reordered) and duplicated messages, partitions, and crashes with restarts,
 * all decided by `seed`; then heals everything and waits for a leader.
 */
export function simulate(seed: number, options: SimulationOptions): SimulationResult {
  const random = seededRandom(seed);
  const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const durable = new Map<string, DurableElectionState>();
  const states = new Map<string, ElectionState>();
  const up = new Set(ids);
  let partition: Map<string, number> | null = null;
  const leadersByTerm = new Map<number, Set<string>>();
  let leaderChanges = 0;
  const q = new EventQueue();
  const TICK = 10;

  const boot = (id: string, now: number) => {
    states.set(
      id,
      createElectionState({
        id,
        members: ids,
        now,
        random,
        timing: options.timing,
        ...(durable.has(id) ? { durable: durable.get(id) } : {}),
      }),
    );
  };
  for (const id of ids) {
    boot(id, 0);
    q.push({ at: Math.floor(random() * TICK), kind: 'tick', node: id });
  }
  q.push({ at: 100, kind: 'fault' });

  const connected = (a: string, b: string) => !partition || partition.get(a) === partition.get(b);
  const send = (from: string, to: string, message: ElectionMessage, now: number, chaos: boolean) => {
    if (!connected(from, to)) return;
    if (chaos && random() < options.dropRate) return;
    const copies = chaos && random() < options.duplicateRate ? 2 : 1;
    for (let c = 0; c < copies; c++)
      q.push({ at: now + 1 + random() * options.maxDelayMs, kind: 'deliver', to, message });
  };
  const apply = (
    id: string,
    result: { state: ElectionState; out: Array<{ to?: string; message: ElectionMessage }> },
    now: number,
  ) => {
    const before = states.get(id);
    const s = result.state;
    states.set(id, s);
    durable.set(id, { term: s.term, votedFor: s.votedFor });
    if (s.role === ROLE.leader && (before?.role !== ROLE.leader || before.term !== s.term)) {
      leaderChanges++;
      const set = leadersByTerm.get(s.term) ?? new Set<string>();
      set.add(id);
      leadersByTerm.set(s.term, set);
    }
    const chaos = now < options.chaosMs;
    for (const o of result.out) {
      if (o.to) send(id, o.to, o.message, now, chaos);
      else for (const other of ids) if (other !== id) send(id, other, o.message, now, chaos);
    }
  };

  const end = options.chaosMs + options.healDeadlineMs;
  let electedAfterHealMs: number | null = null;
  for (let ev = q.pop(); ev && ev.at <= end; ev = q.pop()) {
    const now = ev.at;
    if (ev.kind === 'fault') {
      if (now >= options.chaosMs) {
        partition = null;
        for (const id of ids) {
          if (!up.has(id)) {
            up.add(id);
            boot(id, now);
          }
        }
        continue;
      }
      if (random() < options.partitionRate) {
        partition = partition ? null : new Map(ids.map((id) => [id, random() < 0.5 ? 0 : 1]));
      }
      for (const id of ids) {
        const s = states.get(id) as ElectionState;
        if (up.has(id) && s.role === ROLE.leader && random() < (options.transferRate ?? 0)) {
          apply(id, transferLeadership(s, now, random, options.timing), now);
        }
      }
      for (const id of ids) {
        if (up.has(id) && random() < options.crashRate) {
          up.delete(id);
          q.push({ at: now + 50 + random() * 450, kind: 'restart', node: id });
        }
      }
      q.push({ at: Math.min(now + 100, options.chaosMs), kind: 'fault' });
      continue;
    }
    if (ev.kind === 'restart') {
      if (!up.has(ev.node)) {
        up.add(ev.node);
        boot(ev.node, now);
      }
      continue;
    }
    const id = ev.kind === 'tick' ? ev.node : ev.to;
    if (ev.kind === 'tick') q.push({ at: now + TICK, kind: 'tick', node: id });
    if (!up.has(id)) continue;
    // A follower whose leader is down (its process, hence its subscription, is gone) and that
    // has not heard it for a heartbeat and a half learns so from its probe; a partition or a
    // slow network never yields that answer (the subscription is still there).
    const before = states.get(id) as ElectionState;
    if (
      ev.kind === 'tick' &&
      before.role === ROLE.follower &&
      before.leader !== null &&
      !up.has(before.leader) &&
      now - before.lastLeaderContact >= options.timing.heartbeatMs * 1.5
    ) {
      apply(
        id,
        step(before, { type: 'leader-gone', now, leader: before.leader, term: before.term }, random, options.timing),
        now,
      );
    }
    const state = states.get(id) as ElectionState;
    const input =
      ev.kind === 'tick' ? ({ type: 'tick', now } as const) : ({ type: 'message', now, message: ev.message } as const);
    apply(id, step(state, input, random, options.timing), now);
    if (now >= options.chaosMs && electedAfterHealMs === null) {
      const all = [...states.values()];
      const leader = all.find((s) => s.role === ROLE.leader);
      if (leader && all.every((s) => s.leader === leader.id && s.term === leader.term))
        electedAfterHealMs = now - options.chaosMs;
    }
    if (electedAfterHealMs !== null) break;
  }
  const splitTerms = [...leadersByTerm].filter(([, s]) => s.size > 1).map(([term, s]) => ({ term, leaders: [...s] }));
  return { seed, splitTerms, electedAfterHealMs, leaderChanges };
}
