/**
 * The nats-server configuration of authenticated swarms: TLS required (the server's
 * certificate signed by the swarm's CA), JetStream with every write synced to disk before it
 * is acknowledged, and operator mode with the accounts preloaded in a memory resolver.
 */
import type { TlsFiles } from './certificates.js';

/** An account to preload: its public key and JWT. */
export interface AccountEntry {
  /** `SYS` for the system account, else the swarm's name. */
  label: string;
  publicKey: string;
  jwt: string;
}

/** What {@link renderServerConfig} writes. */
export interface ServerConfigInput {
  /** The swarm the configuration was made for (named in its header). */
  swarm: string;
  /** `host:port` the server listens on. */
  listen: string;
  tls: TlsFiles;
  /** JetStream's store directory. */
  storeDir: string;
  /** The NATS operator's JWT file. */
  operatorJwtFile: string;
  systemAccount: AccountEntry;
  account: AccountEntry;
}

const BEGIN = '# hms-accounts-begin';
const END = '# hms-accounts-end';
const LABEL = '# hms-account ';

function accountLines(entry: AccountEntry): string[] {
  return [`    ${LABEL}${entry.label}`, `    ${entry.publicKey}: ${JSON.stringify(entry.jwt)}`];
}

/** The configuration's text. Paths are written as given (make them absolute). */
export function renderServerConfig(input: ServerConfigInput): string {
  const q = JSON.stringify;
  return [
    `# nats-server configuration written by hms security init --swarm ${input.swarm}`,
    '# Start it with: nats-server -c <this file>   (-p <port> and -sd <dir> override listen and store_dir)',
    `listen: ${q(input.listen)}`,
    "# A client sends its user JWT, with its role's subject permissions, in its CONNECT line.",
    'max_control_line: 64KB',
    '',
    '# Every client must speak TLS and verify the server against ca.pem; plaintext is refused.',
    'tls {',
    `  cert_file: ${q(input.tls.serverCert)}`,
    `  key_file: ${q(input.tls.serverKey)}`,
    `  ca_file: ${q(input.tls.ca)}`,
    '  timeout: 2',
    '}',
    '',
    'jetstream {',
    `  store_dir: ${q(input.storeDir)}`,
    '  # Sync every write to disk before it is acknowledged. The default (a sync every 2 minutes)',
    "  # lost acknowledged writes in Jepsen's analysis of NATS 2.12 when servers were killed.",
    '  sync_interval: always',
    '}',
    '',
    '# Operator mode: the operator signs the accounts (one per swarm), each account signs its',
    '# role users; the users carry their subject permissions in their JWTs.',
    `operator: ${q(input.operatorJwtFile)}`,
    `system_account: ${input.systemAccount.publicKey}`,
    'resolver: MEMORY',
    'resolver_preload: {',
    `    ${BEGIN}`,
    ...accountLines(input.systemAccount),
    ...accountLines(input.account),
    `    ${END}`,
    '}',
    '',
  ].join('\n');
}

/** The labels (swarm names, and `SYS`) of the accounts a configuration preloads. */
export function configuredAccounts(conf: string): string[] {
  return conf
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(LABEL))
    .map((line) => line.slice(LABEL.length).trim());
}

/**
 * The configuration with one more account preloaded.
 * @returns undefined when `conf` was not written by `hms security init` (no account markers).
 */
export function addAccount(conf: string, entry: AccountEntry): string | undefined {
  const lines = conf.split('\n');
  const end = lines.findIndex((line) => line.trim() === END);
  if (end < 0 || !lines.some((line) => line.trim() === BEGIN)) return undefined;
  lines.splice(end, 0, ...accountLines(entry));
  return lines.join('\n');
}

/** The operator JWT file a configuration names, if any. */
export function operatorJwtFile(conf: string): string | undefined {
  const m = /^operator:\s*"([^"]+)"/m.exec(conf);
  return m?.[1];
}
