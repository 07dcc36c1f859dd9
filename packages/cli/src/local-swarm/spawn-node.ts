import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `hms` entry point, for starting node processes. */
export const cliEntry = fileURLToPath(new URL('../bin.js', import.meta.url));

/** Options of {@link spawnNode}. */
export interface SpawnNodeOptions {
  name: string;
  natsUrl: string;
  swarm: string;
  logDir: string;
  /** Extra arguments for `hms node start`. */
  args?: string[];
}

/**
 * Starts `hms node start` as a detached process (its own process group, so a Ctrl-C meant for
 * `hms up` does not reach it before `hms up` stops it cleanly). Logs go to `<logDir>/<name>.log`.
 */
export function spawnNode(options: SpawnNodeOptions): number {
  mkdirSync(options.logDir, { recursive: true });
  const log = openSync(join(options.logDir, `${options.name}.log`), 'a');
  const child = spawn(
    process.execPath,
    [
      cliEntry,
      'node',
      'start',
      '--name',
      options.name,
      '--nats',
      options.natsUrl,
      '--swarm',
      options.swarm,
      ...(options.args ?? []),
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start node ${options.name}`);
  return child.pid;
}
