/** How the NATS client's failures become HMS errors, each one line. */
import { errors as natsErrors } from '@nats-io/transport-node';
import { ConnectionError, NoRespondersError, PermissionDeniedError, RequestTimeoutError } from '../errors.js';

/**
 * The one-line refusal of `operation` on `subject` to the holder of `role`'s credentials:
 * `permission denied: the observer role may not publish to hms.s.ctl.agent.create`.
 */
export function permissionDenied(role: string | undefined, operation: string, subject: string): PermissionDeniedError {
  const who = role ? `the ${role} role` : 'these credentials';
  const verb = operation === 'publish' ? 'publish to' : 'subscribe to';
  return new PermissionDeniedError(`permission denied: ${who} may not ${verb} ${subject}`, {
    data: { role: role ?? null, operation, subject },
  });
}

/**
 * The server's permission refusal somewhere in `err`'s cause chain (a JetStream or KV call
 * wraps the request's error), as a {@link PermissionDeniedError}; undefined when there is none.
 */
export function findPermissionDenied(err: unknown, role: string | undefined): PermissionDeniedError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof PermissionDeniedError) return e;
    if (e instanceof natsErrors.PermissionViolationError) return permissionDenied(role, e.operation, e.subject);
  }
  return undefined;
}

/** Why the first connection failed, in one line: refused credentials, TLS, or no server. */
export function connectionRefused(cause: unknown, where: string, credsFile: string | undefined): ConnectionError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : undefined;
  if (cause instanceof natsErrors.AuthorizationError || inner instanceof natsErrors.AuthorizationError) {
    const creds = credsFile ? `the credentials in ${credsFile}` : 'a connection without credentials';
    return new ConnectionError(`NATS at ${where} refused ${creds}: ${reason}`, { cause });
  }
  if (TLS_TRUST.test(reason)) {
    return new ConnectionError(
      `cannot verify the TLS certificate of NATS at ${where} (${reason}): pass the CA that signed it with --tls-ca`,
      { cause },
    );
  }
  return new ConnectionError(`cannot reach NATS at ${where}: ${reason}`, { cause });
}

/** Node's messages for a server certificate it does not trust. */
const TLS_TRUST = /certificate|self.signed|unable to verify|altnames/i;

/** A failed request as the HMS error that says why. */
export function translateRequestError(cause: unknown, subject: string, timeout: number, role?: string): Error {
  const inner = cause instanceof natsErrors.RequestError ? (cause.cause ?? cause) : cause;
  if (inner instanceof natsErrors.PermissionViolationError) {
    return permissionDenied(role, inner.operation, inner.subject || subject);
  }
  if (inner instanceof natsErrors.NoRespondersError) {
    return new NoRespondersError(`nobody answers on ${subject}`, { cause });
  }
  if (inner instanceof natsErrors.TimeoutError) {
    return new RequestTimeoutError(`no reply on ${subject} within ${timeout} ms`, { cause });
  }
  if (inner instanceof natsErrors.ClosedConnectionError) {
    return new ConnectionError('the NATS connection is closed', { cause });
  }
  return new ConnectionError(
    `request on ${subject} failed: ${inner instanceof Error ? inner.message : String(inner)}`,
    { cause },
  );
}
