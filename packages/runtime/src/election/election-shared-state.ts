import { ROLE, type Role } from './election-core.js';

/** Slots of the shared election state (one Float64 each). */
const SLOT = {
  /** On a follower: when it last heard the leader (epoch millis); -Infinity if never. */
  lastLeaderContact: 0,
  term: 1,
  role: 2,
  /** When the main thread last ran (epoch millis): the election thread's view of its health. */
  mainAliveAt: 3,
  /** 1 while the main thread's own NATS connection is up, else 0. */
  mainConnected: 4,
  /** Messages the election thread dropped as malformed (undecodable or of a wrong shape). */
  malformed: 5,
  /** On a follower: when it sent the newest ack the leader confirmed (its lease's start). */
  leaseContact: 6,
} as const;

/** Bytes of the Float64 slots; after them, two BigInt64 slots used with Atomics. */
const FLOAT_BYTES = 8 * 7;
const ALIVE = {
  /** When the election thread last ran (epoch millis; 0: not yet). */
  at: 0,
  /** The longest the election thread did not run, since the main thread last took it (millis). */
  gapMs: 1,
} as const;

const ROLES: readonly Role[] = [ROLE.follower, ROLE.preCandidate, ROLE.candidate, ROLE.leader];

/**
 * The part of a node's election state that the main thread must read fresh even when its own
 * event loop is behind (fencing reads `lastLeaderContact` before every message): a few numbers in
 * a SharedArrayBuffer, written by the election thread and read by the main thread without
 * waiting for a message. The main thread writes back when it last ran.
 */
export class ElectionSharedState {
  private readonly slots: Float64Array;
  private readonly alive: BigInt64Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.slots = new Float64Array(buffer, 0, FLOAT_BYTES / 8);
    this.alive = new BigInt64Array(buffer, FLOAT_BYTES, 2);
  }

  /** New state, for the main thread to hand to the election thread: no leader heard yet. */
  static create(): ElectionSharedState {
    const state = new ElectionSharedState(new SharedArrayBuffer(FLOAT_BYTES + 16));
    state.slots[SLOT.lastLeaderContact] = Number.NEGATIVE_INFINITY;
    state.slots[SLOT.leaseContact] = Number.NEGATIVE_INFINITY;
    return state;
  }

  /** The state behind `buffer`, as the other thread made it. */
  static attach(buffer: SharedArrayBuffer): ElectionSharedState {
    return new ElectionSharedState(buffer);
  }

  /** Written by the election thread whenever its state moves. */
  write(view: { role: Role; term: number; lastLeaderContact: number; leaseContact: number }): void {
    this.slots[SLOT.term] = view.term;
    this.slots[SLOT.role] = ROLES.indexOf(view.role);
    this.slots[SLOT.lastLeaderContact] = view.lastLeaderContact;
    this.slots[SLOT.leaseContact] = view.leaseContact;
  }

  get lastLeaderContact(): number {
    return this.slots[SLOT.lastLeaderContact] as number;
  }

  get leaseContact(): number {
    return this.slots[SLOT.leaseContact] as number;
  }

  get term(): number {
    return this.slots[SLOT.term] as number;
  }

  get role(): Role {
    return ROLES[this.slots[SLOT.role] as number] ?? ROLE.follower;
  }

  /**
   * Called by the election thread on a steady timer. A gap since its last call (the whole process
   * was stopped, say) is kept until the main thread takes it: the leader may have counted this
   * node down meanwhile, though the thread hears it again at once.
   */
  markThreadAlive(now: number): void {
    const at = BigInt(Math.floor(now));
    const last = Atomics.load(this.alive, ALIVE.at);
    if (last > 0n && at - last > Atomics.load(this.alive, ALIVE.gapMs)) {
      // Only this thread raises it; the main thread only resets it to 0.
      let seen = Atomics.load(this.alive, ALIVE.gapMs);
      while (at - last > seen) {
        const was = Atomics.compareExchange(this.alive, ALIVE.gapMs, seen, at - last);
        if (was === seen) break;
        seen = was;
      }
    }
    Atomics.store(this.alive, ALIVE.at, at);
  }

  /**
   * For the main thread: the longest the election thread did not run since the last call
   * (millis), counting the silence up to `now`; 0 before it first ran.
   */
  takeThreadStallMs(now: number): number {
    // Read its last run first: a run after this read has put its gap in place before its time.
    const at = Atomics.load(this.alive, ALIVE.at);
    const gap = Atomics.exchange(this.alive, ALIVE.gapMs, 0n);
    if (at === 0n) return 0;
    return Math.max(Number(gap), now - Number(at));
  }

  /** Called by the main thread on a steady timer, with whether its NATS connection is up. */
  markMainAlive(now: number, connected: boolean): void {
    this.slots[SLOT.mainAliveAt] = now;
    this.slots[SLOT.mainConnected] = connected ? 1 : 0;
  }

  /** Messages the election thread dropped as malformed; written by the election thread. */
  get malformed(): number {
    return this.slots[SLOT.malformed] as number;
  }

  set malformed(count: number) {
    this.slots[SLOT.malformed] = count;
  }

  /** Whether the main thread's NATS connection was up when it last ran. */
  get mainConnected(): boolean {
    return this.slots[SLOT.mainConnected] === 1;
  }

  /** When the main thread last ran (epoch millis; 0: not yet). */
  get mainAliveAt(): number {
    return this.slots[SLOT.mainAliveAt] as number;
  }
}
