import type { Clock } from '../clock.js';
import { NoRespondersError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IncomingMessage } from '../transport/message.js';
import { isToken, type Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import {
  createElectionState,
  DEFAULT_TIMING,
  type ElectionInput,
  type ElectionState,
  type ElectionTiming,
  holdEchoes,
  ROLE,
  type Role,
  releaseEchoes,
  step,
  transferLeadership,
  withMembers,
} from './election-core.js';
import type { ElectionMessage } from './election-messages.js';
import type { ElectionStore } from './election-store.js';
import type { VoteStore } from './vote-file.js';

/** How the election looks from one node. */
export interface ElectionView {
  role: Role;
  term: number;
  leader: string | null;
  members: string[];
  /**
   * On the leader: when each member last answered its heartbeats (this node's clock, millis; a
   * member counts as heard when the term began). Empty on other nodes.
   */
  heardAt: Readonly<Record<string, number>>;
  /**
   * When this view was taken (the election's clock, millis). Silence is judged at this time:
   * `at - heardAt[member]`. A main thread that reads the view late (it reaches it by message from
   * the election thread) would otherwise count the delay as the member's silence.
   */
  at: number;
  /** On a follower: when it last heard the leader (this node's clock, millis); -Infinity if never. */
  lastLeaderContact: number;
  /**
   * On a follower: when it sent the newest ack the leader confirmed receiving (this node's
   * clock, millis; -Infinity if none) — what its majority lease counts from.
   */
  leaseContact: number;
}

/** Options of {@link startElectionRunner}. */
export interface ElectionRunnerOptions {
  nodeId: string;
  transport: Transport;
  subjects: Subjects;
  store: ElectionStore;
  /** Where this node's term and vote are kept durably; default KV (`vote.<node>` in the store). */
  votes?: VoteStore;
  clock: Clock;
  logger: Logger;
  timing?: ElectionTiming;
  random?: () => number;
  /** How often the core is ticked, in millis; default 25. */
  tickMs?: number;
  /** Called when this node's role, term or leader changes. */
  onChange?: (view: ElectionView) => void;
  /** Called after every input the core handled (a message, a tick), with the view then. */
  onStep?: (view: ElectionView) => void;
  /**
   * While this returns true the node takes no part: messages and ticks are dropped, as if it
   * were down (its process cannot do its work). Default: never.
   */
  paused?: () => boolean;
}

/** The election of one node, running over NATS. */
export interface ElectionRunner {
  view(): ElectionView;
  /** Messages on the election's subjects dropped as malformed since it started. */
  malformed(): number;
  /**
   * Leader: stops echoing `node`'s acks while its cells are re-placed, if it has not heard the
   * node since `heard` (see holdEchoes); false when it has, or is not the leader.
   */
  holdEchoes(node: string, heard: number | undefined): Promise<boolean>;
  /** Echoes `node`'s acks again. */
  releaseEchoes(node: string): void;
  /**
   * The longest the election did not run since last asked (millis; see
   * ElectionSharedState.takeThreadStallMs). Absent where it runs in the caller's thread.
   */
  stalledMs?(): number;
  /** Stops; with `leave`, this node also leaves the voting membership (a graceful leave). */
  stop(options?: { leave?: boolean }): Promise<void>;
}

/** A tick this much later than planned, in millis, follows a time this thread did not run. */
const LATE_TICK_MS = 150;

/** A late tick is logged at most this often, in millis. */
const LATE_LOG_EVERY_MS = 10_000;

/**
 * The `hms-type` of a probe of a node's election subject (a request, not an election message).
 * Both of the node's connections answer it — its election thread's and its main thread's — so
 * "no responders" means both are closed: the process is gone, not one connection reconnecting
 * (an election connection dropped as a slow consumer under a flood must not cost the office).
 */
export const PROBE_TYPE = 'raft.probe';

const MESSAGE_TYPES = new Set([
  'pre-vote',
  'pre-vote-reply',
  'request-vote',
  'vote',
  'heartbeat',
  'heartbeat-ack',
  'timeout-now',
]);

/**
 * @internal True when `body` is an election message the core may take. Terms are safe integers:
 * past 2^53 `term + 1 === term`, and a node that adopted such a term could never start a newer
 * election (every later vote in "the same" term).
 */
export function isElectionMessage(body: unknown): body is ElectionMessage {
  const m = body as Partial<ElectionMessage> | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    typeof m.type === 'string' &&
    MESSAGE_TYPES.has(m.type) &&
    typeof m.term === 'number' &&
    Number.isSafeInteger(m.term) &&
    m.term >= 0 &&
    m.term < Number.MAX_SAFE_INTEGER &&
    isToken(m.from)
  );
}

