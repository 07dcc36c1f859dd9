import { hostname } from 'node:os';
import { builtinCells } from '@hms/agents';
import { assertToken, CellRegistry, connectTransport, createLogger, createNode } from '@hms/runtime';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { DEFAULT_NATS_URL, globalOptions } from '../global-options.js';

function parseNodeName(value: string): string {
  try {
    assertToken(value, 'node name');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

/** `hms node start`: one node process joining a swarm. Runs until SIGTERM or SIGINT. */
export function createNodeCommand(_deps: CommandDeps): Command {
  const node = new Command('node').description('run a node process of a swarm');
  node
    .command('start')
    .description('start a node process that hosts cells; stops cleanly on SIGTERM/SIGINT')
    .option('--name <name>', 'node id, unique in the swarm', parseNodeName)
    .option('--heartbeat-ms <ms>', 'heartbeat interval in millis', parsePositiveInt, 1000)
    .action(async (opts: { name?: string; heartbeatMs: number }, command: Command) => {
      const g = globalOptions(command);
      const nodeId = opts.name ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}`;
      const logger = createLogger({ base: { swarm: g.swarm } });
      const transport = await connectTransport({
        servers: g.nats ?? DEFAULT_NATS_URL,
        from: nodeId,
        name: `hms-node-${nodeId}`,
        codec: g.codec,
        logger,
        ...(g.creds ? { creds: g.creds } : {}),
      });
      const host = await createNode({
        nodeId,
        swarm: g.swarm,
        transport,
        registry: new CellRegistry(builtinCells),
        logger,
        heartbeatMs: opts.heartbeatMs,
      });
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          logger.info({ signal }, 'shutting down');
          resolve();
        };
        process.once('SIGTERM', shutdown);
        process.once('SIGINT', shutdown);
      });
      await host.stop();
      await transport.drain();
    });
  return node;
}
