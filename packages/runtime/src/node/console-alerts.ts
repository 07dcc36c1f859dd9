import type { Logger } from '../logger.js';
import type { EventLog, LoggedEvent } from '../persistence/event-log.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { CONSOLE_ALERT, type ConsoleView } from './console-view.js';

/** Options of {@link pushAlertsToConsoles}. */
export interface PushAlertsOptions {
  transport: Transport;
  subjects: Subjects;
  /** The swarm's alerts stream (`hms-<swarm>-alerts`), opened. */
  alerts: EventLog;
  /** The consoles this node sees (from their heartbeats); only the live ones get pushes. */
  consoles: ConsoleView;
  /** Whether this node pushes now: the leader's, so that each alert is pushed once. */
  isLeader: () => boolean;
  logger: Logger;
  /** Wait before following the stream again after the follow ended on an error, in millis; default 1000. */
  retryMs?: number;
}

/**
 * Pushes every alert to every live console, on `hms.<swarm>.console.<consoleId>.alert`
 * ({@link CONSOLE_ALERT}, the body the alert as the stream keeps it).
 *
 * Why the leader, relaying from the alerts stream: alerts are raised in many places (every
 * node's supervisor and overload monitor, the health-monitor cell), and all of them end up in
 * that one stream, so its follower is the one place that sees them all and none of the raisers
 * needs to know about consoles. Pushed alerts carry their stream sequence, so a console merges
 * the history it reads with what is pushed without duplicates. Every node keeps the console list
 * already and the leader already announces lost consoles; a console silent for three of its
 * intervals is out of the list, so it gets no more pushes. Every node follows (one ordered
 * consumer each) and only the leader pushes: no consumer to start and stop on each election.
 * What is raised while no node leads is not pushed; it is in the stream.
 */
export function pushAlertsToConsoles(options: PushAlertsOptions): { stop(): void } {
  const { transport, subjects, consoles, logger } = options;
  let stopped = false;
  let stopFollow: (() => void) | undefined;
  let retry: NodeJS.Timeout | undefined;
  const push = (alert: LoggedEvent) => {
    if (!options.isLeader()) return;
    for (const c of consoles.list()) transport.publish(subjects.consoleAlert(c.id), CONSOLE_ALERT, alert);
  };
  const follow = () => {
    options.alerts
      .follow(push, (err) => {
        if (stopped) return;
        logger.warn({ err }, 'alerts stream no longer followed: following it again');
        retry = setTimeout(follow, options.retryMs ?? 1000);
        retry.unref();
      })
      .then(
        (stop) => {
          if (stopped) stop();
          else stopFollow = stop;
        },
        (err: unknown) => {
          if (stopped) return;
          logger.warn({ err }, 'alerts stream not followed: trying again');
          retry = setTimeout(follow, options.retryMs ?? 1000);
          retry.unref();
        },
      );
  };
  follow();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      stopFollow?.();
    },
  };
}
