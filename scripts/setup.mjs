#!/usr/bin/env node
// Makes a fresh clone ready: npm packages, nats-server, the Rust toolchain's build of the native
// addon, and the TypeScript build. Idempotent and quick when everything is in place, so both
// `npm start` and `npm test` run it first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useSupportedNode } from './node-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (line) => {
  if (!quiet) process.stderr.write(`setup: ${line}\n`);
};
const fail = (line) => {
  process.stderr.write(`setup: ${line}\n`);
  process.exit(1);
};
const run = (cmd, args, env = {}, { showOutput = true } = {}) => {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: showOutput ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    if (!showOutput) process.stderr.write(`${r.stdout}${r.stderr}`);
    fail(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  }
};
const has = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

// 0. Node 22 or newer: on an older system Node, the current LTS binary fetched into .hms/node runs
//    this script again (and, first on PATH, npm and everything it starts).
await useSupportedNode({ quiet });

// 1. npm packages, when missing or older than the lock file.
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs) {
  // `npm install`, not `npm ci`: the lock cannot list other platforms' optional binaries (biome,
  // turbo) when the registry mirror lacks them, and `npm ci` refuses such a lock.
  say('installing npm packages (npm install from package-lock.json)');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

// 2. npm 11 skips dependencies' install scripts silently unless package.json's allowScripts
//    approves (or denies) them: fail on any left unreviewed rather than run without it.
const scripts = spawnSync('npm', ['install-scripts', 'ls'], { cwd: root, encoding: 'utf8' });
if (scripts.status !== 0 || !/No packages with unreviewed install scripts/.test(scripts.stdout))
  fail(
    `npm would skip install scripts nobody reviewed (npm install-scripts ls):\n${scripts.stdout}${scripts.stderr}approve or deny each in package.json's allowScripts (npm install-scripts approve|deny <pkg>)`,
  );
//    The msgpack accelerator's install script is approved in package.json (allowScripts); make
//    sure its native part really loaded rather than being skipped silently.
try {
  createRequire(join(root, 'packages/runtime/package.json'))('msgpackr-extract');
} catch (err) {
  fail(
    `msgpackr-extract (native msgpack accelerator) does not load: ${err.message}. Run: npm install-scripts approve msgpackr-extract && npm install`,
  );
}

// 3. nats-server 2.10 or newer (HMS needs its KV and JetStream fixes; see the README). With Go:
//    the newest release the Go module proxy serves, built into <repo>/.hms/bin, where HMS looks
//    first (runtime/src/nats-server-binary.ts), and rebuilt only when a newer one is served;
//    NATS_SERVER_PINNED when the proxy cannot be asked (offline). Without Go: the one on PATH
//    when it is new enough, else the distribution's package when it is (Debian 12's 2.9.10 is
//    not: it refuses the `sync_interval` that `hms security init` writes).
const NATS_SERVER_PINNED = 'v2.15.2';
const projectBin = join(root, '.hms', 'bin');
const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
const natsServerVersion = (binary) => {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const m = r.status === 0 ? /v?(\d+)\.(\d+)\.(\d+)/.exec(r.stdout) : null;
  return m ? m.slice(1).map(Number) : null;
};
const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const newEnough = (v) => v !== null && compare(v, [2, 10, 0]) >= 0;
/** The highest release (no pre-release) of nats-server the Go module proxy serves, or null. */
const newestNatsServer = () => {
  const r = spawnSync('go', ['list', '-m', '-versions', 'github.com/nats-io/nats-server/v2'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) return null;
  const releases = r.stdout
    .trim()
    .split(/\s+/)
    .slice(1)
    .filter((v) => /^v\d+\.\d+\.\d+$/.test(v))
    .map((v) => v.slice(1).split('.').map(Number))
    .sort(compare);
  return releases.length > 0 ? `v${releases.at(-1).join('.')}` : null;
};
/** The nats-server version apt would install (after an `apt-get update`), or null; asked once. */
let aptNats;
const aptCandidate = () => {
  if (aptNats === undefined) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    const r = spawnSync('apt-cache', ['policy', 'nats-server'], { encoding: 'utf8' });
    const m = /Candidate: (\d+)\.(\d+)\.(\d+)/.exec(r.stdout ?? '');
    aptNats = m ? m.slice(1).map(Number) : null;
  }
  return aptNats;
};
const localNats = join(projectBin, 'nats-server');
if (hasGo) {
  const newest = newestNatsServer();
  if (newest === null)
    say(`cannot ask the Go module proxy for nats-server releases (offline?): using ${NATS_SERVER_PINNED} or newer`);
  const wanted = newest ?? NATS_SERVER_PINNED;
  const have = natsServerVersion(localNats);
  if (have === null || compare(have, wanted.slice(1).split('.').map(Number)) < 0) {
    say(`building nats-server ${wanted} into .hms/bin (go install; the newest release the Go module proxy serves)`);
    run('go', ['install', `github.com/nats-io/nats-server/v2@${wanted}`], { GOBIN: projectBin });
  }
} else if (!newEnough(natsServerVersion(localNats)) && !newEnough(natsServerVersion('nats-server'))) {
  if (has('nats-server')) {
    say('nats-server on PATH is older than 2.10 and Go is not installed: install Go to build the current release');
  } else if (process.getuid?.() === 0 && has('apt-get') && newEnough(aptCandidate())) {
    say('installing nats-server (apt-get install nats-server; install Go for the current release)');
    run('apt-get', ['install', '-y', '-qq', 'nats-server'], { DEBIAN_FRONTEND: 'noninteractive' });
  } else if (has('apt-get') && aptCandidate() !== null) {
    fail(
      `the distribution's nats-server (${aptCandidate().join('.')}) is older than 2.10, which HMS needs (its JetStream sync_interval, see the README): install Go (then run this again) or put nats-server 2.10+ on PATH`,
    );
  } else {
    fail('nats-server is not installed: install Go (then run this again) or put nats-server 2.10+ on PATH');
  }
}

// 3a. tmux: the dashboard's tests drive `hms dashboard` in a real terminal (a tmux session).
if (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status !== 0) {
  if (process.getuid?.() === 0 && has('apt-get')) {
    say('installing tmux (apt-get install tmux)');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'tmux'], { DEBIAN_FRONTEND: 'noninteractive' });
  } else {
    fail('tmux is not installed (the dashboard tests need it): sudo apt-get install tmux');
  }
}

