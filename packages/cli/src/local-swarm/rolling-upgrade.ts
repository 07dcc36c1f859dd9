import { join } from 'node:path';
import type { ControlClient } from '@hms/runtime';
import { CliError } from '../errors.js';
import { drainAndWait } from '../node-drain.js';
import { spawnNode } from './spawn-node.js';
import { stopProcess } from './stop-process.js';
import { type homePaths, type LocalSwarmState, writeState } from './swarm-home.js';

/** How long one node may take to drain, in millis. */
const DRAIN_TIMEOUT_MS = 120_000;

/** How long a replacement node may take to show up alive, in millis. */
const JOIN_TIMEOUT_MS = 30_000;

/** One replaced node, as `hms up --upgrade` reports it. */
export interface ReplacedNode {
  name: string;
  oldPid: number;
  newPid: number;
  /** Cells handed over before the old process stopped. */
  cells: number;
  drainMs: number;
  totalMs: number;
}

/**
 * Replaces the node processes of a local swarm one at a time with the `hms` now built: drain
 * the node (its cells handed over to the others), stop it (SIGTERM: it hosts nothing, so nothing
 * is re-placed), start the new process under the same name and data directory, wait until the
 * swarm sees it alive, undrain it (creates and rebalancing fill it again). The state file follows
 * each new pid, so `hms down` stops the new processes.
 */
export async function rollingUpgrade(
  control: ControlClient,
  state: LocalSwarmState,
  home: ReturnType<typeof homePaths>,
  nodeArgs: string[],
  onReplaced: (r: ReplacedNode) => void,
): Promise<ReplacedNode[]> {
  const replaced: ReplacedNode[] = [];
  for (const entry of state.nodes) {
    const began = Date.now();
    const { cells, ms: drainMs } = await drainAndWait(control, entry.name, DRAIN_TIMEOUT_MS);
    await stopProcess(entry.pid);
    const oldPid = entry.pid;
    entry.pid = spawnNode({
      name: entry.name,
      natsUrl: state.natsUrl,
      swarm: state.swarm,
      logDir: home.logs,
      args: ['--data-dir', join(home.nodes, state.swarm, entry.name), ...nodeArgs],
    });
    writeState(state, home.home);
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    for (;;) {
      const info = (await control.listNodes()).find((n) => n.node === entry.name);
      if (info?.pid === entry.pid && info.status === 'alive') break;
      if (Date.now() > deadline) {
        throw new CliError(
          `${entry.name} (pid ${entry.pid}) did not join within ${JOIN_TIMEOUT_MS / 1000} s: it stays drained; see ${join(home.logs, `${entry.name}.log`)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await control.undrainNode(entry.name);
    const r = { name: entry.name, oldPid, newPid: entry.pid, cells, drainMs, totalMs: Date.now() - began };
    replaced.push(r);
    onReplaced(r);
  }
  return replaced;
}
