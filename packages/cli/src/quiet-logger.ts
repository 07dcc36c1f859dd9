import type { Logger } from '@hms/runtime/client';

const nothing = () => {};

/**
 * A logger that writes nothing, for the CLI's own connections. pino's silent logger would do
 * the same, but loading pino costs every short command a noticeable part of its start-up.
 */
export function createQuietLogger(): Logger {
  const logger = {
    level: 'silent',
    silent: nothing,
    trace: nothing,
    debug: nothing,
    info: nothing,
    warn: nothing,
    error: nothing,
    fatal: nothing,
    child: () => logger,
    bindings: () => ({}),
    isLevelEnabled: () => false,
  };
  return logger as unknown as Logger;
}
