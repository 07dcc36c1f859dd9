import { isAlive } from './swarm-home.js';

/**
 * Sends SIGTERM to `pid` and resolves once it is gone; SIGKILL after `graceMs` (default 10000).
 * Returns how it ended.
 */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<'not-running' | 'terminated' | 'killed'> {
  if (!isAlive(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
      return 'killed';
    }
    // Another process cannot be awaited by pid; polling is the only portable way.
    await new Promise((r) => setTimeout(r, 50));
  }
  return 'terminated';
}
