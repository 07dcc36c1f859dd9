/**
 * Errors of the runtime. Every error has a SCREAMING_SNAKE `code`, says whether retrying can
 * help (`retryable`), and keeps its `cause`. Errors that cross the wire (a cell's failed reply)
 * are rebuilt on the other side by {@link errorFromWire}.
 */

/** Options shared by every HMS error. */
export interface HmsErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Extra structured data for logs and the wire. */
  data?: Record<string, unknown>;
}

/** The base of every HMS error. */
export class HmsError extends Error {
  override name = 'HmsError';
  /** A stable machine-readable code, SCREAMING_SNAKE. */
  readonly code: string = 'HMS_ERROR';
  /** Whether the same call may succeed if tried again. */
  readonly retryable: boolean = false;
  /** Extra structured data. */
  readonly data: Record<string, unknown> | undefined;

  constructor(message: string, options: HmsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.data = options.data;
  }
}

/** A subject token, cell id or other name is not valid. */
export class InvalidNameError extends HmsError {
  override name = 'InvalidNameError';
  override readonly code = 'INVALID_NAME';
}

/** A message body could not be decoded, or a value could not be encoded. */
export class CodecError extends HmsError {
  override name = 'CodecError';
  override readonly code = 'CODEC_ERROR';
}

/** NATS could not be reached, or the connection was lost for good. */
export class ConnectionError extends HmsError {
  override name = 'ConnectionError';
  override readonly code = 'CONNECTION_ERROR';
  override readonly retryable = true;
}

/** A request got no reply in time. */
export class RequestTimeoutError extends HmsError {
  override name = 'RequestTimeoutError';
  override readonly code = 'REQUEST_TIMEOUT';
  override readonly retryable = true;
}

/** Nobody listens on the subject of a request (NATS answered "no responders"). */
export class NoRespondersError extends HmsError {
  override name = 'NoRespondersError';
  override readonly code = 'NO_RESPONDERS';
  override readonly retryable = true;
}

/** A cell id, type or other named thing does not exist. */
export class NotFoundError extends HmsError {
  override name = 'NotFoundError';
  override readonly code = 'NOT_FOUND';
}

/** A thing that must be unique exists already (a cell id in the swarm). */
export class AlreadyExistsError extends HmsError {
  override name = 'AlreadyExistsError';
  override readonly code = 'ALREADY_EXISTS';
}

/** A request was well-formed but its content is not acceptable; `data.field` names the field. */
export class ValidationError extends HmsError {
  override name = 'ValidationError';
  override readonly code = 'VALIDATION_ERROR';
}

/** A cell failed while handling a message (a thrown action, a failed invoked actor). */
export class CellFailedError extends HmsError {
  override name = 'CellFailedError';
  override readonly code = 'CELL_FAILED';
  override readonly retryable = true;
}

/** A call was not made: the circuit breaker for that dependency is open. */
export class CircuitOpenError extends HmsError {
  override name = 'CircuitOpenError';
  override readonly code = 'CIRCUIT_OPEN';
  override readonly retryable = true;
}

/** A call was not made: other cells marked the dependency as failing in the stigmergy field. */
export class DependencyAvoidedError extends HmsError {
  override name = 'DependencyAvoidedError';
  override readonly code = 'DEPENDENCY_AVOIDED';
  override readonly retryable = true;
}

/**
 * A swarm-wide change (create, destroy, configure, placement) was refused: no leader elected by
 * a majority of the voting members is reachable — a minority partition, or an election under way.
 */
export class NoLeaderError extends HmsError {
  override name = 'NoLeaderError';
  override readonly code = 'NO_LEADER';
  override readonly retryable = true;
}

/**
 * A cell refused a message because its node is cut off from the swarm's majority: the leader may
 * already have started the cell elsewhere, and two copies must never both take changes.
 */
export class CellFencedError extends HmsError {
  override name = 'CellFencedError';
  override readonly code = 'CELL_FENCED';
  override readonly retryable = true;
}

/**
 * Refused because the swarm (or the node that would take it) is over its limits — JetStream
 * writes too slow, too many queued, or an event loop saturated. Retry after a pause.
 */
export class OverloadedError extends HmsError {
  override name = 'OverloadedError';
  override readonly code = 'OVERLOADED';
  override readonly retryable = true;
}

