import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Options of the process's root logger. */
export interface CreateLoggerOptions {
  /** pino level; default `LOG_LEVEL` from the environment, else `info`. */
  level?: string;
  /** Fields bound to every line (e.g. `{ node: 'node-1' }`). */
  base?: Record<string, unknown>;
  /** Where lines go; default stdout. Pass a pino destination to write elsewhere. */
  destination?: pino.DestinationStream;
}

/**
 * The one pino root logger of a process. Cells get `logger.child({ cell, type, node })`.
 * JSON lines, epoch-millis `time`, no pretty-printing (pipe through pino-pretty for that).
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid, ...options.base },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that writes nothing, for tests and tools that must stay quiet. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
