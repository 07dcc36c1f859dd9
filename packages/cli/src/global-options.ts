import type { CodecName, Transport } from '@hms/runtime/client';
import { ConnectionError } from '@hms/runtime/errors';
import { assertToken } from '@hms/runtime/subjects';
import type { Command } from 'commander';
import { CliError, EXIT, UsageError } from './errors.js';
import { createQuietLogger } from './quiet-logger.js';

/** The global options of every `hms` command. */
export interface GlobalOptions {
  /** NATS URL; undefined when neither --nats nor NATS_URL was given. */
  nats: string | undefined;
  swarm: string;
  creds: string | undefined;
  tlsCa: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  json: boolean;
  codec: CodecName;
}

/** The default NATS URL tried when none is given. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** Adds the global options to the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--nats <url>', 'NATS server URL (env NATS_URL)')
    .option('--swarm <name>', 'swarm name (env HMS_SWARM)', undefined)
    .option('--creds <file>', 'NATS credentials file')
    .option('--tls-ca <file>', 'TLS CA certificate')
    .option('--tls-cert <file>', 'TLS client certificate')
    .option('--tls-key <file>', 'TLS client key')
    .option('--codec <name>', 'body codec of what this process sends: msgpack or json', 'msgpack')
    .option('--json', 'machine-readable output', false);
}

/** Reads and checks the global options from the command's root. */
export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals() as Record<string, unknown>;
  const swarm = (o.swarm as string | undefined) ?? process.env.HMS_SWARM ?? 'default';
  try {
    assertToken(swarm, 'swarm name');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const codec = o.codec as string;
  if (codec !== 'msgpack' && codec !== 'json') {
    throw new UsageError(`--codec must be msgpack or json, not ${JSON.stringify(codec)}`);
  }
  const nats = (o.nats as string | undefined) ?? process.env.NATS_URL;
  if (nats !== undefined && !/^(nats|tls|ws|wss):\/\/|^[^:/]+:\d+$/.test(nats)) {
    throw new UsageError(`--nats must be a URL such as nats://host:4222, not ${JSON.stringify(nats)}`);
  }
  return {
    nats,
    swarm,
    creds: o.creds as string | undefined,
    tlsCa: o.tlsCa as string | undefined,
    tlsCert: o.tlsCert as string | undefined,
    tlsKey: o.tlsKey as string | undefined,
    json: Boolean(o.json),
    codec,
  };
}

/**
 * Connects the CLI to NATS, failing fast: exit code 3 with one line when it cannot. With
 * `reconnect` (long-running sessions such as the dashboard) a connection lost later is retried
 * forever; otherwise it closes.
 */
export async function connectCli(g: GlobalOptions, name = 'hms-cli', reconnect = false): Promise<Transport> {
  // Loaded here, not at start-up: commands that never connect (--help, --version, decode) skip
  // the NATS client and the codecs.
  const { connectTransport } = await import('@hms/runtime/client');
  try {
    return await connectTransport({
      servers: g.nats ?? DEFAULT_NATS_URL,
      from: name,
      name,
      codec: g.codec,
      reconnect,
      timeout: 3000,
      logger: createQuietLogger(),
      ...(g.creds ? { creds: g.creds } : {}),
      ...(g.tlsCa || g.tlsCert || g.tlsKey ? { tls: { caFile: g.tlsCa, certFile: g.tlsCert, keyFile: g.tlsKey } } : {}),
    });
  } catch (err) {
    if (err instanceof ConnectionError) throw new CliError(err.message, EXIT.unreachable);
    throw err;
  }
}

/** Runs `fn` with a CLI connection and always closes it. */
export async function withConnection<T>(g: GlobalOptions, fn: (t: Transport) => Promise<T>): Promise<T> {
  const transport = await connectCli(g);
  try {
    return await fn(transport);
  } finally {
    await transport.close();
  }
}
