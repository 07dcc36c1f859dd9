import {
  assertToken,
  discoverServices,
  type ServiceInfo,
  type ServiceStats,
  serviceStats,
  type Transport,
} from '@hms/runtime';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { globalOptions, withConnection } from '../global-options.js';
import { formatJson, formatTable } from '../output.js';

/** One line of `hms service list`: an instance, its endpoints and what it has served. */
export interface ServiceRow {
  name: string;
  id: string;
  version: string;
  /** `metadata.node`, or `-` for services that do not say. */
  node: string;
  /** `metadata.swarm`, or `-` for services of no swarm. */
  swarm: string;
  endpoints: number;
  /** Requests served by this instance, over all its endpoints (from STATS; 0 if it sent none). */
  requests: number;
  errors: number;
  description: string;
  metadata: Record<string, string>;
}

/**
 * Finds every NATS service (INFO and STATS gathered for `timeoutMs` millis) and makes one row
 * per instance. Services of other swarms (`metadata.swarm` set and different) are left out
 * unless `all`.
 */
export async function gatherServiceRows(
  transport: Transport,
  options: { swarm: string; all: boolean; timeoutMs: number; name?: string },
): Promise<ServiceRow[]> {
  const gather = { timeoutMs: options.timeoutMs };
  const [infos, stats] = await Promise.all([
    discoverServices(transport, options.name, gather),
    serviceStats(transport, options.name, gather),
  ]);
  const statsById = new Map<string, ServiceStats>(stats.map((s) => [s.id, s]));
  return infos
    .filter((i) => options.all || i.metadata.swarm === undefined || i.metadata.swarm === options.swarm)
    .map((i: ServiceInfo): ServiceRow => {
      const endpoints = statsById.get(i.id)?.endpoints ?? [];
      return {
        name: i.name,
        id: i.id,
        version: i.version,
        node: i.metadata.node ?? '-',
        swarm: i.metadata.swarm ?? '-',
        endpoints: i.endpoints.length,
        requests: endpoints.reduce((n, e) => n + (e.num_requests ?? 0), 0),
        errors: endpoints.reduce((n, e) => n + (e.num_errors ?? 0), 0),
        description: i.description,
        metadata: i.metadata,
      };
    });
}

function parseServiceName(value: string): string {
  try {
    assertToken(value, 'service name');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10 || n > 60_000) {
    throw new InvalidArgumentError('must be a whole number of millis from 10 to 60000');
  }
  return n;
}

/** `hms service list`: the NATS services (ADR-32) — every node's control plane, plugin services. */
export function createServiceCommand({ output }: CommandDeps): Command {
  const service = new Command('service').description('NATS services (the same ones `nats micro ls` finds)');
  service
    .command('list')
    .argument('[name]', 'only the instances of this service', parseServiceName)
    .description('every service instance: name, id, version, node, endpoints, requests and errors served')
    .option('--all', "include other swarms' services", false)
    .option('--timeout-ms <ms>', 'how long to collect replies, in millis', parseTimeout, 1000)
    .action(async (name: string | undefined, opts: { all: boolean; timeoutMs: number }, command: Command) => {
      const g = globalOptions(command);
      const rows = await withConnection(g, (t) =>
        gatherServiceRows(t, {
          swarm: g.swarm,
          all: opts.all,
          timeoutMs: opts.timeoutMs,
          ...(name === undefined ? {} : { name }),
        }),
      );
      if (g.json) output.out(formatJson(rows));
      else if (rows.length === 0) output.out('no services answer');
      else
        output.out(
          formatTable(
            rows.map((r) => ({ ...r, node: r.swarm === '-' ? r.node : `${r.swarm}/${r.node}` })),
            ['name', 'id', 'version', 'node', 'endpoints', 'requests', 'errors'],
          ),
        );
    });
  return service;
}
