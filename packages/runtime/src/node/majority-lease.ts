import type { Clock } from '../clock.js';
import { ROLE } from '../election/election-core.js';
import type { ElectionView } from '../election/election-runner.js';
import type { Logger } from '../logger.js';

/** How often the lease is looked at, in millis. */
const SAMPLE_MS = 50;

/** How long a failed confirmation waits before it is tried again, in millis. */
const CONFIRM_RETRY_MS = 500;

/**
 * A follower that has not heard the leader for this long, in millis, stops its cells taking
 * messages (they keep running, supervised, and resume once the node, back in touch with a
 * leader, has confirmed which cells it still owns: see createMajorityLease).
 */
const MAJORITY_LEASE_MS = 1000;

/**
 * The lease for a swarm whose leader counts a silent member down after `downAfterMs`: 1000 ms, or
 * two thirds of `downAfterMs` when that is lower than 1500. A cut-off copy must stop taking
 * changes before the majority starts the cell elsewhere, so that there are never two copies
 * taking changes.
 */
export function majorityLeaseMs(downAfterMs: number): number {
  return Math.min(MAJORITY_LEASE_MS, (downAfterMs * 2) / 3);
}

/** Options of {@link createMajorityLease}. */
export interface MajorityLeaseOptions {
  nodeId: string;
  clock: Clock;
  logger: Logger;
  /** This node's view of the election; undefined before it joined (nothing to fence against yet). */
  election: () => ElectionView | undefined;
  /** How long a follower may go without hearing the leader, in millis; read at every look. */
  leaseMs: () => number;
  /**
   * The longest the election did not run since the last call, in millis (0 when unknown). A
   * stopped process (SIGSTOP, a VM pause) hears the leader again at once when it resumes, before
   * this thread looked: without this, the lapse went unseen and its cells took messages beside
   * the copies the majority had started meanwhile (chaos seeds 1011 and 1021).
   */
  stalledMs?: () => number;
  /**
   * Reads the spec of every cell hosted here and stops every copy now assigned elsewhere (or at a
   * newer epoch); rejects when the store cannot be read. Its effect must be in place when it
   * resolves: the cells take messages again right after.
   */
  confirm: () => Promise<void>;
}

/** Whether this node's cells may take messages (see {@link createMajorityLease}). */
export interface MajorityLease {
  /** null when the cells may take messages now, else why not. */
  admits(): string | null;
  stop(): void;
}

/**
 * The lease under which a node's cells take messages. A follower holds it while it hears the
 * leader; the leader holds it by being leader (check quorum makes a cut-off leader step down).
 * Once the lease has lapsed, the majority may have re-placed this node's cells and started them
 * elsewhere, and this node learns of it only through JetStream, which may lag after a partition
 * heals. So hearing a leader again is not enough: the cells stay refused until `confirm` (a
 * check of every hosted cell's spec, begun after contact came back) has stopped the copies that
 * moved away. Without that, a copy cut off during the partition served its stale state as soon
 * as a leader was heard, beside the majority's copy, and an increment made by the majority
 * looked lost.
 *
 * A stall of this node's own event loop is not a lapse: the election runs in its own thread and
 * keeps answering the leader meanwhile (so the leader does not take the node for dead), and the
 * last contact read here comes from that thread through shared memory, fresh after any stall.
 * A main thread stuck long enough for the election thread to stop answering shows here as
 * silence, like any other lapse.
 */
export function createMajorityLease(options: MajorityLeaseOptions): MajorityLease {
  const { clock, logger, nodeId } = options;
  // Never confirmed: the cells started from what this node read of the desired cells, maybe in
  // a minority.
  let lapsed = true;
  /** Bumped at every lapse seen, so a confirmation that overlapped a new lapse does not count. */
  let lapses = 0;
  let confirming = false;
  let stopped = false;
  let timer: unknown;
  /** After a failed confirmation, the next waits until then (epoch millis). */
  let retryAt = Number.NEGATIVE_INFINITY;

  /** Why the lease is not held now, or null when it is. */
  const outOfContact = (view: ElectionView, now: number): string | null => {
    if (view.role === ROLE.leader) return null;
    // Time since the last contact decides, not whether a leader is known right now: during an
    // election (a leader handing over, say) no leader is known for a few millis, and the
    // majority cannot re-place this node's cells before `placement.downAfterMs` of its silence,
    // which the lease is shorter than. The contact is the sending of the newest ack the leader
    // confirmed receiving (see ElectionState.leaseContact), not a heartbeat's arrival: under
    // delay the leader hears this node a round trip late, and counts from that.
    const silentMs = now - view.leaseContact;
    if (silentMs <= options.leaseMs()) return null;
    return (
      `node ${nodeId} has not heard a leader for ${Number.isFinite(silentMs) ? `${Math.round(silentMs)} ms` : 'ever'}: ` +
      'it is cut off from the majority, which may run this cell elsewhere'
    );
  };

  const startConfirm = () => {
    if (confirming || stopped || clock.now() < retryAt) return;
    confirming = true;
    const since = lapses;
    const startedAt = clock.now();
    options.confirm().then(
      () => {
        confirming = false;
        if (stopped || since !== lapses) return;
        lapsed = false;
        logger.info({ ms: Math.round(clock.now() - startedAt) }, 'back in the majority: cells confirmed');
      },
      (err: unknown) => {
        confirming = false;
        if (stopped) return;
        retryAt = clock.now() + CONFIRM_RETRY_MS;
        logger.warn({ err, retryMs: CONFIRM_RETRY_MS }, 'cells not confirmed after rejoining; retrying');
      },
    );
  };

  /** Looks at the lease now: notes a lapse, or starts the confirmation once back in contact. */
  const look = (): string | null => {
    const view = options.election();
    if (view === undefined) return null;
    const now = clock.now();
    // The only voting member is the whole majority: no other node can have re-placed its cells.
    if (view.role === ROLE.leader && view.members.every((m) => m === nodeId)) {
      lapsed = false;
      return null;
    }
    const stalled = options.stalledMs?.() ?? 0;
    const away =
      stalled > options.leaseMs()
        ? `node ${nodeId} was stopped for ${Math.round(stalled)} ms: the majority may run this cell elsewhere`
        : outOfContact(view, now);
    if (away !== null) {
      if (!lapsed) logger.warn('majority lease lapsed; cells take no messages');
      lapsed = true;
      lapses++;
      return away;
    }
    if (!lapsed) return null;
    startConfirm();
    return `node ${nodeId} is back in touch with the majority and is confirming which cells it still owns`;
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    look();
    timer = clock.setTimeout(tick, SAMPLE_MS);
  };
  timer = clock.setTimeout(tick, SAMPLE_MS);

  return {
    admits: () => (stopped ? null : look()),
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
