import type { ElectionMessage, Outgoing } from './election-messages.js';

/** Roles of the election. */
export const ROLE = {
  follower: 'follower',
  /** Asking for pre-votes: only a node that would win becomes a candidate. */
  preCandidate: 'pre-candidate',
  candidate: 'candidate',
  leader: 'leader',
} as const;

export type Role = (typeof ROLE)[keyof typeof ROLE];

/** Timing of the election, in millis. */
export interface ElectionTiming {
  /** Randomized election timeout bounds; default 1000–2000 (Raft paper: 150–300 on a LAN; etcd: 1000). */
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  /** Leader heartbeat interval; default 200. */
  heartbeatMs: number;
}

export const DEFAULT_TIMING: ElectionTiming = {
  electionTimeoutMinMs: 1000,
  electionTimeoutMaxMs: 2000,
  heartbeatMs: 200,
};

/** What must survive a restart (Raft's persistent state): without it a node could vote twice in a term. */
export interface DurableElectionState {
  term: number;
  votedFor: string | null;
}

/** The whole state of one node's election core. */
export interface ElectionState extends DurableElectionState {
  id: string;
  members: readonly string[];
  role: Role;
  leader: string | null;
  /** Votes (or pre-votes) granted to this node in the current attempt. */
  grants: readonly string[];
  /** When this node starts (pre-)campaigning unless it hears from a leader; epoch millis. */
  electionDeadline: number;
  /** When this node last heard from a live leader (followers) — pre-votes are refused until timeout. */
  lastLeaderContact: number;
  /**
   * Follower: its leader's process is known to be gone (a probe of the leader's election
   * subject met no responders: its connection closed). Pre-votes are granted at once then,
   * instead of after an election timeout.
   */
  leaderGone: boolean;
  /**
   * Follower: when it sent the newest ack the leader has confirmed receiving (echoed in a later
   * heartbeat's `acked`): the start of its majority lease. Dated by the sending, not by a
   * heartbeat's arrival: with the network delaying both ways, the leader hears a follower's acks
   * a round trip late and may count it down while heartbeats still arrive, one way late (the
   * chaos checker's seed 2021: two copies accepting for 0.7 s under 750 ms of delay each way).
   * From a leader of an older build (no `acked`), a heartbeat's arrival, as before.
   */
  leaseContact: number;
  /** Follower: the term of the heartbeats its lease last counted from (-1: none yet). */
  leaseTerm: number;
  /** Follower: the running number of its acks, and the send times of those not yet echoed. */
  ackSeq: number;
  sentAcks: ReadonlyArray<readonly [seq: number, sentAt: number]>;
  /** Leader: per follower, the newest ack `seq` received (echoed in every heartbeat). */
  ackSeqs: Readonly<Record<string, number>>;
  /** Leader: when each follower last acknowledged a heartbeat (check quorum). */
  acks: Readonly<Record<string, number>>;
  /**
   * Leader: members whose acks it does not echo while their cells are being re-placed (see
   * {@link holdEchoes}): their leases stay lapsed until the moves are written.
   */
  held: readonly string[];
  /** Leader: when the next heartbeat is due. */
  nextHeartbeat: number;
}

/** Inputs of the core: time passing, or a message arriving. */
export type ElectionInput =
  | { type: 'tick'; now: number }
  | { type: 'message'; now: number; message: ElectionMessage }
  /** A probe of `leader`'s election subject (in `term`) met no responders: its process is gone. */
  | { type: 'leader-gone'; now: number; leader: string; term: number };

/** A step's result: the new state and the messages to send. */
export interface StepResult {
  state: ElectionState;
  out: Outgoing[];
}

/** Options of {@link createElectionState}. */
export interface ElectionOptions {
  id: string;
  members: readonly string[];
  now: number;
  random: () => number;
  timing?: ElectionTiming;
  /** The state that survived a restart. */
  durable?: DurableElectionState;
}

function majority(members: readonly string[]): number {
  return Math.floor(members.length / 2) + 1;
}

function timeout(timing: ElectionTiming, random: () => number): number {
  return timing.electionTimeoutMinMs + random() * (timing.electionTimeoutMaxMs - timing.electionTimeoutMinMs);
}