/**
 * Runs the pure election core over NATS (`hms.<swarm>.raft.<rpc>[.<nodeId>]`): inputs are
 * handled one at a time; a changed term or vote is saved to KV before any message that depends
 * on it is sent; a new leader records its term with compare-and-set (fencing).
 */
export async function startElectionRunner(options: ElectionRunnerOptions): Promise<ElectionRunner> {
  const { nodeId, transport, subjects, store, clock, logger } = options;
  const timing = options.timing ?? DEFAULT_TIMING;
  const random = options.random ?? Math.random;
  const log = logger.child({ component: 'election' });
  const members = await store.changeMembers({ add: nodeId });
  // A node that is new (or was away) starts from the newest recorded term, not from 0: alone in
  // a swarm whose earlier leader left, it would otherwise win a term already recorded.
  const votes: VoteStore = options.votes ?? {
    load: () => store.loadVote(nodeId),
    save: (state) => store.saveVote(nodeId, state),
  };
  const [vote, recorded] = await Promise.all([votes.load(), store.leader()]);
  const durable = recorded && recorded.term > (vote?.term ?? 0) ? { term: recorded.term, votedFor: null } : vote;
  let state: ElectionState = createElectionState({
    id: nodeId,
    members,
    now: clock.now(),
    random,
    timing,
    ...(durable ? { durable } : {}),
  });
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let malformed = 0;

  const view = (): ElectionView => ({
    role: state.role,
    term: state.term,
    leader: state.leader,
    members: [...state.members],
    heardAt: state.role === ROLE.leader ? state.acks : {},
    at: clock.now(),
    lastLeaderContact: state.lastLeaderContact,
    leaseContact: state.leaseContact,
  });

  const send = (out: ReturnType<typeof step>['out']) => {
    for (const o of out) {
      const subject = o.to ? subjects.raft(o.message.type, o.to) : subjects.raft(o.message.type);
      transport.publish(subject, `raft.${o.message.type}`, o.message, { term: o.message.term });
    }
  };

  /** While this leader hands over: told of every change, to see its successor. */
  let onSuccessor: ((v: ElectionView) => void) | undefined;
  let wasPaused = false;
  const process = async (input: ElectionInput) => {
    if (stopped) return;
    const paused = options.paused?.() ?? false;
    if (paused !== wasPaused) {
      wasPaused = paused;
      if (paused) log.error('main thread stalled: taking no part in the election until it runs again');
      else log.warn('main thread runs again: back in the election');
    }
    if (paused) return;
    const before = state;
    const result = step(state, input, random, timing);
    if (result.state.term !== before.term || result.state.votedFor !== before.votedFor) {
      await votes.save(result.state);
    }
    state = result.state;
    send(result.out);
    options.onStep?.(view());
    if (state.role !== before.role || state.leader !== before.leader || state.term !== before.term) {
      log.info({ role: state.role, term: state.term, leader: state.leader }, 'election changed');
      options.onChange?.(view());
      onSuccessor?.(view());
      if (state.role === ROLE.leader && before.role !== ROLE.leader) {
        const term = state.term;
        store.claimLeadership(nodeId, term, clock.now()).then(
          (ok) => ok || log.warn({ term }, 'leader record holds a newer term: fenced out'),
          (err: unknown) => log.warn({ err, term }, 'leader record not written'),
        );
      }
    }
  };
  const enqueue = (input: ElectionInput) => {
    chain = chain.then(() => process(input)).catch((err: unknown) => log.error({ err }, 'election step failed'));
  };

  /**
   * A leader that leaves hands its office to the member that acknowledged it last, then waits
   * (at most an election timeout) until another leader is heard, still taking part meanwhile —
   * it votes for its successor.
   */
  const handOver = async () => {
    let heard: () => void = () => undefined;
    const elected = new Promise<void>((resolve) => {
      heard = resolve;
    });
    onSuccessor = (v) => {
      if (v.leader !== null && v.leader !== nodeId) heard();
    };
    chain = chain.then(() => {
      const result = transferLeadership(state, clock.now(), random, timing);
      if (result.out.length === 0) return heard();
      log.info({ term: state.term, to: result.out[0]?.to }, 'leaving: handing the leadership over');
      state = result.state;
      send(result.out);
      options.onStep?.(view());
      options.onChange?.(view());
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      elected,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timing.electionTimeoutMaxMs);
      }),
    ]);
    clearTimeout(timer);
    onSuccessor = undefined;
  };

  const onMessage = (msg: IncomingMessage) => {
    if (msg.type === PROBE_TYPE) {
      // "Is this node's election still listening?" — answered while the process lives.
      if (msg.isRequest) msg.respond({ from: nodeId });
      return;
    }
    if (!isElectionMessage(msg.body)) {
      if (malformed++ % 100 === 0) log.warn({ subject: msg.subject, malformed }, 'malformed election message dropped');
      return;
    }
    enqueue({ type: 'message', now: clock.now(), message: msg.body });
  };
  const subs: TransportSubscription[] = [
    transport.subscribe(subjects.raftPattern(), onMessage),
    transport.subscribe(subjects.raftPattern(nodeId), onMessage),
  ];
  await transport.flush();

  /**
   * A follower that has not heard its leader for a heartbeat and a half asks the leader's
   * election subject whether anyone listens. "No responders" comes back at once when the
   * leader's connection is closed (its process died): the follower then campaigns without
   * waiting out the election timeout. A timeout or any other answer means nothing (a paused or
   * cut-off leader keeps its subscription), and the usual timeouts decide. A probe waits two
   * heartbeat intervals, so one sent while the server had not yet seen the dead connection close
   * is followed by another well before the election timeout.
   */
  let probing = false;
  let lastProbeAt = Number.NEGATIVE_INFINITY;
  const probeLeader = (now: number) => {
    const { leader, term } = state;
    if (probing || state.role !== ROLE.follower || leader === null || state.leaderGone) return;
    if (now - state.lastLeaderContact < timing.heartbeatMs * 1.5 || now - lastProbeAt < timing.heartbeatMs) return;
    probing = true;
    lastProbeAt = now;
    transport
      .request(subjects.raft('probe', leader), PROBE_TYPE, { term }, { timeout: timing.heartbeatMs * 2 })
      .then(
        () => undefined,
        (err: unknown) => {
          if (!(err instanceof NoRespondersError) || stopped) return;
          log.info({ leader, term }, 'the leader’s election has no responders: its process is gone; campaigning now');
          enqueue({ type: 'leader-gone', now: clock.now(), leader, term });
        },
      )
      .finally(() => {
        probing = false;
      });
  };

  const tickMs = options.tickMs ?? 25;
  let lastTickAt = clock.now();
  let lateSince = 0;
  const ticker = setInterval(() => {
    const now = clock.now();
    const lateMs = now - lastTickAt - tickMs;
    lastTickAt = now;
    if (lateMs < LATE_TICK_MS) {
      enqueue({ type: 'tick', now });
      probeLeader(now);
      return;
    }
    // This thread did not run for a while (the CPU was given to others, or the process was
    // stopped): the timers phase comes before the messages that waited meanwhile are read, so a
    // tick now would find every heartbeat or ack stale — a leader would step down, followers
    // would campaign — although they are in the socket. Read them first (setImmediate runs after
    // the poll phase), then judge.
    if (now - lateSince > LATE_LOG_EVERY_MS) {
      lateSince = now;
      log.warn({ lateMs }, 'election thread ran late (starved of CPU or stopped); reading waiting messages first');
    }
    setImmediate(() => enqueue({ type: 'tick', now: clock.now() }));
  }, tickMs);
  ticker.unref();
  // Membership changes are rare: re-read it now and then.
  const membership = setInterval(() => {
    store.members().then(
      (m) => {
        if (m.length > 0 && m.join() !== state.members.join()) {
          chain = chain.then(() => {
            state = withMembers(state, m, clock.now());
            log.info({ members: m }, 'voting membership changed');
          });
        }
      },
      (err: unknown) => log.warn({ err }, 'membership not readable'),
    );
  }, 1000);
  membership.unref();

  return {
    view,
    malformed: () => malformed,
    holdEchoes: (node, heard) =>
      new Promise<boolean>((resolve) => {
        chain = chain.then(() => {
          const held = holdEchoes(state, node, heard);
          state = held.state;
          resolve(held.ok);
        });
      }),
    releaseEchoes(node) {
      chain = chain.then(() => {
        state = releaseEchoes(state, node);
      });
    },
    async stop(stopOptions = {}) {
      if (stopOptions.leave && state.role === ROLE.leader) await handOver();
      stopped = true;
      clearInterval(ticker);
      clearInterval(membership);
      for (const s of subs) s.unsubscribe();
      await chain;
      if (stopOptions.leave) await store.changeMembers({ remove: nodeId }).catch(() => undefined);
    },
  };
}