// 3b. The NATS CLI (`nats micro ls`, `nats sub`), optional: built with Go into .hms/bin (the
//     same GOBIN as nats-server) when it is not on PATH. Its test runs when it is present.
const localBin = join(root, '.hms', 'bin');
if (!has('nats') && !existsSync(join(localBin, 'nats'))) {
  if (hasGo) {
    say(`installing the NATS CLI (go install github.com/nats-io/natscli/nats@v0.5.0 into ${localBin})`);
    run('go', ['install', 'github.com/nats-io/natscli/nats@v0.5.0'], { GOBIN: localBin }, { showOutput: false });
  } else {
    say('the NATS CLI (nats) is not installed and Go is missing: `nats micro ls` and its test are unavailable');
  }
}

// 4. The Rust toolchain for the native addon.
if (!has('cargo')) fail('cargo is not installed: install Rust (https://rustup.rs) to build the native addon');

// 5. Build everything (turbo caches what did not change).
say('building (native addon, runtime, agents, cli)');
run(
  join(root, 'node_modules/.bin/turbo'),
  ['run', 'build', '--output-logs=errors-only', '--log-prefix=none'],
  { TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  { showOutput: false },
);
if (!existsSync(join(root, 'packages/cli/dist/bin.js'))) fail('the build did not produce packages/cli/dist/bin.js');
execFileSync(process.execPath, ['-e', "require('@hms/native')"], {
  cwd: join(root, 'packages/runtime'),
  stdio: 'inherit',
});
say('ready');
