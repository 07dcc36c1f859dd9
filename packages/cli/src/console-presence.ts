import { hostname, userInfo } from 'node:os';
import {
  type Alert,
  CONSOLE_ALERT,
  CONSOLE_EVENT,
  CONSOLE_HEARTBEAT,
  type ConsoleHeartbeat,
  createSubjects,
  type Transport,
} from '@hms/runtime';

/** How often a console heartbeats, in millis. */
export const CONSOLE_HEARTBEAT_MS = 2000;

/** A long-running CLI session that has joined the swarm as a console. */
export interface ConsolePresence {
  /** `cli-<user>-<host>-<pid>`. */
  readonly id: string;
  /** Sends a leaving heartbeat and `console.left`, and stops heartbeating. Idempotent. */
  leave(): Promise<void>;
}

/** Replaces what a subject token may not hold; the token is at most 128 characters. */
function tokenPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'unknown';
}

/** This process's console id, `cli-<user>-<host>-<pid>` (the design's `cli.<user>@<host>.<pid>` as one token). */
export function consoleId(pid = process.pid): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep $USER.
  }
  return `cli-${tokenPart(user)}-${tokenPart(hostname())}-${pid}`;
}

/** Options of {@link joinAsConsole}. */
export interface ConsoleOptions {
  /** Called with every alert the swarm pushes to this console (`hms.<swarm>.console.<id>.alert`). */
  onAlert?: (alert: Alert) => void;
  /** Its heartbeat interval, in millis; default {@link CONSOLE_HEARTBEAT_MS}. */
  intervalMs?: number;
}

/**
 * Joins the swarm as a console: announces `console.joined`, heartbeats on
 * `hms.<swarm>.console.<id>` every {@link CONSOLE_HEARTBEAT_MS}, takes the alerts the leader
 * pushes to `hms.<swarm>.console.<id>.alert`, and leaves with `console.left`. A console only
 * watches: it never votes and never hosts cells, so it adds no load to elections or placement,
 * and the nodes notice when it vanishes without leaving (and stop pushing to it).
 */
export function joinAsConsole(
  transport: Transport,
  swarm: string,
  command: string,
  options: ConsoleOptions = {},
): ConsolePresence {
  const subjects = createSubjects(swarm);
  const id = consoleId();
  const intervalMs = options.intervalMs ?? CONSOLE_HEARTBEAT_MS;
  const onAlert = options.onAlert;
  // Subscribed before the console announces itself: the first push may follow at once.
  const alerts =
    onAlert &&
    transport.subscribe(subjects.consoleAlert(id), (msg) => {
      if (msg.type === CONSOLE_ALERT) onAlert(msg.body as Alert);
    });
  const startedAt = Date.now();
  const beat = (leaving: boolean): ConsoleHeartbeat => ({
    id,
    user: id.split('-')[1] ?? 'unknown',
    host: hostname(),
    pid: process.pid,
    command,
    startedAt,
    ts: Date.now(),
    intervalMs,
    leaving,
  });
  const send = (leaving: boolean) =>
    transport.publish(subjects.console(id), CONSOLE_HEARTBEAT, beat(leaving), { from: id });
  transport.publish(subjects.event(CONSOLE_EVENT.joined, id), CONSOLE_EVENT.joined, beat(false), { from: id });
  send(false);
  const timer = setInterval(() => send(false), intervalMs);
  timer.unref();
  let left = false;
  return {
    id,
    async leave() {
      if (left) return;
      left = true;
      clearInterval(timer);
      alerts?.unsubscribe();
      if (!transport.isConnected) return;
      send(true);
      transport.publish(subjects.event(CONSOLE_EVENT.left, id), CONSOLE_EVENT.left, { id }, { from: id });
      await transport.flush().catch(() => {});
    },
  };
}