/**
 * Ack numbers a process may use per millisecond of its life before a later process of the same
 * node could start below them (a follower acks about ten heartbeats a second).
 */
const ACK_SEQ_PER_MS = 1000;

/** A node starting (or restarting) as a follower. */
export function createElectionState(o: ElectionOptions): ElectionState {
  const timing = o.timing ?? DEFAULT_TIMING;
  return {
    id: o.id,
    members: [...o.members].sort(),
    term: o.durable?.term ?? 0,
    votedFor: o.durable?.votedFor ?? null,
    role: ROLE.follower,
    leader: null,
    grants: [],
    electionDeadline: o.now + timeout(timing, o.random),
    lastLeaderContact: Number.NEGATIVE_INFINITY,
    leaderGone: false,
    leaseContact: Number.NEGATIVE_INFINITY,
    leaseTerm: -1,
    // Acks are numbered from this process's start (millis × 1000): a leader keeps the newest
    // number it got from each member and ignores older ones, so a restarted member numbering from
    // 0 again had every ack ignored — its lease was not renewed for as long as its previous
    // process had been acking (47 s in chaos seed 6005, its cells refusing every message).
    ackSeq: Math.max(0, Math.floor(o.now)) * ACK_SEQ_PER_MS,
    sentAcks: [],
    ackSeqs: {},
    acks: {},
    held: [],
    nextHeartbeat: 0,
  };
}

/** A leader's echo record with `from`'s ack number `seq` (a safe integer, newer than the last). */
function withAckSeq(
  ackSeqs: Readonly<Record<string, number>>,
  from: string,
  seq: unknown,
): Readonly<Record<string, number>> {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= (ackSeqs[from] ?? 0)) return ackSeqs;
  return { ...ackSeqs, [from]: seq };
}

/** A follower remembers the send times of at most this many acks not yet echoed back. */
const MAX_UNECHOED_ACKS = 64;

/**
 * A follower's lease after a heartbeat: from the send time of the newest of its acks that the
 * heartbeat says the leader received (acks up to it are then forgotten); from the heartbeat's
 * arrival when the leader is of an older build and echoes nothing.
 */
function leaseAfterHeartbeat(
  s: ElectionState,
  m: { term: number; acked?: Readonly<Record<string, number>>; held?: readonly string[] },
  now: number,
): Pick<ElectionState, 'leaseContact' | 'sentAcks' | 'leaseTerm'> {
  const { acked } = m;
  // Held while the leader re-places this node's cells: neither this heartbeat's arrival nor an
  // echo may start or renew the lease (a node back from a minority would otherwise start its
  // lease on the new term's first heartbeat and confirm its cells against specs not yet moved:
  // chaos seed 9000). Its leaseTerm stays, so the first heartbeat after the hold starts it.
  if (Array.isArray(m.held) && m.held.includes(s.id)) {
    return { leaseContact: s.leaseContact, sentAcks: s.sentAcks, leaseTerm: s.leaseTerm };
  }
  // The first heartbeat of a term starts the lease by its arrival (no ack of this term can have
  // been echoed yet; a node starting up, or a new leader's followers, would otherwise refuse
  // messages for a round trip): a new leader counts every member as heard when its term begins,
  // so it cannot count this node down sooner than `placement.downAfterMs` after that.
  if (acked === undefined || m.term !== s.leaseTerm) {
    return { leaseContact: Math.max(s.leaseContact, now), sentAcks: s.sentAcks, leaseTerm: m.term };
  }
  const echoed = acked !== null && typeof acked === 'object' ? acked[s.id] : undefined;
  if (typeof echoed !== 'number') return { leaseContact: s.leaseContact, sentAcks: s.sentAcks, leaseTerm: m.term };
  const hit = s.sentAcks.find(([seq]) => seq === echoed);
  return {
    leaseContact: hit ? Math.max(s.leaseContact, hit[1]) : s.leaseContact,
    sentAcks: s.sentAcks.filter(([seq]) => seq > echoed),
    leaseTerm: m.term,
  };
}

