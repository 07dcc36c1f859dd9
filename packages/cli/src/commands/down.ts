import { Command } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { globalOptions } from '../global-options.js';
import { stopProcess } from '../local-swarm/stop-process.js';
import { clearState, readState } from '../local-swarm/swarm-home.js';
import type { Output } from '../output.js';

/** Stops what `hms up` started (nodes first, then its nats-server) and clears the state. */
export async function stopLocalSwarm(output: Output, quiet: boolean): Promise<boolean> {
  const state = readState();
  if (!state) return false;
  const results = await Promise.all(
    state.nodes.map(async (n) => ({ name: n.name, pid: n.pid, how: await stopProcess(n.pid) })),
  );
  if (!quiet) for (const r of results) output.out(`${r.name} (pid ${r.pid}): ${r.how}`);
  if (state.natsPid !== undefined) {
    const how = await stopProcess(state.natsPid);
    if (!quiet) output.out(`nats-server (pid ${state.natsPid}): ${how}`);
  }
  clearState();
  return true;
}

/** `hms down`: stop the local swarm `hms up` started. */
export function createDownCommand({ output }: CommandDeps): Command {
  return new Command('down')
    .description('stop the local swarm started by hms up (nodes, then its nats-server)')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const stopped = await stopLocalSwarm(output, g.json);
      if (!stopped) output.out('no local swarm is up');
    });
}