/**
 * Refused because something that must not overlap is under way: an evolution run, or the
 * leader's rebalancing (a self-started evolution run waits for both). Retry when it ends.
 */
export class BusyError extends HmsError {
  override name = 'BusyError';
  override readonly code = 'BUSY';
  override readonly retryable = true;
}

/** A cell's snapshot is larger than the NATS server accepts in one message: it is not saved. */
export class SnapshotTooLargeError extends HmsError {
  override name = 'SnapshotTooLargeError';
  override readonly code = 'SNAPSHOT_TOO_LARGE';
}

/**
 * A cell's stored snapshot has a state version its definition cannot read: newer than the
 * definition's (written by a newer build of the cell type), or a migration step failed. The
 * cell is left `failed` and its snapshot untouched. `data` has `cellId`, `stored`, `version`.
 */
export class SnapshotVersionError extends HmsError {
  override name = 'SnapshotVersionError';
  override readonly code = 'SNAPSHOT_VERSION';
}

/**
 * A message's schema version (`hms-v`) is one its receiver cannot read: newer than the version
 * the receiver speaks for that message type (sent by a newer build), or an upcast step failed.
 * The message is counted as malformed and dropped; a request gets this error. `data` has
 * `type`, `received` and `version`.
 */
export class MessageVersionError extends HmsError {
  override name = 'MessageVersionError';
  override readonly code = 'MESSAGE_VERSION';
}

/**
 * A cell was sent a message its machine cannot take in its current state, of a type it does not
 * answer as a query: a dead letter. Nothing changed.
 */
export class UnhandledEventError extends HmsError {
  override name = 'UnhandledEventError';
  override readonly code = 'UNHANDLED_EVENT';
}

/**
 * A request changed a `saveBeforeReply` cell, but this copy could not save the change (another
 * copy owns or wrote the cell): the change may be gone, and no answer is given for it. Retryable.
 */
export class SnapshotNotSavedError extends HmsError {
  override name = 'SnapshotNotSavedError';
  override readonly code = 'SNAPSHOT_NOT_SAVED';
  override readonly retryable = true;
}

/**
 * NATS refused an action to this connection's credentials: the role (`node`, `operator`,
 * `observer`) may not publish or subscribe on that subject. `data` has `role`, `operation`
 * (`publish` or `subscribe`) and `subject`.
 */
export class PermissionDeniedError extends HmsError {
  override name = 'PermissionDeniedError';
  override readonly code = 'PERMISSION_DENIED';
}

/** The native addon is missing, or a native call failed. */
export class NativeError extends HmsError {
  override name = 'NativeError';
  override readonly code = 'NATIVE_ERROR';
}

/** The shape of an error on the wire. */
export interface WireError {
  name: string;
  message: string;
  code: string;
  data?: Record<string, unknown>;
}

const errorClasses: Record<string, new (message: string, options?: HmsErrorOptions) => HmsError> = {
  HmsError,
  InvalidNameError,
  CodecError,
  ConnectionError,
  RequestTimeoutError,
  NoRespondersError,
  NotFoundError,
  AlreadyExistsError,
  ValidationError,
  CellFailedError,
  CircuitOpenError,
  DependencyAvoidedError,
  NoLeaderError,
  CellFencedError,
  OverloadedError,
  BusyError,
  SnapshotTooLargeError,
  SnapshotVersionError,
  MessageVersionError,
  UnhandledEventError,
  SnapshotNotSavedError,
  PermissionDeniedError,
  NativeError,
};

/** Turns any thrown value into the wire shape. */
export function errorToWire(err: unknown): WireError {
  if (err instanceof HmsError) {
    return {
      name: err.name,
      message: err.message,
      code: err.code,
      ...(err.data ? { data: err.data } : {}),
    };
  }
  if (err instanceof Error) return { name: 'HmsError', message: err.message, code: 'HMS_ERROR' };
  return { name: 'HmsError', message: String(err), code: 'HMS_ERROR' };
}

/** Rebuilds an error that came over the wire as its own class (or the base class if unknown). */
export function errorFromWire(wire: WireError): HmsError {
  const Ctor = errorClasses[wire.name] ?? HmsError;
  return new Ctor(wire.message, wire.data ? { data: wire.data } : {});
}
