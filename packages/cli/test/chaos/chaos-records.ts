/**
 * What a chaos run records, and all the checker reads: the clients' operations, the leaders the
 * nodes say they became, the messages each copy of a cell says it accepted, and the final reads.
 * Times are epoch millis from one machine's clock (every process of the run shares it).
 */

/** How a call ended: `ok` (answered), `fail` (certainly not applied), `info` (unknown: timeout or an error after which it may have been applied). */
export type Outcome = 'ok' | 'fail' | 'info';

/** One call a client made to a counter cell. */
export interface Operation {
  client: string;
  counter: string;
  /** `increment` adds 1; `get` reads. */
  type: 'increment' | 'get';
  /** When it was sent / when its outcome was known, millis. */
  start: number;
  end: number;
  outcome: Outcome;
  /** The count in the reply (ok only). */
  count?: number;
  /** The error's code and message (fail and info). */
  error?: string;
}

/** A node's own line saying it became leader of a term. */
export interface LeaderRecord {
  node: string;
  term: number;
  at: number;
}

/** A copy of a cell's own line saying it accepted an inbox message. */
export interface AcceptRecord {
  cell: string;
  node: string;
  /** The process: a node restarted after kill -9 runs new copies. */
  pid: number;
  epoch: number;
  at: number;
}

/** The read of a counter after the last heal. */
export interface FinalRead {
  counter: string;
  /** null: it never answered within the bound. */
  count: number | null;
  /** When it first answered after the last heal, millis. */
  answeredAt?: number;
}

/** Everything one seed's run left for the checker. */
export interface ChaosRecords {
  operations: Operation[];
  leaders: LeaderRecord[];
  accepts: AcceptRecord[];
  finals: FinalRead[];
  /** When the last fault was healed (every process running again, every link up), millis. */
  lastHealAt: number;
  /** How long after the last heal every cell must answer, millis. */
  recoveryBoundMs: number;
}

/** The kinds of violation the checker reports. */
export const VIOLATION = {
  twoLeaders: 'two-leaders-in-a-term',
  lostAck: 'acknowledged-increment-lost',
  doubleApply: 'increment-applied-twice',
  notSequential: 'no-sequential-history',
  overlappingCopies: 'two-copies-accepting',
  notRecovered: 'not-answering-after-heal',
} as const;

export type ViolationKind = (typeof VIOLATION)[keyof typeof VIOLATION];

/** One thing the records show that must never happen. */
export interface Violation {
  kind: ViolationKind;
  /** The counter or cell concerned, or `term <n>`. */
  subject: string;
  detail: string;
}
