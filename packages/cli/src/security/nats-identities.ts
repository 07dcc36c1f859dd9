/**
 * The NATS identities of authenticated swarms, as a signed chain: one NATS operator (the trust
 * root the server is configured with), a system account, one account per swarm (its subjects,
 * streams and services are invisible to every other account), and in each swarm's account one
 * user per role whose JWT carries the role's subject permissions.
 */

import { rolePermissions, roleTag, SECURITY_ROLES, type SecurityRole } from '@hms/runtime';
import {
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  fromSeed,
  type KeyPair,
} from '@nats-io/jwt';

/** The NATS operator: the key every account is signed with, and its JWT. */
export interface NatsOperator {
  /** The operator's seed (secret: it signs accounts). */
  seed: string;
  jwt: string;
  /** The system account (server events and monitoring), created with the operator. */
  systemAccount: { publicKey: string; jwt: string };
}

/** A swarm's account and the credentials of its roles. */
export interface SwarmIdentities {
  swarm: string;
  account: { publicKey: string; seed: string; jwt: string };
  /** A `.creds` file's content (user JWT and seed) per role. */
  creds: Record<SecurityRole, string>;
}

const text = new TextDecoder();

/** An account may use JetStream without limits; the server's own limits still apply. */
const ACCOUNT_LIMITS = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

/** Creates a NATS operator and its system account. */
export async function createNatsOperator(name: string): Promise<NatsOperator> {
  const okp = createOperator();
  const sys = createAccount();
  const sysJwt = await encodeAccount('SYS', sys, {}, { signer: okp });
  const jwt = await encodeOperator(name, okp, { system_account: sys.getPublicKey() });
  return {
    seed: text.decode(okp.getSeed()),
    jwt,
    systemAccount: { publicKey: sys.getPublicKey(), jwt: sysJwt },
  };
}

/** The operator key of a seed read back from disk (for `--add-to`). */
export function operatorKey(seed: string): KeyPair {
  return fromSeed(new TextEncoder().encode(seed.trim()));
}

/**
 * Creates `swarm`'s account, signed by the operator, with JetStream enabled, and one user per
 * role signed by the account, each tagged `hms-role:<role>` and `hms-swarm:<swarm>`.
 */
export async function createSwarmIdentities(operatorSeed: string, swarm: string): Promise<SwarmIdentities> {
  const okp = operatorKey(operatorSeed);
  const akp = createAccount();
  const accountJwt = await encodeAccount(`hms-${swarm}`, akp, { limits: ACCOUNT_LIMITS }, { signer: okp });
  const creds = {} as Record<SecurityRole, string>;
  for (const role of SECURITY_ROLES) {
    const ukp = createUser();
    const permissions = rolePermissions(role, swarm);
    const jwt = await encodeUser(role, ukp, akp, {
      pub: { allow: permissions.pub.allow },
      sub: { allow: permissions.sub.allow },
      tags: [roleTag(role), `hms-swarm:${swarm}`],
    });
    creds[role] = text.decode(fmtCreds(jwt, ukp));
  }
  return {
    swarm,
    account: { publicKey: akp.getPublicKey(), seed: text.decode(akp.getSeed()), jwt: accountJwt },
    creds,
  };
}
