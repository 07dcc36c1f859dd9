#!/usr/bin/env node
// `npm run test:docker` (not part of `npm test`: it runs a Docker engine as root). Installs the
// engine when missing and starts one when none answers; builds every image on this machine (no
// registry needed, see docker/); runs the tests that use the shared test server with
// that server in a container (the fixture's testcontainers path); brings up docker-compose.yml
// with docker-compose.local.yml for a smoke test of the swarm; then stops the engine it started
// and puts the host's networking back as it found it, on failure and on Ctrl-C too.
//   npm run test:docker [-- <test files>]   (default: every test of the shared server)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSmoke } from './docker/compose-smoke.mjs';
import { DOCKER, engineAnswers, ensureEngineInstalled, startEngine } from './docker/engine.mjs';
import { diffHostNetwork, restoreHostNetwork, snapshotHostNetwork } from './docker/host-network.mjs';
import { buildImages, IMAGES, prepareNodeBase, prepareStaticNatsServer } from './docker/images.mjs';
import { natsPathLatency } from './docker/nats-path-latency.mjs';
import { root } from './node-binary.mjs';

const PROJECT = 'hms-docker-test';
const IMAGES_SHOWN = [IMAGES.nats, IMAGES.nodeBase, IMAGES.node];
const NATS_PORT = process.env.HMS_NATS_PORT ?? '14222';
const started = Date.now();
const say = (line) => process.stderr.write(`test:docker: ${line}\n`);
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

/** Runs a command with inherited output; throws unless it exits 0 (or returns its stdout). */
function run(cmd, args, { capture = false, env = {} } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r.stdout;
}

let running = null;

