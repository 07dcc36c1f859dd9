#!/usr/bin/env node
// CLI start-up: whole-process wall time of `hms` commands, side by side with a bare Node start
// (`node -e 0`) and the Go NATS CLI (`nats kv ls`) on the same local swarm. `hms up --detach`
// starts the swarm (1 node, demo cells, its own nats-server on a free port, state in a temp
// HMS_HOME); every command runs BENCH_RUNS times (default 7), the commands interleaved so that
// the machine's load falls on all of them alike; the median is reported. Targets (issue 15):
// `hms --version` ≤ 2× `node -e 0`, `hms agent list` ≤ 2.5× `node -e 0`. Beside the wall time,
// the mean CPU time (user + system) of each command's process, which a loaded machine disturbs
// less.
// BENCH_CLI_BASELINE=<path of another build's packages/cli/dist/bin.js> adds that build's
// `hms --version`, `hms agent list` and `hms node list` as rows (before/after in one run). The
// `hms` rows run the linked bin (node_modules/.bin/hms, as a user does: the quick commands start
// from the snapshot); the `node dist/bin.js` rows run the unbundled CLI as before. A second
// table splits `hms agent list` into its steps, measured inside one process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, printTable } from './stats.mjs';

const RUNS = Math.max(7, Number(process.env.BENCH_RUNS ?? 7));
const bin = join(dirname(fileURLToPath(import.meta.url)), '../packages/cli/dist/bin.js');
// The `hms` a user runs (npm links it as node_modules/.bin/hms): it starts the quick commands
// from the start-up snapshot when the build made one for this Node, and runs dist/bin.js otherwise.
const hmsCommand = join(dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/hms');
const baseline = process.env.BENCH_CLI_BASELINE;
const node = process.execPath;

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * CPU time (user + system, ms) of this process's finished children, from /proc (Linux; 10 ms
 * ticks): less disturbed by a loaded machine than wall time, reported beside it.
 */
function childrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** True when `cmd` runs (`nats --version`). */
function available(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Where the time of `hms agent list` goes, measured inside one process that does what the command
 * does, step by step (`performance.now()` from the process's start; the compile cache on and
 * msgpackr's native decoder off, as in `hms`): median of RUNS processes per step.
 */
const PHASES_PROBE = `
import module from 'node:module';
module.enableCompileCache?.();
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = 'true';
const at = [performance.now()];
await import('commander'); at.push(performance.now());
await import('@nats-io/transport-node'); at.push(performance.now());
const client = await import('@hms/runtime/client'); at.push(performance.now());
const quiet = { level: 'silent', child: () => quiet };
for (const k of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) quiet[k] = () => {};
const t = await client.connectTransport({ servers: process.env.BENCH_NATS, from: 'bench', codec: 'msgpack', reconnect: false, timeout: 3000, logger: quiet });
at.push(performance.now());
const control = client.createControlClient(t, process.env.HMS_SWARM);
await control.listAgents(); at.push(performance.now());
await control.listAgents(); at.push(performance.now());
await t.close(); at.push(performance.now());
console.log(JSON.stringify(at));
`;
const PHASES = [
  'Node start-up (to the first line)',
  'import commander',
  'import @nats-io/transport-node',
  'import @hms/runtime/client (msgpackr, HMS modules)',
  'connect (TCP, INFO/CONNECT, PING)',
  'first agent.list request',
  'second agent.list request (warm)',
  'close',
];

function printPhases(natsUrl) {
  const runs = PHASES.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(node, ['--input-type=module', '-e', PHASES_PROBE], {
      cwd: join(dirname(bin), '..'),
      env: { ...env, BENCH_NATS: natsUrl },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`phase probe exited ${r.status}: ${r.stderr}`);
    const at = JSON.parse(r.stdout);
    for (const [j, t] of at.entries()) runs[j].push(j === 0 ? t : t - at[j - 1]);
  }
  printTable(
    'where hms agent list spends its time: steps in one process, median ms',
    PHASES.map((phase, j) => ({ step: phase, 'median ms': percentile([...runs[j]], 0.5).toFixed(1) })),
  );
}

const home = mkdtempSync(join(tmpdir(), 'hms-bench-cli-'));
const port = await freePort();
const url = `nats://127.0.0.1:${port}`;
const swarm = 'clibench';
const env = { ...process.env, HMS_HOME: home, HMS_SWARM: swarm, NO_COLOR: '1' };
delete env.NATS_URL;
const hms = (args) => execFileSync(node, [bin, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const load = loadavg().map((l) => l.toFixed(2));
console.log(`CLI start-up: median of ${RUNS} runs, whole process wall time (${cpus().length} cores, load ${load})`);
try {
  hms(['up', '--nodes', '1', '--detach', '--port', String(port)]);
  const cells = JSON.parse(hms(['--nats', url, 'agent', 'list', '--json'])).length;
  console.log(`local swarm: 1 node, ${cells} cells, nats-server ${url}`);

  /** The commands measured: label, executable, arguments, expected exit code. */
  const cases = [
    { label: 'node -e 0', cmd: node, args: ['-e', '0'] },
    { label: 'hms --version', cmd: hmsCommand, args: ['--version'] },
    { label: 'hms --help', cmd: hmsCommand, args: ['--help'] },
    { label: 'hms agent create (bad args, exit 2)', cmd: hmsCommand, args: ['agent', 'create'], code: 2 },
    { label: 'hms agent list', cmd: hmsCommand, args: ['--nats', url, 'agent', 'list'] },
    { label: 'hms system status', cmd: hmsCommand, args: ['--nats', url, 'system', 'status'] },
    { label: 'hms node list', cmd: hmsCommand, args: ['--nats', url, 'node', 'list'] },
    { label: 'node dist/bin.js --version', cmd: node, args: [bin, '--version'] },
    { label: 'node dist/bin.js agent list', cmd: node, args: [bin, '--nats', url, 'agent', 'list'] },
  ];
  if (available('nats')) cases.push({ label: 'nats kv ls (Go)', cmd: 'nats', args: ['--server', url, 'kv', 'ls'] });
  else console.log('nats (the Go NATS CLI) is not on PATH: its row is left out');
  if (baseline) {
    cases.push({ label: 'baseline hms --version', cmd: node, args: [baseline, '--version'] });
    cases.push({ label: 'baseline hms agent list', cmd: node, args: [baseline, '--nats', url, 'agent', 'list'] });
    cases.push({ label: 'baseline hms node list', cmd: node, args: [baseline, '--nats', url, 'node', 'list'] });
  }

  const samples = new Map(cases.map((c) => [c.label, []]));
  const cpu = new Map(cases.map((c) => [c.label, 0]));
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) {
      const cpu0 = childrenCpuMs();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(c.cmd, c.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (cpu0 !== undefined) cpu.set(c.label, cpu.get(c.label) + childrenCpuMs() - cpu0);
      if (r.status !== (c.code ?? 0)) {
        throw new Error(`${c.label} exited ${r.status} (expected ${c.code ?? 0}): ${r.stderr.toString().trim()}`);
      }
      samples.get(c.label).push(ms);
    }
  }

  const median = (label) => percentile([...samples.get(label)], 0.5);
  const bare = median('node -e 0');
  const go = samples.has('nats kv ls (Go)') ? median('nats kv ls (Go)') : undefined;
  const target = { 'hms --version': '≤ 2×', 'hms agent list': '≤ 2.5×' };
  printTable(
    'whole-process wall time, median (ratios against node -e 0 and nats kv ls, same run)',
    cases.map((c) => {
      const m = median(c.label);
      return {
        command: c.label,
        'median ms': m.toFixed(0),
        'min ms': Math.min(...samples.get(c.label)).toFixed(0),
        '× node -e 0': (m / bare).toFixed(2),
        '× nats kv ls': go === undefined ? '-' : (m / go).toFixed(2),
        'CPU ms (mean)': (cpu.get(c.label) / RUNS).toFixed(0),
        'CPU × node -e 0': (cpu.get(c.label) / Math.max(1, cpu.get('node -e 0'))).toFixed(2),
        target: target[c.label] ?? '',
      };
    }),
  );
  printPhases(url);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2))}`);
} finally {
  spawnSync(node, [bin, 'down'], { env, stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
}
