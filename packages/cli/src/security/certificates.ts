/**
 * A swarm's TLS material, made with the `openssl` binary (Node's crypto signs and verifies but
 * cannot issue X.509 certificates): a CA, and a server certificate signed by it for the hosts
 * the server answers on.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.js';

/** The files of a swarm's TLS material, absolute paths. */
export interface TlsFiles {
  /** The CA certificate clients verify the server with (`--tls-ca`). */
  ca: string;
  /** The CA's private key (mode 600): keep it to issue more certificates. */
  caKey: string;
  /** The server certificate, signed by the CA. */
  serverCert: string;
  /** The server's private key (mode 600). */
  serverKey: string;
}

/** Options of {@link createCertificates}. */
export interface CertificateOptions {
  /** The directory to write to (it exists). */
  dir: string;
  /** Names in the CA's subject. */
  swarm: string;
  /** DNS names and IP addresses the server certificate is valid for. */
  hosts: readonly string[];
  /** Validity in days; default 825 (the longest most clients accept for a server certificate). */
  days?: number;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new CliError('the openssl command is not on PATH: security init needs it to make the TLS certificates');
  }
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || '').trim().split('\n').at(-1) ?? '';
    throw new CliError(`openssl ${args[0]} failed: ${why}`);
  }
}

/** `subjectAltName` entries for `hosts`: IP addresses as `IP:`, the rest as `DNS:`. */
export function subjectAltNames(hosts: readonly string[]): string {
  return hosts.map((h) => (IPV4.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`)).join(',');
}

/** Writes a CA and a server certificate signed by it into `dir`. */
export function createCertificates(options: CertificateOptions): TlsFiles {
  const files: TlsFiles = {
    ca: join(options.dir, 'ca.pem'),
    caKey: join(options.dir, 'ca-key.pem'),
    serverCert: join(options.dir, 'server.pem'),
    serverKey: join(options.dir, 'server-key.pem'),
  };
  const days = String(options.days ?? 825);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...key,
    '-keyout',
    files.caKey,
    '-out',
    files.ca,
    '-days',
    '3650',
    '-subj',
    `/O=HMS/CN=HMS ${options.swarm} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl([
    'req',
    '-x509',
    ...key,
    '-CA',
    files.ca,
    '-CAkey',
    files.caKey,
    '-keyout',
    files.serverKey,
    '-out',
    files.serverCert,
    '-days',
    days,
    '-subj',
    `/O=HMS/CN=${options.hosts[0] ?? 'localhost'}`,
    '-addext',
    `subjectAltName=${subjectAltNames(options.hosts)}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
  chmodSync(files.caKey, 0o600);
  chmodSync(files.serverKey, 0o600);
  return files;
}