/** Runs a long command without blocking the event loop (so Ctrl-C reaches the cleanup); its exit code. */
function runAsync(cmd, args, env) {
  running = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return new Promise((resolve) =>
    running.on('exit', (code, signal) => {
      running = null;
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

const composeCommand =
  spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0 ? ['docker-compose'] : [DOCKER, 'compose'];
const composeArgs = (args) => [
  ...composeCommand.slice(1),
  '-p',
  PROJECT,
  '-f',
  'docker-compose.yml',
  '-f',
  'docker-compose.local.yml',
  ...args,
];
const composeEnv = { HMS_NATS_PORT: NATS_PORT };
const compose = (args) => run(composeCommand[0], composeArgs(args), { env: composeEnv });
const composeOut = (args) => run(composeCommand[0], composeArgs(args), { capture: true, env: composeEnv });
const docker = (args, capture = false) => run(DOCKER, args, { capture });

/**
 * The test files that talk to the run's shared nats-server (the one the fixture starts): every
 * `*.test.ts` under packages/<pkg>/test and plugins/<name>/test that injects its URL or connects
 * through the test transport. Most are under test/integration; a few cell, dead-letter, demo and
 * plugin tests outside it use the server too. The rest are unit tests (no server) or start their
 * own servers to kill, partition or configure them (faults, security, chaos, partition,
 * clean-exits, dashboard-reconnect, packed-install): those do not change with the container.
 */
function sharedServerTests() {
  const files = [];
  for (const group of ['packages', 'plugins']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) {
      const tests = join(group, name, 'test');
      if (!existsSync(join(root, tests))) continue;
      for (const f of readdirSync(join(root, tests), { recursive: true })
        .filter((n) => n.endsWith('.test.ts'))
        .sort()) {
        const text = readFileSync(join(root, tests, f), 'utf8');
        if (text.includes("inject('natsUrl')") || text.includes('test-transport')) files.push(join(tests, f));
      }
    }
  }
  return files;
}

let engine = null;
let network = null;
let composeUp = false;
let cleaning = null;

/** Takes the swarm down with its volumes, stops our engine, restores the host's networking. */
function cleanup() {
  cleaning ??= (async () => {
    if (composeUp) {
      try {
        compose(['down', '-v', '--remove-orphans']);
      } catch (err) {
        say(`compose down failed: ${err.message}`);
      }
    }
    if (engine) {
      say(`stopping dockerd (pid ${engine.pid})`);
      await engine.stop();
    }
    if (network) {
      const changes = restoreHostNetwork(network);
      say(`host networking restored${changes.length ? `: ${changes.join('; ')}` : ' (nothing had changed)'}`);
      const left = diffHostNetwork(network, snapshotHostNetwork());
      if (left.length > 0) throw new Error(`the host's networking still differs:\n${left.join('\n')}`);
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    say(`${signal}: cleaning up`);
    running?.kill('SIGTERM');
    cleanup().finally(() => process.exit(130));
  });

const results = [];
let failed = false;
try {
  run(process.execPath, ['scripts/setup.mjs', '--quiet']);
  ensureEngineInstalled(say);
  const nats = prepareStaticNatsServer(say);
  const nodeBase = prepareNodeBase(say);

  if (engineAnswers()) {
    say('using the Docker engine that answers (left running, networking untouched)');
  } else {
    if (process.getuid?.() !== 0) throw new Error('no Docker engine answers and starting dockerd needs root');
    network = snapshotHostNetwork();
    say(
      `host networking before: FORWARD ${network.forwardPolicy}, ip_forward ${network.ipForward}, bridge-nf-call-iptables ${network.bridgeSysctls['bridge-nf-call-iptables'] ?? 'absent'}`,
    );
    engine = await startEngine(join(root, '.hms', 'docker', 'dockerd.log'));
    say(`dockerd started (pid ${engine.pid}, no iptables rules, no IP forwarding)`);
  }
  const versions = run(DOCKER, ['version', '--format', 'engine {{.Server.Version}}, client {{.Client.Version}}'], {
    capture: true,
  }).trim();
  results.push(
    `Docker ${versions}; ${run(composeCommand[0], [...composeCommand.slice(1), 'version', '--short'], { capture: true }).trim()} (compose)`,
  );

  buildImages({ say, compose, nats, nodeBase });
  const nodeVersion = run(DOCKER, ['run', '--rm', '--entrypoint', 'node', IMAGES.node, '--version'], {
    capture: true,
  }).trim();
  const natsVersion = run(DOCKER, ['run', '--rm', IMAGES.nats, '--version'], { capture: true }).trim();
  results.push(`images built (${elapsed()}): ${IMAGES.node} on Node ${nodeVersion}, ${IMAGES.nats} ${natsVersion}`);

  const sizes = IMAGES_SHOWN.map(
    (image) => `${image} ${(Number(docker(['image', 'inspect', '-f', '{{.Size}}', image], true)) / 1e6).toFixed(0)} MB`,
  );
  results.push(`image sizes: ${sizes.join(', ')}`);
  say('round trips to a nats-server on the host and in the container (scripts/docker/nats-path-latency.mjs)');
  results.push(...(await natsPathLatency(IMAGES.nats)));

  const given = process.argv.length > 2;
  const files = given ? process.argv.slice(2) : sharedServerTests();
  const what = `${files.length} ${given ? 'paths given' : 'files'}`;
  say(`tests of the shared nats-server with that server in a container (${what})`);
  const testStart = Date.now();
  const loadBefore = loadavg()[0].toFixed(1);
  const reportDir = mkdtempSync(join(tmpdir(), 'hms-test-docker-'));
  const report = join(reportDir, 'report.json');
  const code = await runAsync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...files,
    ],
    { HMS_TEST_NATS: 'container', HMS_TEST_NATS_IMAGE: IMAGES.nats, TESTCONTAINERS_RYUK_DISABLED: 'true' },
  );
  let counts = `exit ${code}`;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    counts = `${r.numPassedTests} passed, ${r.numFailedTests} failed${code === 0 ? '' : ` (exit ${code})`}`;
  } catch {
    // No report: vitest stopped before writing it, and its exit code is all there is to say.
  }
  rmSync(reportDir, { recursive: true, force: true });
  results.push(
    `tests with the server in a container (testcontainers, ${what}): ${counts} in ${Math.round((Date.now() - testStart) / 1000)} s (load average ${loadBefore} before, ${loadavg()[0].toFixed(1)} after)`,
  );
  if (code !== 0) failed = true;

  composeUp = true;
  const smoke = await composeSmoke({ compose, composeOut, docker, natsUrl: `nats://127.0.0.1:${NATS_PORT}`, say });
  results.push(...smoke.map((l) => `compose smoke: ${l}`));
} catch (err) {
  failed = true;
  results.push(`FAILED: ${err.message}`);
} finally {
  try {
    await cleanup();
  } catch (err) {
    failed = true;
    results.push(`FAILED: ${err.message}`);
  }
}
process.stdout.write(
  `\nnpm run test:docker: ${failed ? 'FAILED' : 'passed'} in ${elapsed()}\n${results.map((l) => `  ${l}`).join('\n')}\n`,
);
process.exit(failed ? 1 : 0);
