/** Events a node publishes about the cells it hosts, on `hms.<swarm>.evt.<type>.<cellId>`. */
export const LIFECYCLE_EVENT = {
  started: 'cell.started',
  stopped: 'cell.stopped',
  crashed: 'cell.crashed',
  /** Crashed more often than the restart intensity allows: the node gave up (an alert). */
  escalated: 'cell.escalated',
} as const;

export type LifecycleEvent = (typeof LIFECYCLE_EVENT)[keyof typeof LIFECYCLE_EVENT];
