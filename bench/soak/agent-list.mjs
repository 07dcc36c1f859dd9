// `hms agent list --json` as an operator runs it, timed.
import { spawn } from 'node:child_process';
import { cli } from './swarm-processes.mjs';

/**
 * Runs `hms agent list --json` against the swarm; its wall time, exit code, the cells it printed
 * and the first line of its error output, if any.
 */
export function timeAgentList(url, swarm) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, 'agent', 'list', '--json', '--nats', url, '--swarm', swarm], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    const errors = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => errors.push(c));
    child.once('exit', (code) => {
      const elapsed = performance.now() - started;
      let agents = [];
      try {
        agents = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // Reported through the exit code and the count of 0.
      }
      const error = Buffer.concat(errors).toString('utf8').split('\n')[0] ?? '';
      resolve({ ms: elapsed, code, agents, error });
    });
  });
}
