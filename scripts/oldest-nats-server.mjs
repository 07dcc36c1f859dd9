#!/usr/bin/env node
// The oldest nats-server CI checks HMS against: Debian 12's package (2.9.10), unpacked into
// .hms/nats-debian without installing it (`apt-get download` + `dpkg-deb -x`), so the system's
// nats-server and the set-up's current one stay as they are. Prints the binary's path; .ci/run
// runs the smoke subset with HMS_NATS_SERVER set to it. 2.9.10 is checked, not supported for
// clusters: it refuses `sync_interval` (see the README's nats-server paragraph).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.hms', 'nats-debian');
const binary = join(dir, 'usr', 'sbin', 'nats-server');

const fail = (message) => {
  process.stderr.write(`oldest-nats-server: ${message}\n`);
  process.exit(1);
};

if (!existsSync(binary)) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const download = spawnSync('apt-get', ['download', 'nats-server'], { cwd: dir, encoding: 'utf8' });
  if (download.error || download.status !== 0)
    fail(`apt-get download nats-server failed: ${download.error?.message ?? download.stderr.trim()}`);
  const deb = readdirSync(dir).find((f) => f.startsWith('nats-server_') && f.endsWith('.deb'));
  if (!deb) fail('apt-get download nats-server left no .deb');
  const unpack = spawnSync('dpkg-deb', ['-x', deb, '.'], { cwd: dir, encoding: 'utf8' });
  if (unpack.status !== 0) fail(`dpkg-deb -x ${deb} failed: ${unpack.stderr.trim()}`);
}
const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
if (version.status !== 0) fail(`${binary} does not run`);
process.stderr.write(`oldest-nats-server: ${version.stdout.trim()} at ${binary}\n`);
console.log(binary);
