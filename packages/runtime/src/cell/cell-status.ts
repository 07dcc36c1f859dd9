/** The lifecycle of a hosted cell. */
export const CELL_STATUS = {
  starting: 'starting',
  running: 'running',
  /** Its machine failed; the node restarts it. */
  crashed: 'crashed',
  /** It crashed more often than the restart intensity allows; the node gave up and escalated. */
  failed: 'failed',
  stopped: 'stopped',
} as const;

export type CellStatus = (typeof CELL_STATUS)[keyof typeof CELL_STATUS];

/** The health of one cell, as its node reports it in heartbeats and `hms agent status`. */
export interface CellHealth {
  id: string;
  type: string;
  node: string;
  status: CellStatus;
  /** The machine's state value (e.g. `"idle"` or `{ "active": "waiting" }`). */
  state: unknown;
  /** Messages waiting in the inbox subscription. */
  mailbox: number;
  /** Messages handled since the node started it. */
  handled: number;
  /** Messages refused while its node was cut off from the swarm's majority (absent: none). */
  refused?: number;
  /** Messages that failed (error replies, crashes). */
  errors: number;
  /** Dead letters: inbox messages the machine could not take in its state (absent: none). */
  unhandled?: number;
  /** How often the node restarted it. */
  restarts: number;
  /** Epoch millis of the last start. */
  startedAt: number;
  /** The last failure's message, if any. */
  lastError?: string;
  /** Circuit-breaker state per dependency this cell has called (`closed`, `open`, `halfOpen`). */
  circuits?: Record<string, string>;
  /**
   * What it listens to: `<event>` (from any cell), `<event>@<cellId>`, `heartbeats`, `migrants`
   * (absent: nothing).
   */
  topics?: string[];
}

/**
 * The part of a cell's health a node heartbeat sums up every second: counters read without
 * building the rest (state value, circuits, topics), for every cell of a node.
 */
export type CellPulse = Pick<CellHealth, 'id' | 'type' | 'status' | 'handled' | 'errors' | 'restarts' | 'mailbox'>;