/**
 * The election protocol as a pure function: Raft's leader election with pre-vote and check
 * quorum, no log. No I/O, no clock, no randomness of its own: `random` and `now` come in, so
 * the same core runs over NATS and in a deterministic simulator.
 *
 * Safety: a node votes at most once per term (`votedFor` is durable) and a leader needs a
 * majority of `members`, so no term has two leaders. Liveness: randomized timeouts. Pre-vote
 * keeps a node that was cut off (or flaps) from raising terms and deposing a healthy leader;
 * check quorum makes a leader that no longer hears a majority step down, so a minority
 * partition never keeps a leader.
 */
export function step(
  state: ElectionState,
  input: ElectionInput,
  random: () => number,
  timing: ElectionTiming = DEFAULT_TIMING,
): StepResult {
  const now = input.now;
  if (input.type === 'tick') return onTick(state, now, random, timing);
  if (input.type === 'leader-gone') return onLeaderGone(state, input, random, timing);
  const m = input.message;
  if (m.from === state.id) return { state, out: [] };
  if (!state.members.includes(m.from)) {
    // Not a member in this node's view (yet: membership is re-read every second): it takes no
    // part in elections. But a leader still echoes its acks, so that a node that just joined
    // holds its majority lease from its first heartbeats, not only once the leader re-read the
    // membership (its cells would refuse messages for up to a second) — and counts it heard, as
    // it does every ack it echoes: the coordinator counts a node down by this silence, and an
    // echo renews that node's lease. A member missing from a stale membership read had its acks
    // echoed but its silence counted, and its cells were re-placed while its lease held
    // (chaos seed 6012: two copies taking messages for 120 ms).
    if (m.type === 'heartbeat-ack' && state.role === ROLE.leader && m.term === state.term) {
      const ackSeqs = withAckSeq(state.ackSeqs, m.from, m.seq);
      return { state: { ...state, acks: { ...state.acks, [m.from]: now }, ackSeqs }, out: [] };
    }
    return { state, out: [] };
  }

  // A higher term from a real election or a leader: adopt it (pre-votes do not change terms).
  let s = state;
  if (m.term > s.term && m.type !== 'pre-vote' && m.type !== 'pre-vote-reply') {
    s = {
      ...s,
      term: m.term,
      votedFor: null,
      role: ROLE.follower,
      leader: null,
      grants: [],
      acks: {},
      leaderGone: false,
    };
  }

  switch (m.type) {
    case 'pre-vote': {
      const leaderFresh =
        (now - s.lastLeaderContact < timing.electionTimeoutMinMs && !s.leaderGone) || s.role === ROLE.leader;
      const granted = m.term > s.term && !leaderFresh;
      return {
        state: s,
        out: [{ to: m.from, message: { type: 'pre-vote-reply', term: m.term, from: s.id, granted } }],
      };
    }
    case 'pre-vote-reply': {
      if (s.role !== ROLE.preCandidate || m.term !== s.term + 1 || !m.granted || s.grants.includes(m.from)) {
        return { state: s, out: [] };
      }
      const grants = [...s.grants, m.from];
      if (grants.length < majority(s.members)) return { state: { ...s, grants }, out: [] };
      return startElection(s, now, random, timing);
    }
    case 'request-vote': {
      const granted = m.term === s.term && (s.votedFor === null || s.votedFor === m.from) && s.role !== ROLE.leader;
      const next = granted ? { ...s, votedFor: m.from, electionDeadline: now + timeout(timing, random) } : s;
      return { state: next, out: [{ to: m.from, message: { type: 'vote', term: s.term, from: s.id, granted } }] };
    }
    case 'vote': {
      if (s.role !== ROLE.candidate || m.term !== s.term || !m.granted || s.grants.includes(m.from)) {
        return { state: s, out: [] };
      }
      const grants = [...s.grants, m.from];
      if (grants.length < majority(s.members)) return { state: { ...s, grants }, out: [] };
      const acks = Object.fromEntries(s.members.map((id) => [id, now]));
      return {
        state: {
          ...s,
          role: ROLE.leader,
          leader: s.id,
          grants,
          acks,
          ackSeqs: {},
          held: [],
          nextHeartbeat: now + timing.heartbeatMs,
        },
        out: [{ message: { type: 'heartbeat', term: s.term, from: s.id, acked: {} } }],
      };
    }
    case 'heartbeat': {
      if (m.term < s.term) {
        // A deposed leader learns the newer term from the ack.
        return { state: s, out: [{ to: m.from, message: { type: 'heartbeat-ack', term: s.term, from: s.id } }] };
      }
      const seq = s.ackSeq + 1;
      const lease = leaseAfterHeartbeat(s, m, now);
      return {
        state: {
          ...s,
          role: ROLE.follower,
          leader: m.from,
          grants: [],
          lastLeaderContact: now,
          leaderGone: false,
          electionDeadline: now + timeout(timing, random),
          leaseContact: lease.leaseContact,
          leaseTerm: lease.leaseTerm,
          ackSeq: seq,
          sentAcks: [...lease.sentAcks, [seq, now] as const].slice(-MAX_UNECHOED_ACKS),
        },
        out: [{ to: m.from, message: { type: 'heartbeat-ack', term: s.term, from: s.id, seq } }],
      };
    }
    case 'heartbeat-ack': {
      if (s.role !== ROLE.leader || m.term !== s.term) return { state: s, out: [] };
      const ackSeqs = withAckSeq(s.ackSeqs, m.from, m.seq);
      return { state: { ...s, acks: { ...s.acks, [m.from]: now }, ackSeqs }, out: [] };
    }
    case 'timeout-now': {
      // Only from the leader of this very term: anyone else could make us depose a healthy one.
      if (m.term !== s.term || s.role !== ROLE.follower || s.leader !== m.from) return { state: s, out: [] };
      return startElection(s, now, random, timing);
    }
  }
}

