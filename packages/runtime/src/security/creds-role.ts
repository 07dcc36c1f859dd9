/**
 * The role a NATS credentials file was issued for, read from its user JWT (the `hms-role:<role>`
 * tag `hms security init` signs into it, else the user's name). Only for messages: the server
 * enforces the permissions, this only names them.
 */
const JWT_BLOCK = /-----BEGIN NATS USER JWT-----\s*([A-Za-z0-9_\-.]+)\s*-+END NATS USER JWT-+/;
const ROLE_TAG = 'hms-role:';

/** The role named in `credsText` (a `.creds` file's content); undefined when it names none. */
export function credsRole(credsText: string): string | undefined {
  const jwt = JWT_BLOCK.exec(credsText)?.[1];
  const payload = jwt?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      name?: unknown;
      nats?: { tags?: unknown };
    };
    const tags = Array.isArray(claims.nats?.tags) ? (claims.nats.tags as unknown[]) : [];
    const tag = tags.find((t): t is string => typeof t === 'string' && t.startsWith(ROLE_TAG));
    if (tag) return tag.slice(ROLE_TAG.length);
    return typeof claims.name === 'string' && claims.name ? claims.name : undefined;
  } catch {
    return undefined;
  }
}

/** The tag that names a user's role in its JWT: `hms-role:<role>`. */
export function roleTag(role: string): string {
  return `${ROLE_TAG}${role}`;
}
