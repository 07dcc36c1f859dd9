/** The election protocol's messages. `term` is always the sender's (proposed, for pre-votes). */
export type ElectionMessage =
  /** "Would you vote for me in `term`?" — sent before a real election, changes nobody's term. */
  | { type: 'pre-vote'; term: number; from: string }
  | { type: 'pre-vote-reply'; term: number; from: string; granted: boolean }
  | { type: 'request-vote'; term: number; from: string }
  | { type: 'vote'; term: number; from: string; granted: boolean }
  /**
   * The leader's heartbeat; followers answer with `heartbeat-ack`. `acked` names, per follower,
   * the newest ack `seq` the leader has received from it (absent from older builds' leaders).
   * `held` names the followers whose cells it is re-placing: their leases must not start or
   * renew on this heartbeat (absent when none).
   */
  | {
      type: 'heartbeat';
      term: number;
      from: string;
      acked?: Readonly<Record<string, number>>;
      held?: readonly string[];
    }
  /** `seq`: the follower's running number of its acks, echoed back in the leader's `acked`. */
  | { type: 'heartbeat-ack'; term: number; from: string; seq?: number }
  /**
   * A leader that is leaving hands over: the follower it names campaigns at once (Raft's
   * TimeoutNow), so the swarm has a new leader within a round trip instead of an election timeout.
   */
  | { type: 'timeout-now'; term: number; from: string };

/** A message to send: to one node, or to every other member when `to` is undefined. */
export interface Outgoing {
  to?: string;
  message: ElectionMessage;
}