/**
 * The state with a new voting membership. A leader counts members that were just added as heard
 * now: it ignored their messages while they were not members, and must not step down for a
 * silence it caused (check quorum then judges them from the next election timeout on).
 */
export function withMembers(s: ElectionState, members: readonly string[], now: number): ElectionState {
  if (s.role !== ROLE.leader) return { ...s, members: [...members] };
  const acks = { ...s.acks };
  for (const id of members) if (!s.members.includes(id)) acks[id] = now;
  return { ...s, members: [...members], acks };
}

/** The ack numbers a leader's heartbeat echoes: every follower's newest, but the held ones'. */
function echoed(s: ElectionState): Readonly<Record<string, number>> {
  if (s.held.length === 0) return s.ackSeqs;
  const out: Record<string, number> = {};
  for (const [id, seq] of Object.entries(s.ackSeqs)) if (!s.held.includes(id)) out[id] = seq;
  return out;
}

/**
 * The leader is about to re-place the cells of `node`, judged silent since `heard` (its last
 * ack's arrival; undefined: never heard this term). Atomically with that judgement, it stops
 * echoing the node's acks, so that the node's majority lease — lapsed by then, as the silence
 * is longer than the lease — cannot be renewed while the moves are being written: a node that
 * came back meanwhile would otherwise confirm its cells against specs not yet moved and take
 * messages beside their new copies (chaos seed 7001: 3.5 s of two copies, the leader's writes
 * having waited out a partition). Refused (`ok: false`) when this node is not the leader any
 * more or has heard `node` since: then nothing moves. {@link releaseEchoes} ends it once the
 * moves are written; the node then confirms against the moved specs.
 */
export function holdEchoes(
  s: ElectionState,
  node: string,
  heard: number | undefined,
): { state: ElectionState; ok: boolean } {
  if (s.role !== ROLE.leader || s.acks[node] !== heard) return { state: s, ok: false };
  if (s.held.includes(node)) return { state: s, ok: true };
  return { state: { ...s, held: [...s.held, node] }, ok: true };
}

/** Echoes `node`'s acks again (see {@link holdEchoes}). */
export function releaseEchoes(s: ElectionState, node: string): ElectionState {
  return s.held.includes(node) ? { ...s, held: s.held.filter((id) => id !== node) } : s;
}

/**
 * A leader that leaves gracefully hands its office over: it steps down and tells the member that
 * acknowledged it most recently to campaign now (a `timeout-now`), which needs no pre-vote — the
 * leader itself asks for it, and it votes for the candidate like every other member. Without it
 * the others wait out an election timeout (0.5–1 s) with no leader, long enough for every node's
 * majority lease to lapse and its cells to refuse messages. Not a leader, or alone: nothing.
 */
