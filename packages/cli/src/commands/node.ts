import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { Transport, TransportOptions } from '@hms/runtime';
import { createControlClient } from '@hms/runtime/client';
import { ConnectionError } from '@hms/runtime/errors';
import { assertToken } from '@hms/runtime/subjects';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { CliError, EXIT } from '../errors.js';
import { DEFAULT_NATS_URL, globalOptions, withConnection } from '../global-options.js';
import { drainAndWait, rethrowUnknownNode, withDrainStatus } from '../node-drain.js';
import { formatJson, formatTable } from '../output.js';

function parseNodeName(value: string): string {
  try {
    assertToken(value, 'node name');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

/** Connects a node process; a refused or unreachable server is one line and exit code 3. */
async function connectNode(options: TransportOptions): Promise<Transport> {
  const { connectTransport } = await import('@hms/runtime/client');
  try {
    return await connectTransport(options);
  } catch (err) {
    if (err instanceof ConnectionError) throw new CliError(err.message, EXIT.unreachable);
    throw err;
  }
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/** `hms node start`: one node process joining a swarm. Runs until SIGTERM or SIGINT. */
export function createNodeCommand({ output }: CommandDeps): Command {
  const node = new Command('node').description('run a node process of a swarm');
  node
    .command('start')
    .description('start a node process that hosts cells; stops cleanly on SIGTERM/SIGINT')
    .option('--name <name>', 'node id, unique in the swarm', parseNodeName)
    .option('--heartbeat-ms <ms>', 'heartbeat interval in millis', parsePositiveInt, 1000)
    .option('--metrics-port <port>', 'Prometheus /metrics port (0: any free port)', parsePort, 0)
    .option('--metrics-host <host>', 'address the metrics endpoint listens on', '127.0.0.1')
    .option('--stop-grace-ms <ms>', 'longest a stop waits to save and drain before exiting', parsePositiveInt, 10_000)
    .option('--data-dir <dir>', "this node's durable state (its election vote); default ~/.hms/nodes/<swarm>/<name>")
    .option(
      '--capacity <cells>',
      'cells this node is sized for; placement weighs nodes by it',
      parsePositiveInt,
      10_000,
    )
    .action(
      async (
        opts: {
          name?: string;
          heartbeatMs: number;
          metricsPort: number;
          metricsHost: string;
          capacity: number;
          dataDir?: string;
          stopGraceMs: number;
        },
        command: Command,
      ) => {
        const g = globalOptions(command);
        // The node host (the whole runtime and the built-in cells) loads for this command only:
        // `hms node list` and `drain` are short clients.
        const [{ builtinPlugins }, { builtinPlugin, CellRegistry, createLogger, createNode }] = await Promise.all([
          import('@hms/agents'),
          import('@hms/runtime'),
        ]);
        const nodeId = opts.name ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}`;
        const logger = createLogger({ base: { swarm: g.swarm } });
        const transport = await connectNode({
          servers: g.nats ?? DEFAULT_NATS_URL,
          from: nodeId,
          name: `hms-node-${nodeId}`,
          codec: g.codec,
          logger,
          ...(g.creds ? { creds: g.creds } : {}),
          ...(g.tlsCa || g.tlsCert || g.tlsKey
            ? { tls: { caFile: g.tlsCa, certFile: g.tlsCert, keyFile: g.tlsKey } }
            : {}),
        });
        const dataDir = opts.dataDir ?? join(homedir(), '.hms', 'nodes', g.swarm, nodeId);
        const host = await createNode({
          nodeId,
          swarm: g.swarm,
          transport,
          // Every cell type comes through a plugin: the built-ins first, then the swarm's.
          registry: new CellRegistry(),
          logger,
          heartbeatMs: opts.heartbeatMs,
          metricsPort: opts.metricsPort,
          metricsHost: opts.metricsHost,
          capacity: opts.capacity,
          dataDir,
          plugins: { builtins: builtinPlugins.map(builtinPlugin), dir: join(dataDir, 'plugins') },
        });
        await new Promise<void>((resolve) => {
          const shutdown = (signal: string) => {
            logger.info({ signal, graceMs: opts.stopGraceMs }, 'shutting down');
            // A second signal means now.
            process.once('SIGTERM', () => process.exit(143));
            process.once('SIGINT', () => process.exit(130));
            resolve();
          };
          process.once('SIGTERM', shutdown);
          process.once('SIGINT', shutdown);
        });
        // A stop saves what it can, but never waits longer than the grace period for a NATS
        // server that does not answer, and a connection lost meanwhile ends it too.
        const stopped = (async () => {
          await host.stop();
          await transport.drain();
          return true as const;
        })().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        const grace = new Promise<false>((resolve) => setTimeout(() => resolve(false), opts.stopGraceMs).unref());
        const outcome = await Promise.race([stopped, grace]);
        if (outcome !== true) {
          const why =
            outcome === false ? `stop did not finish within ${opts.stopGraceMs} ms` : `stop failed: ${outcome.message}`;
          logger.error(
            {
              graceMs: opts.stopGraceMs,
              connected: transport.isConnected,
              ...(outcome === false ? {} : { err: outcome }),
            },
            `${why}${transport.isConnected ? '' : ' (NATS is not answering)'}: exiting; changes not yet saved are lost`,
          );
          process.exit(1);
        }
      },
    );
  node
    .command('list')
    .description(
      'the nodes of the swarm: status, phi suspicion, cells, HMS version, message (protocol) versions, metrics endpoint',
    )
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const nodes = await withConnection(g, (t) => createControlClient(t, g.swarm).listNodes());
      if (g.json) output.out(formatJson(nodes));
      else
        output.out(
          nodes.length
            ? formatTable(
                withDrainStatus(nodes).map((n) => ({ ...n, protocol: n.protocol?.join(' ') })),
                [
                  'node',
                  'status',
                  'role',
                  'term',
                  'phi',
                  'cells',
                  'version',
                  'protocol',
                  'host',
                  'pid',
                  'eventLoopLagMs',
                  'metricsUrl',
                ],
              )
            : 'no nodes',
        );
    });
  node
    .command('drain')
    .description(
      'hand every cell of a node over to others (save, stop, start elsewhere) and keep new ones away; returns when it is empty',
    )
    .argument('<name>', 'node id', parseNodeName)
    .option('--timeout <seconds>', 'how long to wait for it to empty (the drain goes on after)', parseSeconds, 120)
    .action(async (name: string, opts: { timeout: number }, command: Command) => {
      const g = globalOptions(command);
      const outcome = await withConnection(g, (t) =>
        drainAndWait(createControlClient(t, g.swarm, { timeoutMs: 20_000 }), name, opts.timeout * 1000),
      );
      output.out(
        g.json
          ? formatJson({ ...outcome, drained: true })
          : `node ${name} drained: ${outcome.cells} cells handed over in ${(outcome.ms / 1000).toFixed(1)} s; it takes no new cells until hms node undrain ${name}`,
      );
    });
  node
    .command('undrain')
    .description('let a drained node take cells again (rebalancing moves some back)')
    .argument('<name>', 'node id', parseNodeName)
    .action(async (name: string, _opts, command: Command) => {
      const g = globalOptions(command);
      const reply = await withConnection(g, (t) => createControlClient(t, g.swarm).undrainNode(name)).catch(
        rethrowUnknownNode,
      );
      output.out(
        g.json ? formatJson(reply) : reply.changed ? `node ${name} takes cells again` : `node ${name} was not drained`,
      );
    });
  return node;
}
