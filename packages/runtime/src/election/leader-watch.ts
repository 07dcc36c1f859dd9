import { isToken, type Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';

/** The leader as its own heartbeats show it. */
export interface SeenLeader {
  /** The node sending leader heartbeats in the highest term seen; null once it went silent. */
  leader: string | null;
  /** The highest term seen in leader heartbeats (0: none seen yet). */
  term: number;
  /** Epoch millis of the last leader heartbeat of that term; 0 if none. */
  lastSeen: number;
}

/**
 * A leader not heard for this long, in millis, is not shown as the leader any more. Leaders
 * heartbeat every 100 ms and followers call an election after 500–1000 ms of silence.
 */
export const LEADER_SILENT_MS = 1000;

/**
 * Follows the leader from the election traffic itself (`hms.<swarm>.raft.heartbeat`, sent by the
 * leader every 100 ms with its term): a new leader is seen within one of its heartbeats, not on
 * the next node heartbeat. The highest term wins; a silent leader is dropped after
 * {@link LEADER_SILENT_MS}.
 */
export class LeaderWatch {
  private leader: string | null = null;
  private term = 0;
  private lastSeen = 0;

  /**
   * Records a leader heartbeat `{ term, from }`. Stale terms are ignored, and so is anything that
   * is not a heartbeat of a node of the swarm (a term that is not a safe whole number, a sender
   * `isNode` does not know): a stray message must not crown a leader or pin the term.
   */
  observe(beat: { term: number; from: string }, now = Date.now(), isNode: (id: string) => boolean = () => true): void {
    const term = (beat as { term?: unknown } | null)?.term;
    const from = (beat as { from?: unknown } | null)?.from;
    if (!Number.isSafeInteger(term) || (term as number) < 0 || !isToken(from) || !isNode(from)) return;
    if ((term as number) < this.term) return;
    this.term = term as number;
    this.leader = from;
    this.lastSeen = now;
  }

  /** The leader now: null when none has been heard for {@link LEADER_SILENT_MS}. */
  current(now = Date.now()): SeenLeader {
    const fresh = this.leader !== null && now - this.lastSeen <= LEADER_SILENT_MS;
    return { leader: fresh ? this.leader : null, term: this.term, lastSeen: this.lastSeen };
  }
}

/**
 * Subscribes a {@link LeaderWatch} to the swarm's leader heartbeats; `isNode` says which senders
 * are nodes of the swarm (e.g. those whose node heartbeats were seen).
 */
export function watchLeader(
  transport: Transport,
  subjects: Subjects,
  isNode: (id: string) => boolean = () => true,
): { watch: LeaderWatch; stop(): void } {
  const watch = new LeaderWatch();
  const sub: TransportSubscription = transport.subscribe(subjects.raft('heartbeat'), (msg) => {
    watch.observe(msg.body as { term: number; from: string }, Date.now(), isNode);
  });
  return { watch, stop: () => sub.unsubscribe() };
}
