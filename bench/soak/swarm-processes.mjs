// The processes a soak run starts: one nats-server on 127.0.0.1 and `hms node start` node
// processes logging to files. Everything started here is stopped by `stopAll`, also when the
// benchmark fails, is interrupted or runs out of time.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsServer } from '@hms/runtime';

/**
 * Extra Node flags for the node processes, e.g. HMS_SOAK_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
 * (flags NODE_OPTIONS does not allow); space-separated.
 */
const nodeFlags = (process.env.HMS_SOAK_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** The `hms` CLI the node processes run. */
export const cli = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/**
 * Starts nats-server (JetStream, data in a temporary directory) and returns a handle that
 * starts, kills and stops node processes of `swarm`. `stopAll()` is idempotent.
 */
export async function startSwarmProcesses(swarm, { capacity } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hms-bench-soak-'));
  const server = await startNatsServer({ storeDir: join(dir, 'nats') });
  /** name → { child, pid, log } */
  const nodes = new Map();
  const logs = [];
  let stopped = false;

  const startNode = (name) => {
    const log = join(dir, `${name}.${nodes.has(name) ? 'again.' : ''}log`);
    const fd = openSync(log, 'a');
    const args = ['node', 'start', '--name', name, '--nats', server.url, '--swarm', swarm];
    args.push('--data-dir', join(dir, 'nodes', name), '--metrics-host', '127.0.0.1');
    if (capacity) args.push('--capacity', String(capacity));
    const child = spawn(process.execPath, [...nodeFlags, cli, ...args], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    nodes.set(name, { child, pid: child.pid, log });
    logs.push(log);
    return child;
  };

  /** SIGKILLs every process still running (synchronous: usable in an `exit` handler). */
  const killAll = () => {
    for (const { child } of nodes.values()) if (isRunning(child)) child.kill('SIGKILL');
    if (isRunning(server.process)) server.process.kill('SIGKILL');
  };
  process.on('exit', killAll);

  return {
    url: server.url,
    dir,
    nodes,
    startNode,
    /** kill -9 of one node process; resolves once it is gone. */
    async kill(name) {
      const { child } = nodes.get(name);
      if (!isRunning(child)) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    /** How many lines of the node logs contain `text`. */
    countInLogs(text) {
      let n = 0;
      for (const log of logs) {
        for (const line of readFileSync(log, 'utf8').split('\n')) if (line.includes(text)) n++;
      }
      return n;
    },
    /** Stops the nodes (SIGTERM, then SIGKILL after `graceMs`) and nats-server; removes the data. */
    async stopAll(graceMs = 10_000) {
      if (stopped) return;
      stopped = true;
      const running = [...nodes.values()].filter(({ child }) => isRunning(child));
      await Promise.all(
        running.map(
          ({ child }) =>
            new Promise((resolve) => {
              const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
      await server.stop().catch(() => server.process.kill('SIGKILL'));
      process.off('exit', killAll);
      if (!process.env.HMS_SOAK_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** False once a child process exited or was killed by a signal. */
function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
