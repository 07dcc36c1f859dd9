import {
  type CellHealth,
  createSubjects,
  fetchNodeCells,
  HOST_MESSAGE,
  LIFECYCLE_EVENT,
  type NodeHeartbeat,
  type Transport,
} from '@hms/runtime';
import { createListeners, type Feed } from './feed.js';

/** What the agents view shows. */
export interface CellsSnapshot {
  cells: CellHealth[];
  /** True until the first pages arrived. */
  loading: boolean;
  /** Epoch millis of the last refresh; 0 before the first. */
  refreshedAt: number;
}

/** Cell events after which the list is refreshed (debounced). */
const CELL_EVENTS = [
  LIFECYCLE_EVENT.started,
  LIFECYCLE_EVENT.stopped,
  LIFECYCLE_EVENT.crashed,
  LIFECYCLE_EVENT.escalated,
  'placement.moved',
];

/** Refreshes come at most this often, in millis, however many cells change. */
const REFRESH_MIN_MS = 2000;

/** The cells feed: it asks the nodes only while open. */
export interface CellsFeed extends Feed<CellsSnapshot> {
  /** Starts asking (at once, then after changes); returns the function that stops asking. */
  open(): () => void;
}

/**
 * The swarm's cells for the agents view: each node's cell pages are asked for when the view
 * opens (`hms.<swarm>.node.<id>.cells`), and again — at most every {@link REFRESH_MIN_MS} —
 * after cells start, stop, crash or move. Nothing is polled while nothing changes, and nothing
 * is asked while the view is closed.
 */
export function createCellsFeed(transport: Transport, swarm: string): CellsFeed {
  const subjects = createSubjects(swarm);
  const listeners = createListeners();
  const nodes = new Map<string, number>();
  let state: CellsSnapshot = { cells: [], loading: true, refreshedAt: 0 };
  let timer: NodeJS.Timeout | undefined;
  let inFlight = false;
  let opened = 0;

  const refresh = async () => {
    timer = undefined;
    if (inFlight) return;
    inFlight = true;
    try {
      const now = Date.now();
      const live = [...nodes].filter(([, seen]) => now - seen < 5000).map(([node]) => node);
      const pages = await Promise.all(
        live.map((node) => fetchNodeCells(transport, subjects, node, 3000).catch(() => [] as CellHealth[])),
      );
      state = {
        cells: pages.flat().sort((a, b) => a.id.localeCompare(b.id)),
        loading: false,
        refreshedAt: Date.now(),
      };
      listeners.emit();
    } finally {
      inFlight = false;
    }
  };
  const schedule = (delayMs: number) => {
    if (timer || opened === 0) return;
    const wait = Math.max(delayMs, state.refreshedAt + REFRESH_MIN_MS - Date.now());
    timer = setTimeout(() => void refresh(), wait);
    timer.unref();
  };

  const subs = [
    transport.subscribe(subjects.heartbeatPattern(), (msg) => {
      const hb = msg.body as NodeHeartbeat;
      const known = nodes.has(hb.node);
      if (hb.leaving) nodes.delete(hb.node);
      else nodes.set(hb.node, Date.now());
      // The first heartbeats name the nodes to ask.
      if (!known && !hb.leaving) schedule(200);
    }),
    ...CELL_EVENTS.map((t) => transport.subscribe(subjects.eventPattern(t), () => schedule(300))),
  ];
  return {
    snapshot: () => state,
    subscribe: listeners.add,
    open() {
      opened++;
      schedule(0);
      return () => {
        opened--;
      };
    },
    stop() {
      clearTimeout(timer);
      for (const s of subs) s.unsubscribe();
    },
  };
}

/** Asks one cell for its health, context, state tree and last events (`hms.inspect` to its inbox). */
export async function fetchCellStatus(
  transport: Transport,
  swarm: string,
  id: string,
): Promise<Record<string, unknown>> {
  return (await transport.request(createSubjects(swarm).cellInbox(id), HOST_MESSAGE.inspect, undefined, {
    timeout: 2000,
  })) as Record<string, unknown>;
}
