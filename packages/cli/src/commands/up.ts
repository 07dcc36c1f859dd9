import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { demoCellPlan } from '@hms/agents';
import { type ControlClient, createControlClient, isListening, startNatsServer } from '@hms/runtime';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { CliError } from '../errors.js';
import { connectCli, DEFAULT_NATS_URL, type GlobalOptions, globalOptions } from '../global-options.js';
import { rollingUpgrade } from '../local-swarm/rolling-upgrade.js';
import { spawnNode } from '../local-swarm/spawn-node.js';
import { homePaths, isAlive, type LocalSwarmState, readState, writeState } from '../local-swarm/swarm-home.js';
import { OVERLOAD_WAIT_MS } from '../overload-wait.js';
import { stopLocalSwarm } from './down.js';

function parseNodes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('must be a whole number from 1 to 64');
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port from 1 to 65535');
  return n;
}

/** Waits until `count` nodes answer on the control plane, or fails after `timeoutMs`. */
async function waitForNodes(control: ControlClient, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = new Set(
      await control.listNodes().then(
        (nodes) => nodes.filter((n) => n.status === 'alive').map((n) => n.node),
        () => [] as string[],
      ),
    );
    // Up means every node is alive and follows one leader: until a node has heard a leader,
    // its cells take no messages (it could be cut off from the majority).
    if (names.every((n) => alive.has(n))) {
      const status = await control.systemStatus().catch(() => null);
      if (status?.leader) return;
    }
    if (Date.now() > deadline) {
      throw new CliError(`nodes did not come up with a leader within ${timeoutMs} ms (see ${homePaths().logs})`);
    }
    // The control plane has no "node joined" push to the CLI; polling it is the readiness check.
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function resolveNats(
  g: GlobalOptions,
  home: ReturnType<typeof homePaths>,
  port: number,
): Promise<{ url: string; pid?: number }> {
  if (g.nats) return { url: g.nats };
  if (await isListening(port)) return { url: port === 4222 ? DEFAULT_NATS_URL : `nats://127.0.0.1:${port}` };
  mkdirSync(home.home, { recursive: true });
  const log = openSync(join(home.home, 'nats-server.log'), 'a');
  try {
    const server = await startNatsServer({ storeDir: home.natsStore, port, detached: true, output: log });
    return { url: server.url, pid: server.pid };
  } finally {
    closeSync(log);
  }
}

/** `hms up`: a local swarm of N node processes, with a nats-server if none answers. */
export function createUpCommand({ output }: CommandDeps): Command {
  return new Command('up')
    .description(
      'launch a local swarm: a nats-server (unless one answers or --nats is given) and N nodes with demo cells',
    )
    .option('--nodes <n>', 'number of node processes', parseNodes, 3)
    .option('--detach', 'return once the swarm answers, leaving it running (stop with hms down)', false)
    .option(
      '--port <port>',
      'port of the nats-server started when no --nats is given and none answers',
      parsePort,
      4222,
    )
    .option(
      '--upgrade',
      "replace the running local swarm's nodes one at a time with this build: drain, stop, start, undrain",
      false,
    )
    .action(async (opts: { nodes: number; detach: boolean; port: number; upgrade: boolean }, command: Command) => {
      const g = globalOptions(command);
      const home = homePaths();
      const existing = readState();
      if (opts.upgrade) {
        if (!existing?.nodes.some((n) => isAlive(n.pid))) {
          throw new CliError(`no local swarm is up (state in ${home.state}): nothing to upgrade`);
        }
        const transport = await connectCli({ ...g, nats: existing.natsUrl });
        try {
          const control = createControlClient(transport, existing.swarm, { timeoutMs: 20_000 });
          const replaced = await rollingUpgrade(control, existing, home, connectionArgs(g), (r) => {
            if (!g.json) {
              output.out(
                `${r.name}: ${r.cells} cells handed over in ${(r.drainMs / 1000).toFixed(1)} s; pid ${r.oldPid} → ${r.newPid} (${(r.totalMs / 1000).toFixed(1)} s)`,
              );
            }
          });
          if (g.json) output.out(JSON.stringify(replaced));
        } finally {
          await transport.close();
        }
        return;
      }
      if (existing?.nodes.some((n) => isAlive(n.pid))) {
        throw new CliError(
          `a local swarm "${existing.swarm}" is already up (state in ${home.state}); run hms down first`,
        );
      }
      // Ctrl-C at any moment, start-up included, stops everything this command started.
      const signals = stopSignals();
      try {
        await Promise.race([
          startSwarm(g, home, opts, output),
          signals.received.then((signal) => {
            throw new CliError(`interrupted by ${signal}: stopped what was started`, 130);
          }),
        ]);
      } catch (err) {
        await stopLocalSwarm(output, true);
        throw err;
      }
      if (opts.detach) {
        signals.dispose();
        return;
      }
      // In the foreground: report node processes that die, until Ctrl-C.
      const watch = watchNodes(output);
      await signals.received;
      clearInterval(watch);
      output.out('stopping…');
      await stopLocalSwarm(output, g.json);
    });
}

/** Every second, reports node processes of the local swarm that are gone. */
function watchNodes(output: CommandDeps['output']): NodeJS.Timeout {
  const reported = new Set<number>();
  return setInterval(() => {
    for (const n of readState()?.nodes ?? []) {
      if (reported.has(n.pid) || isAlive(n.pid)) continue;
      reported.add(n.pid);
      output.err(`${n.name} (pid ${n.pid}) exited; its log: ${join(homePaths().logs, `${n.name}.log`)}`);
    }
  }, 1000);
}

/** Resolves with the first of SIGINT, SIGTERM or SIGHUP after this call. */
function stopSignals(): { received: Promise<string>; dispose(): void } {
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let handler: (signal: string) => void = () => {};
  const received = new Promise<string>((resolve) => {
    handler = resolve;
  });
  for (const n of names) process.on(n, handler);
  return {
    received,
    dispose: () => {
      for (const n of names) process.off(n, handler);
    },
  };
}

/** Starts nats-server (if needed) and the nodes, records them, then creates the demo cells. */
async function startSwarm(
  g: GlobalOptions,
  home: ReturnType<typeof homePaths>,
  opts: { nodes: number; detach: boolean; port: number },
  output: CommandDeps['output'],
): Promise<void> {
  const nats = await resolveNats(g, home, opts.port);
  const names = Array.from({ length: opts.nodes }, (_, i) => `node-${i + 1}`);
  const state: LocalSwarmState = { swarm: g.swarm, natsUrl: nats.url, nodes: [], startedAt: Date.now() };
  if (nats.pid !== undefined) state.natsPid = nats.pid;
  writeState(state);
  for (const name of names) {
    state.nodes.push({
      name,
      pid: spawnNode({
        name,
        natsUrl: nats.url,
        swarm: g.swarm,
        logDir: home.logs,
        args: ['--data-dir', join(home.nodes, g.swarm, name), ...connectionArgs(g)],
      }),
    });
    writeState(state);
  }
  const transport = await connectCli({ ...g, nats: nats.url });
  try {
    const control = createControlClient(transport, g.swarm);
    await waitForNodes(control, names, 30_000);
    const present = new Set((await control.listAgents()).map((a) => a.id));
    const created: string[] = [];
    for (const request of demoCellPlan(names)) {
      if (request.id && present.has(request.id)) continue;
      created.push((await control.createAgent(request, { overloadWaitMs: OVERLOAD_WAIT_MS })).id);
    }
    const agents = await control.listAgents();
    const metricsOf = new Map((await control.listNodes()).map((n) => [n.node, n.metricsUrl]));
    if (g.json) {
      output.out(JSON.stringify({ ...state, cells: agents }, null, 2));
      return;
    }
    output.out(
      [
        `swarm "${g.swarm}" is up: ${names.length} nodes on ${nats.url}${nats.pid ? ` (nats-server pid ${nats.pid}, data in ${home.natsStore})` : ''}`,
        ...state.nodes.map(
          (n) =>
            `  ${n.name}  pid ${n.pid}  metrics ${metricsOf.get(n.name) ?? '-'}  log ${join(home.logs, `${n.name}.log`)}`,
        ),
        `${agents.length} cells (${created.length} created now): ${agents.map((a) => a.id).join(', ')}`,
        '',
        'watch it:',
        '  npx hms agent list          npx hms node list',
        `  npx hms sub 'hms.${g.swarm}.>'`,
        `  nats sub --server ${nats.url} 'hms.${g.swarm}.>'`,
        opts.detach ? 'stop it: npx hms down' : 'Ctrl-C stops everything.',
      ].join('\n'),
    );
  } finally {
    await transport.close();
  }
}

/** The credentials and TLS options of this command, passed on to the nodes it starts. */
function connectionArgs(g: GlobalOptions): string[] {
  const pairs: Array<[string, string | undefined]> = [
    ['--creds', g.creds],
    ['--tls-ca', g.tlsCa],
    ['--tls-cert', g.tlsCert],
    ['--tls-key', g.tlsKey],
  ];
  return pairs.flatMap(([flag, value]) => (value ? [flag, value] : []));
}
