#!/usr/bin/env node
// Screenshots of `hms dashboard` for the README: starts a local 3-node swarm (its own
// nats-server on a free port, HMS_HOME in a temp dir), a GA run and a fast metrics collector,
// drives the real dashboard in a 100x30 tmux terminal, captures each view with its ANSI colours
// and renders them to docs/dashboard-<view>.png (scripts/ansi-to-svg.mjs, then resvg).
// Usage: npm run screenshots (needs tmux and a built tree: npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { ansiToSvg } from './ansi-to-svg.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/cli/dist/bin.js');
const COLUMNS = 100;
const ROWS = 30;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const home = mkdtempSync(join(tmpdir(), 'hms-shots-'));
const port = await freePort();
const env = { ...process.env, HMS_HOME: home, HMS_SWARM: 'demo' };
delete env.NATS_URL;
const hms = (...args) => execFileSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
const socket = `hms-shots-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = (ansi = false) => tmux('capture-pane', '-p', ...(ansi ? ['-e'] : []), '-t', 'hms');

/** Waits until the screen satisfies `predicate`, checking every 200 ms, for at most `timeoutMs`. */
async function waitForScreen(predicate, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (predicate(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function shoot(name, title) {
  const svg = ansiToSvg(screen(true), { columns: COLUMNS, rows: ROWS, title });
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans Mono' } })
    .render()
    .asPng();
  const file = join(root, 'docs', `dashboard-${name}.png`);
  writeFileSync(file, png);
  process.stderr.write(`wrote ${file}\n`);
}

try {
  hms('up', '--nodes', '3', '--detach', '--port', String(port));
  const url = `nats://127.0.0.1:${port}`;
  env.NATS_URL = url;
  hms('agent', 'create', 'metrics-collector', '--id', 'metrics-fast', '--config', '{"sampleMs":1000}');
  hms('evolve', 'start', '--islands', '3', '--dim', '10', '--population', '60', '--generations', '3000');
  tmux(
    'new-session',
    '-d',
    '-s',
    'hms',
    '-x',
    String(COLUMNS),
    '-y',
    String(ROWS),
    `env NATS_URL=${url} HMS_SWARM=demo ${process.execPath} ${bin} dashboard`,
  );
  tmux('set-option', '-s', 'escape-time', '0');
  await waitForScreen(
    (s) => ['node-1', 'node-2', 'node-3'].every((n) => s.includes(n)) && /cells \d+: \d+ running/.test(s),
    'the health view',
  );

  tmux('send-keys', '-t', 'hms', '2');
  await waitForScreen((s) => /metrics-fast/.test(s), 'the agents view');
  shoot('agents', 'hms dashboard — 2 Agents');

  tmux('send-keys', '-t', 'hms', '3');
  await waitForScreen((s) => /ISLAND/.test(s) && /┼|┤/.test(s), 'the evolution view with a chart');
  await waitForScreen((s) => (s.match(/^\S+\/\d\s+(\d+)/m)?.[1] ?? 0) > 300, 'a few hundred generations');
  shoot('evolution', 'hms dashboard — 3 Evolution');

  tmux('send-keys', '-t', 'hms', '4');
  await waitForScreen((s) => (Number(s.match(/(\d+) samples since/)?.[1]) || 0) >= 20, 'twenty metric samples', 90_000);
  shoot('metrics', 'hms dashboard — 4 Metrics');

  // The health view while the swarm heals: a node killed with -9.
  tmux('send-keys', '-t', 'hms', '1');
  const victim = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).nodes[1];
  process.kill(victim.pid, 'SIGKILL');
  await waitForScreen(
    (s) => new RegExp(`${victim.name}\\s+down`).test(s) && /re-placed|restart/.test(s),
    'the node down and healing',
  );
  shoot('health', 'hms dashboard — 1 Health, a node killed with -9');
  tmux('send-keys', '-t', 'hms', 'q');
} finally {
  try {
    tmux('kill-server');
  } catch {}
  try {
    hms('down');
  } catch {}
  rmSync(home, { recursive: true, force: true });
}
