/**
 * `hms security init`: writes what an authenticated swarm needs — TLS material, the NATS
 * operator and accounts, a server configuration, and one `.creds` file per role — or adds a
 * swarm's account to a configuration written before.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SECURITY_ROLES, type SecurityRole } from '@hms/runtime';
import { CliError } from '../errors.js';
import { createCertificates } from './certificates.js';
import { createNatsOperator, createSwarmIdentities, type SwarmIdentities } from './nats-identities.js';
import { addAccount, configuredAccounts, operatorJwtFile, renderServerConfig } from './server-config.js';

/** Options of {@link securityInit}. */
export interface SecurityInitOptions {
  swarm: string;
  /** Where the files go (created if missing). */
  out: string;
  /** An existing configuration to add the swarm's account to, instead of writing a new one. */
  addTo?: string;
  /** Names and addresses the server certificate is valid for; default localhost, 127.0.0.1, ::1. */
  hosts?: readonly string[];
  /** `host:port` the server listens on; default `0.0.0.0:4222`. */
  listen?: string;
}

/** What was written, absolute paths. */
export interface SecurityInitResult {
  swarm: string;
  /** The server configuration written or changed. */
  config: string;
  /** The CA certificate clients pass as `--tls-ca`. */
  ca: string;
  /** A `.creds` file per role. */
  creds: Record<SecurityRole, string>;
  /** The swarm's account public key. */
  account: string;
  /** True when the account was added to an existing configuration. */
  added: boolean;
}

const OPERATOR_SEED_FILE = 'nats-operator.nk';
const OPERATOR_JWT_FILE = 'nats-operator.jwt';
const CONFIG_FILE = 'nats-server.conf';

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
}

function writeCreds(out: string, ids: SwarmIdentities): Record<SecurityRole, string> {
  const files = {} as Record<SecurityRole, string>;
  for (const role of SECURITY_ROLES) {
    files[role] = join(out, `${role}.creds`);
    writeSecret(files[role], ids.creds[role]);
  }
  writeSecret(join(out, `account-${ids.swarm}.nk`), `${ids.account.seed}\n`);
  return files;
}

function refuseOverwrite(out: string): void {
  for (const file of [CONFIG_FILE, ...SECURITY_ROLES.map((r) => `${r}.creds`)]) {
    if (existsSync(join(out, file))) {
      throw new CliError(`${join(out, file)} exists already: choose an empty --out directory`);
    }
  }
}

/** Writes a new configuration for `swarm`. */
async function initNew(options: SecurityInitOptions, out: string): Promise<SecurityInitResult> {
  const tls = createCertificates({
    dir: out,
    swarm: options.swarm,
    hosts: options.hosts?.length ? options.hosts : ['localhost', '127.0.0.1', '::1'],
  });
  const operator = await createNatsOperator('hms');
  writeSecret(join(out, OPERATOR_SEED_FILE), `${operator.seed}\n`);
  writeFileSync(join(out, OPERATOR_JWT_FILE), operator.jwt);
  const ids = await createSwarmIdentities(operator.seed, options.swarm);
  const creds = writeCreds(out, ids);
  const config = join(out, CONFIG_FILE);
  writeFileSync(
    config,
    renderServerConfig({
      swarm: options.swarm,
      listen: options.listen ?? '0.0.0.0:4222',
      tls,
      storeDir: join(out, 'jetstream'),
      operatorJwtFile: join(out, OPERATOR_JWT_FILE),
      systemAccount: { label: 'SYS', ...operator.systemAccount },
      account: { label: options.swarm, publicKey: ids.account.publicKey, jwt: ids.account.jwt },
    }),
  );
  return { swarm: options.swarm, config, ca: tls.ca, creds, account: ids.account.publicKey, added: false };
}

/** Adds `swarm`'s account to the configuration `addTo` written by an earlier init. */
async function initAdded(options: SecurityInitOptions, addTo: string, out: string): Promise<SecurityInitResult> {
  let conf: string;
  try {
    conf = readFileSync(addTo, 'utf8');
  } catch {
    throw new CliError(`cannot read ${addTo}: --add-to takes a configuration written by hms security init`);
  }
  if (configuredAccounts(conf).includes(options.swarm)) {
    throw new CliError(`${addTo} has an account for swarm ${options.swarm} already`);
  }
  const jwtFile = operatorJwtFile(conf);
  const seedFile = jwtFile ? join(dirname(jwtFile), OPERATOR_SEED_FILE) : undefined;
  if (!seedFile || !existsSync(seedFile)) {
    throw new CliError(`${addTo} names no NATS operator whose key (${OPERATOR_SEED_FILE}) is beside its JWT`);
  }
  const ids = await createSwarmIdentities(readFileSync(seedFile, 'utf8'), options.swarm);
  const changed = addAccount(conf, { label: options.swarm, publicKey: ids.account.publicKey, jwt: ids.account.jwt });
  if (changed === undefined) throw new CliError(`${addTo} was not written by hms security init (no account list)`);
  const creds = writeCreds(out, ids);
  const caSource = join(dirname(jwtFile as string), 'ca.pem');
  const ca = join(out, 'ca.pem');
  if (resolve(caSource) !== resolve(ca)) copyFileSync(caSource, ca);
  writeFileSync(addTo, changed);
  return { swarm: options.swarm, config: addTo, ca, creds, account: ids.account.publicKey, added: true };
}

/** Runs `hms security init`. */
export async function securityInit(options: SecurityInitOptions): Promise<SecurityInitResult> {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  refuseOverwrite(out);
  return options.addTo ? initAdded(options, resolve(options.addTo), out) : initNew(options, out);
}
