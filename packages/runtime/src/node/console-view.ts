import type { Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';

/** Events about consoles (long-running CLI sessions), on `hms.<swarm>.evt.<type>.<consoleId>`. */
export const CONSOLE_EVENT = {
  /** A console joined the swarm: its {@link ConsoleHeartbeat}. */
  joined: 'console.joined',
  /** A console left gracefully: `{ id }`. */
  left: 'console.left',
  /** A console stopped heartbeating without leaving (seen by the leader): `{ id, lastSeen }`. */
  lost: 'console.lost',
} as const;

/** The message type of a console's heartbeat on `hms.<swarm>.console.<consoleId>`. */
export const CONSOLE_HEARTBEAT = 'console.heartbeat';

/**
 * The message type of an alert pushed to a console on `hms.<swarm>.console.<consoleId>.alert`;
 * the body is the alert as the alerts stream keeps it (a `LoggedEvent`, with its stream `seq`).
 */
export const CONSOLE_ALERT = 'console.alert';

/**
 * What a console publishes on its subject every `intervalMs`. A console is an observer: it never
 * votes, never hosts cells and is never placed on.
 */
export interface ConsoleHeartbeat {
  /** `cli-<user>-<host>-<pid>`, one subject token. */
  id: string;
  user: string;
  host: string;
  pid: number;
  /** The command line it runs, e.g. `dashboard` or `sub hms.default.>`. */
  command: string;
  /** Epoch millis when it joined. */
  startedAt: number;
  /** Epoch millis when this heartbeat was sent. */
  ts: number;
  /** Its heartbeat interval, in millis. */
  intervalMs: number;
  /** True on the last heartbeat of a console that is leaving. */
  leaving: boolean;
}

/** A connected console as seen from here. */
export interface ConsoleInfo extends Omit<ConsoleHeartbeat, 'leaving' | 'ts'> {
  /** Epoch millis of the last heartbeat received. */
  lastSeen: number;
}

/** A console is gone after this many of its intervals without a heartbeat. */
export const CONSOLE_MISSED_BEATS = 3;

/** The consoles connected to the swarm, from their heartbeats; silent ones time out. */
export class ConsoleView {
  private readonly consoles = new Map<string, ConsoleInfo>();

  /** Records a heartbeat (a leaving one removes the console). */
  observe(hb: ConsoleHeartbeat, now = Date.now()): void {
    if (hb.leaving) {
      this.consoles.delete(hb.id);
      return;
    }
    const { leaving: _, ts: __, ...info } = hb;
    this.consoles.set(hb.id, { ...info, lastSeen: now });
  }

  /** Removes and returns the consoles silent for {@link CONSOLE_MISSED_BEATS} of their intervals. */
  sweep(now = Date.now()): ConsoleInfo[] {
    const gone: ConsoleInfo[] = [];
    for (const [id, c] of this.consoles) {
      if (now - c.lastSeen > CONSOLE_MISSED_BEATS * c.intervalMs) {
        this.consoles.delete(id);
        gone.push(c);
      }
    }
    return gone;
  }

  /**
   * The connected consoles, by id: silent ones are left out but not removed, so that
   * {@link sweep} still finds them (and the leader announces them lost).
   */
  list(now = Date.now()): ConsoleInfo[] {
    return [...this.consoles.values()]
      .filter((c) => now - c.lastSeen <= CONSOLE_MISSED_BEATS * c.intervalMs)
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** Options of {@link watchConsoles}. */
export interface WatchConsolesOptions {
  transport: Transport;
  subjects: Subjects;
  /** Who publishes `console.lost` (the leader, so that it is published once). */
  isLeader: () => boolean;
  /** How often silent consoles are looked for, in millis; default 1000. */
  sweepMs?: number;
}

/**
 * Keeps a {@link ConsoleView} of the swarm's consoles from their heartbeats; while this node
 * leads, a console that vanished without leaving is announced as `console.lost`.
 */
export function watchConsoles(options: WatchConsolesOptions): { view: ConsoleView; stop(): void } {
  const { transport, subjects } = options;
  const view = new ConsoleView();
  const sub: TransportSubscription = transport.subscribe(subjects.consolePattern(), (msg) => {
    if (msg.type === CONSOLE_HEARTBEAT) view.observe(msg.body as ConsoleHeartbeat);
  });
  const timer = setInterval(() => {
    for (const c of view.sweep()) {
      if (!options.isLeader()) continue;
      transport.publish(subjects.event(CONSOLE_EVENT.lost, c.id), CONSOLE_EVENT.lost, {
        id: c.id,
        lastSeen: c.lastSeen,
      });
    }
  }, options.sweepMs ?? 1000);
  timer.unref();
  return {
    view,
    stop() {
      clearInterval(timer);
      sub.unsubscribe();
    },
  };
}
