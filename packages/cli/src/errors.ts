import { HmsError, NotFoundError } from '@hms/runtime/errors';

/** Exit codes of `hms`, per the CLI contract. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (e.g. an unknown cell id). */
  failed: 1,
  /** Bad arguments. */
  usage: 2,
  /** NATS cannot be reached. */
  unreachable: 3,
} as const;

/** An error the CLI reports in one line and exits with `exitCode`. */
export class CliError extends HmsError {
  override name = 'CliError';
  override readonly code: string = 'CLI_ERROR';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** A bad argument or option: exit code 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  override readonly code = 'USAGE_ERROR';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** Rethrows a NotFoundError (an unknown cell id, say) as a one-line CLI failure (exit 1). */
export function rethrowNotFound(err: unknown): never {
  if (err instanceof NotFoundError) throw new CliError(err.message);
  throw err;
}
