#!/usr/bin/env node
// The console's own cost: 3 nodes (in this process) host BENCH_CELLS idle cells (default 1,000);
// the real `hms dashboard` runs in a tmux terminal, BENCH_VIEW_SECONDS (default 20) on each of the
// Health, Agents and Metrics views. Measured from outside the dashboard: the requests it makes
// to the control plane and the nodes (every message on ctl.> and node.> sent by it), its CPU
// (utime + stime of its process, from /proc), and the messages it publishes (its own console
// heartbeats only). Targets: ≤ 1 request/s, ≤ 5% of a core, no heartbeat traffic but its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CellRegistry,
  connectTransport,
  createNode,
  createSilentLogger,
  createSubjects,
  DesiredCells,
  defineCell,
  startNatsServer,
} from '@hms/runtime';
import { setup } from 'xstate';
import { printTable } from './stats.mjs';

const CELLS = Number(process.env.BENCH_CELLS ?? 1000);
const VIEW_SECONDS = Number(process.env.BENCH_VIEW_SECONDS ?? 20);
const bin = join(dirname(fileURLToPath(import.meta.url)), '../packages/cli/dist/bin.js');
const TICKS = 100; // clock ticks per second of /proc/<pid>/stat on Linux

const idle = defineCell({
  type: 'idle',
  description: 'a cell that waits',
  machine: () => setup({}).createMachine({ context: { n: 0 }, initial: 'waiting', states: { waiting: {} } }),
});

const storeDir = mkdtempSync(join(tmpdir(), 'hms-bench-console-'));
const server = await startNatsServer({ storeDir });
const logger = createSilentLogger();
const swarm = 'console';
const subjects = createSubjects(swarm);
const nodes = [];
for (const id of ['node-1', 'node-2', 'node-3']) {
  const transport = await connectTransport({ servers: server.url, from: id, logger });
  nodes.push({
    transport,
    node: await createNode({ nodeId: id, swarm, transport, registry: new CellRegistry([idle]), logger }),
  });
}
const client = await connectTransport({ servers: server.url, from: 'bench', logger });
const desired = await DesiredCells.open(client, swarm, logger);
for (let i = 0; i < CELLS; i += 250) {
  const batch = [];
  for (let j = i; j < Math.min(CELLS, i + 250); j++) {
    batch.push(
      desired.create({
        id: `idle-${j}`,
        type: 'idle',
        config: {},
        node: `node-${(j % 3) + 1}`,
        epoch: 1,
        createdAt: Date.now(),
      }),
    );
  }
  await Promise.all(batch);
}
const running = () => nodes.reduce((n, { node }) => n + node.cells().filter((c) => c.status() === 'running').length, 0);
while (running() < CELLS) await new Promise((r) => setTimeout(r, 50));

// Everything the dashboard sends, by subject family.
const sent = { control: 0, node: 0, console: 0, other: 0 };
const prefix = {
  control: subjects.controlPattern().slice(0, -1),
  node: subjects.nodeCommand('n', 'c').slice(0, -'n.c'.length),
  console: subjects.consolePattern().slice(0, -1),
};
const stopTap = client.tap(subjects.all(), (view) => {
  if (view.from !== 'hms-dashboard' && !view.subject.startsWith(prefix.console)) return;
  if (view.subject.startsWith(prefix.control)) sent.control++;
  else if (view.subject.startsWith(prefix.node)) sent.node++;
  else if (view.subject.startsWith(prefix.console)) sent.console++;
  else sent.other++;
});

const socket = `hms-bench-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
tmux(
  'new-session',
  '-d',
  '-s',
  'hms',
  '-x',
  '100',
  '-y',
  '30',
  `exec env NATS_URL=${server.url} HMS_SWARM=${swarm} ${process.execPath} ${bin} dashboard`,
);
const pid = Number(tmux('display-message', '-p', '-t', 'hms', '#{pane_pid}').trim());
const cpuTicks = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};
const screen = () => tmux('capture-pane', '-p', '-t', 'hms');
const until = async (predicate, what) => {
  const deadline = Date.now() + 30_000;
  while (!predicate(screen())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};
await until((s) => new RegExp(`cells ${CELLS}: ${CELLS} running`).test(s), 'the health view with every cell');

const rows = [];
for (const [key, view, ready] of [
  ['1', 'Health', (s) => s.includes('status ')],
  ['2', 'Agents', (s) => s.includes(`${CELLS} cells`)],
  ['4', 'Metrics', (s) => s.includes('messages/s (live)')],
]) {
  tmux('send-keys', '-t', 'hms', key);
  await until(ready, view);
  const before = { ...sent, cpu: cpuTicks(), at: performance.now() };
  await new Promise((r) => setTimeout(r, VIEW_SECONDS * 1000));
  const seconds = (performance.now() - before.at) / 1000;
  const requests = sent.control - before.control + (sent.node - before.node);
  rows.push({
    view: `${view} (${VIEW_SECONDS} s after it opened)`,
    'requests/s': (requests / seconds).toFixed(2),
    'CPU, % of a core': (((cpuTicks() - before.cpu) / TICKS / seconds) * 100).toFixed(1),
    'console heartbeats/s': ((sent.console - before.console) / seconds).toFixed(2),
    'other messages sent': sent.other - before.other,
  });
}
tmux('send-keys', '-t', 'hms', 'q');
stopTap();

printTable(
  `console — hms dashboard watching 3 nodes with ${CELLS.toLocaleString('en-US')} idle cells (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.versions.node})`,
  rows,
);
try {
  tmux('kill-server');
} catch {}
for (const { node, transport } of nodes) {
  await node.stop();
  await transport.close();
}
await client.close();
await server.stop();
rmSync(storeDir, { recursive: true, force: true });
process.exit(0);