export function transferLeadership(
  s: ElectionState,
  now: number,
  random: () => number,
  timing: ElectionTiming = DEFAULT_TIMING,
): StepResult {
  if (s.role !== ROLE.leader) return { state: s, out: [] };
  const target = s.members
    .filter((id) => id !== s.id && s.acks[id] !== undefined)
    .sort((a, b) => (s.acks[b] ?? 0) - (s.acks[a] ?? 0) || a.localeCompare(b))[0];
  if (target === undefined) return { state: s, out: [] };
  return {
    state: steppedDown(s, now, random, timing),
    out: [{ to: target, message: { type: 'timeout-now', term: s.term, from: s.id } }],
  };
}

/** A leader that steps down: a follower of no one yet, with a fresh election timeout. */
function steppedDown(s: ElectionState, now: number, random: () => number, timing: ElectionTiming): ElectionState {
  return {
    ...s,
    role: ROLE.follower,
    leader: null,
    grants: [],
    acks: {},
    held: [],
    electionDeadline: now + timeout(timing, random),
  };
}

/**
 * The leader of this term is gone (its election subject has no responders: its process died or
 * its connection closed — not a pause, a partition or a slow network, which keep the
 * subscription). Campaign soon, after a random fraction of a heartbeat interval so that the
 * followers, which all probe at about the same time, do not split the vote; and grant pre-votes
 * at once. A stale report (another leader or term, or heard from since) changes nothing.
 */
function onLeaderGone(
  s: ElectionState,
  input: { now: number; leader: string; term: number },
  random: () => number,
  timing: ElectionTiming,
): StepResult {
  if (s.role !== ROLE.follower || s.leader !== input.leader || s.term !== input.term || s.leaderGone) {
    return { state: s, out: [] };
  }
  const soon = input.now + random() * timing.heartbeatMs;
  return { state: { ...s, leaderGone: true, electionDeadline: Math.min(s.electionDeadline, soon) }, out: [] };
}

function onTick(s: ElectionState, now: number, random: () => number, timing: ElectionTiming): StepResult {
  if (s.role === ROLE.leader) {
    // Check quorum: a leader that has not heard a majority within an election timeout steps down.
    const heard = s.members.filter(
      (id) => id === s.id || now - (s.acks[id] ?? Number.NEGATIVE_INFINITY) < timing.electionTimeoutMaxMs,
    );
    if (heard.length < majority(s.members)) return { state: steppedDown(s, now, random, timing), out: [] };
    if (now < s.nextHeartbeat) return { state: s, out: [] };
    return {
      state: { ...s, nextHeartbeat: now + timing.heartbeatMs },
      out: [
        {
          message: {
            type: 'heartbeat',
            term: s.term,
            from: s.id,
            acked: echoed(s),
            ...(s.held.length > 0 ? { held: s.held } : {}),
          },
        },
      ],
    };
  }
  if (now < s.electionDeadline) return { state: s, out: [] };
  if (s.members.length === 1) return startElection(s, now, random, timing);
  // Time out: ask for pre-votes first (our term does not change unless a majority would vote).
  return {
    state: {
      ...s,
      role: ROLE.preCandidate,
      leader: null,
      grants: [s.id],
      electionDeadline: now + timeout(timing, random),
    },
    out: [{ message: { type: 'pre-vote', term: s.term + 1, from: s.id } }],
  };
}

function startElection(s: ElectionState, now: number, random: () => number, timing: ElectionTiming): StepResult {
  const term = s.term + 1;
  const base = { ...s, term, votedFor: s.id, role: ROLE.candidate, leader: null, grants: [s.id], acks: {} };
  if (majority(s.members) === 1) {
    return {
      state: {
        ...base,
        role: ROLE.leader,
        leader: s.id,
        ackSeqs: {},
        held: [],
        nextHeartbeat: now + timing.heartbeatMs,
      },
      out: [],
    };
  }
  return {
    state: { ...base, electionDeadline: now + timeout(timing, random) },
    out: [{ message: { type: 'request-vote', term, from: s.id } }],
  };
}
