/** Events a node publishes about the cells it hosts, on `hms.<swarm>.evt.<type>.<cellId>`. */
export const LIFECYCLE_EVENT = {
  /** A healing action and its result: `{ action, why, outcome, durationMs }`. */
  healed: 'heal.action',
  /** An operator asked for a cell to be restarted (`hms heal trigger`); its node acts. */
  healRequested: 'heal.requested',
  started: 'cell.started',
  /** A message its machine could not take in its state: `{ type, state, from }` (a dead letter). */
  deadLetter: 'dead-letter',
  stopped: 'cell.stopped',
  crashed: 'cell.crashed',
  /** A write found a newer owner (the copy stopped) or a stale writer (the copy reloaded). */
  fenced: 'cell.fenced',
  /** Its snapshot is over the server's max payload and was not saved: `{ bytes, limit }` (an alert). */
  snapshotTooLarge: 'cell.snapshot-too-large',
  /** The node went over its limits (`{ reasons, … }`) or came back under them (an alert). */
  overloaded: 'node.overloaded',
  recovered: 'node.recovered',
  /**
   * Crashed more often than the restart intensity allows, or its snapshot has a state version
   * its definition cannot read: the node gave up, the cell is `failed` (an alert).
   */
  escalated: 'cell.escalated',
  /** Its stored snapshot was migrated to its type's state version and saved: `{ from, to }`. */
  migrated: 'cell.migrated',
} as const;

export type LifecycleEvent = (typeof LIFECYCLE_EVENT)[keyof typeof LIFECYCLE_EVENT];
