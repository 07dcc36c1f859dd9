import {
  ALERT_LOG,
  type Alert,
  CONSOLE_HEARTBEAT,
  type ConsoleHeartbeat,
  ConsoleView,
  createSilentLogger,
  createSubjects,
  EventLog,
  type IncomingMessage,
  LIFECYCLE_EVENT,
  type LoggedEvent,
  type NodeHeartbeat,
  PeerView,
  systemClock,
  type Transport,
  watchLeader,
} from '@hms/runtime';
import { createListeners, type Feed } from './feed.js';
import { type ActivityRow, clockTime, type HealthSnapshot, type NodeRow } from './health-model.js';

/** Events shown as healing: restarts, re-placements, hand-offs and rebalancing. */
const HEALING_EVENTS = [
  LIFECYCLE_EVENT.healed,
  LIFECYCLE_EVENT.crashed,
  'placement.moved',
  'placement.handoff',
  'placement.rebalance',
] as const;

/** Healing rows are shown this long, in millis. */
const HEALING_WINDOW_MS = 60_000;
/** How many rows the activity panels keep. */
const KEEP = 50;
/** Rate points kept per node (one per heartbeat: about 5 minutes at the default 1 s). */
const RATE_POINTS = 300;
/** Phi at which a silent node is shown down (the nodes' own default `health.suspectPhi`). */
const DOWN_PHI = 8;

/** One line describing an event's body, for the activity panels. */
export function describeEvent(type: string, about: string, body: Record<string, unknown>): string {
  const b = body as Record<string, string | number | boolean | undefined>;
  switch (type) {
    case 'heal.action':
      return `${b.action} ${about}: ${b.outcome} (${b.why ?? ''})`;
    case 'placement.moved':
      return `re-placed ${about} ${b.from} → ${b.to}`;
    case 'placement.handoff':
      return `handing ${about} ${b.from} → ${b.to}`;
    case 'placement.rebalance':
      return `rebalance: ${b.moved} moved, ${b.inFlight} in flight, ${b.remaining} to go${b.done ? ' (done)' : ''}`;
    case 'cell.crashed':
      return `${about} crashed: ${b.error ?? b.message ?? ''}`;
    case 'cell.escalated':
      return `${about} given up: ${b.reason ?? ''}`;
    case 'alert.raised':
      return `${b.severity ?? 'alert'} ${b.kind ?? ''} ${b.id ?? about}: ${b.reason ?? ''}`;
    case 'node.overloaded':
      return `${about} overloaded: ${Array.isArray(body.reasons) ? body.reasons.join(', ') : ''}`;
    case 'node.recovered':
      return `${about} no longer overloaded`;
    default:
      return `${type} ${about}`;
  }
}

function severityOf(type: string, body: Record<string, unknown>): ActivityRow['severity'] {
  if (type === 'cell.escalated' || body.severity === 'critical' || body.outcome === 'gave-up') return 'critical';
  if (
    type === 'node.recovered' ||
    type === 'placement.moved' ||
    type === 'placement.handoff' ||
    type === 'placement.rebalance' ||
    body.outcome === 'ok'
  )
    return 'info';
  return 'warning';
}

/** The health view's data: node heartbeats, leader heartbeats, consoles, healing events and alerts. */
export interface HealthFeed extends Feed<HealthSnapshot> {
  /** Takes an alert pushed to this console (`hms.<swarm>.console.<id>.alert`). */
  alertPushed(alert: Alert): void;
}

/** How many of the latest alerts are read from the alerts stream. */
const RECENT_ALERTS = 5;

/**
 * Subscribes to what the health view shows — nothing is polled: node heartbeats (scored with the
 * native phi detector), the leader's raft heartbeats, console heartbeats and healing events; the
 * latest alerts are read once from the alerts stream, then come as pushed to this console
 * ({@link HealthFeed.alertPushed}), read again only when a push shows some were missed.
 */
export function createHealthFeed(transport: Transport, swarm: string): HealthFeed {
  const subjects = createSubjects(swarm);
  const startedAt = Date.now();
  const listeners = createListeners();
  const peers = new PeerView({ clock: systemClock, forgetAfterMs: 10 * 60_000 });
  const consoles = new ConsoleView();
  const leader = watchLeader(transport, subjects, (id) => peers.list().some((p) => p.node === id));
  const healing: ActivityRow[] = [];
  const alerts: ActivityRow[] = [];
  const seenAlerts = new Set<number>();
  /** The highest stream sequence among the alerts shown (0: none yet). */
  let lastAlertSeq = 0;
  let leaderSeen = '';
  const rates = new Map<string, { handled: number; ts: number; series: number[] }>();
  /** Messages per second between a node's consecutive heartbeats (a restarted node starts over). */
  const noteRate = (hb: NodeHeartbeat) => {
    const prev = rates.get(hb.node);
    const handled = hb.totals?.handled ?? 0;
    const series = prev?.series ?? [];
    if (prev && hb.ts > prev.ts && handled >= prev.handled) {
      series.push(((handled - prev.handled) * 1000) / (hb.ts - prev.ts));
      if (series.length > RATE_POINTS) series.shift();
    }
    rates.set(hb.node, { handled, ts: hb.ts, series });
  };

  const push = (rows: ActivityRow[], row: ActivityRow) => {
    rows.unshift(row);
    rows.sort((a, b) => b.at - a.at);
    rows.length = Math.min(rows.length, KEEP);
  };
  const addAlert = (e: Pick<LoggedEvent, 'seq' | 'at' | 'type' | 'cell' | 'body'>) => {
    if (seenAlerts.has(e.seq)) return;
    seenAlerts.add(e.seq);
    lastAlertSeq = Math.max(lastAlertSeq, e.seq);
    push(alerts, {
      at: e.at,
      type: e.type,
      about: e.cell,
      text: describeEvent(e.type, e.cell, e.body),
      severity: severityOf(e.type, e.body),
    });
  };
  const onEvent = (msg: IncomingMessage) => {
    const parsed = subjects.parseEvent(msg.subject);
    if (!parsed) return;
    const body = (msg.body ?? {}) as Record<string, unknown>;
    const e = { at: Date.now(), type: parsed.eventType, cell: parsed.cellId, body };
    push(healing, {
      at: e.at,
      type: e.type,
      about: e.cell,
      text: describeEvent(e.type, e.cell, body),
      severity: severityOf(e.type, body),
      ...(typeof body.restartInMs === 'number' ? { restartAt: e.at + body.restartInMs } : {}),
    });
    listeners.emit();
  };

  const subs = [
    transport.subscribe(subjects.heartbeatPattern(), (msg) => {
      peers.observe(msg.body as NodeHeartbeat);
      noteRate(msg.body as NodeHeartbeat);
      listeners.emit();
    }),
    transport.subscribe(subjects.consolePattern(), (msg) => {
      if (msg.type === CONSOLE_HEARTBEAT) consoles.observe(msg.body as ConsoleHeartbeat);
      listeners.emit();
    }),
    ...HEALING_EVENTS.map((t) => transport.subscribe(subjects.eventPattern(t), onEvent)),
  ];
  // The leader changes are what the status line must show within a second: notice them at once.
  const leaderTimer = setInterval(() => {
    const { leader: now, term } = leader.watch.current();
    const key = `${now}|${term}`;
    if (key !== leaderSeen) {
      leaderSeen = key;
      listeners.emit(true);
    }
  }, 100);
  leaderTimer.unref();
  const alertLog = EventLog.open(transport, swarm, ALERT_LOG, createSilentLogger());
  const readRecentAlerts = () =>
    void alertLog
      .then((log) => log.recent(RECENT_ALERTS))
      .then((recent) => {
        for (const e of recent) addAlert(e);
        listeners.emit();
      })
      .catch(() => {});
  readRecentAlerts();

  const snapshot = (): HealthSnapshot => {
    const now = Date.now();
    const seen = leader.watch.current(now);
    const nodes: NodeRow[] = peers.list().map((p) => {
      const hb = p.heartbeat;
      const silentMs = now - p.lastSeen;
      const state =
        p.status === 'left' ? 'left' : p.phi >= DOWN_PHI ? 'down' : silentMs > 2 * hb.intervalMs ? 'late' : 'alive';
      const isLeader = seen.leader === p.node;
      const role = isLeader
        ? 'leader'
        : hb.election?.role === 'leader' && seen.leader
          ? 'follower'
          : (hb.election?.role ?? '-');
      return {
        node: p.node,
        state,
        phi: p.phi,
        role: state === 'down' || state === 'left' ? '-' : role,
        term: hb.election?.term ?? 0,
        cells: hb.cellCount,
        lagMs: hb.eventLoopLagMs,
        rssBytes: hb.rssBytes,
        version: hb.version,
        overload: hb.overload ? hb.overload.reasons.join(',') : null,
        configVersion: hb.configVersion,
        silentMs,
        intervalMs: hb.intervalMs,
      };
    });
    const cellsByStatus: Record<string, number> = {};
    let totalCells = 0;
    for (const p of peers.list()) {
      const row = nodes.find((n) => n.node === p.node);
      if (row?.state === 'down' || row?.state === 'left') continue;
      for (const [status, n] of Object.entries(p.heartbeat.counts ?? {})) {
        cellsByStatus[status] = (cellsByStatus[status] ?? 0) + (n ?? 0);
        totalCells += n ?? 0;
      }
    }
    const leaderHb = peers.list().find((p) => p.node === seen.leader)?.heartbeat;
    return {
      swarm,
      connected: transport.isConnected,
      leader: seen.leader,
      term: Math.max(seen.term, ...nodes.map((n) => n.term)),
      nodes,
      cellsByStatus,
      totalCells,
      rebalance: leaderHb?.rebalance ?? null,
      healing: healing.filter((h) => now - h.at <= HEALING_WINDOW_MS).map((h) => withBackoff(h, now)),
      alerts: [...alerts],
      consoles: consoles.list(now),
      busiest: peers
        .list()
        .filter((p) => p.status !== 'left' && nodes.find((n) => n.node === p.node)?.state !== 'down')
        .flatMap((p) => (p.heartbeat.busiest ?? []).map((b) => ({ ...b, node: p.node })))
        .sort((a, b) => b.rate - a.rate)
        .slice(0, 5),
      rates: Object.fromEntries([...rates].map(([node, r]) => [node, [...r.series]])),
      watchingMs: now - startedAt,
    };
  };

  return {
    snapshot,
    alertPushed(alert) {
      // A gap in the sequence: alerts raised while no node led were not pushed. The view shows
      // only the latest few, so reading those again catches up.
      const missed = lastAlertSeq > 0 && alert.seq > lastAlertSeq + 1;
      addAlert(alert);
      listeners.emit();
      if (missed) readRecentAlerts();
    },
    subscribe: listeners.add,
    stop() {
      clearInterval(leaderTimer);
      leader.stop();
      for (const s of subs) s.unsubscribe();
    },
  };
}

/** A crashed cell's row with its restart backoff counted down. */
export function withBackoff(row: ActivityRow, now: number): ActivityRow {
  if (row.restartAt === undefined) return row;
  const left = row.restartAt - now;
  return { ...row, text: `${row.text} — ${left > 0 ? `restart in ${(left / 1000).toFixed(1)} s` : 'restarting'}` };
}

/** `12:00:01` and the row's text. */
export function activityLine(row: ActivityRow): string {
  return `${clockTime(row.at)} ${row.text}`;
}
