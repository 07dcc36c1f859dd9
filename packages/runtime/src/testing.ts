/**
 * Helpers for tests of HMS and of code built on it (`@hms/runtime/testing`): unique swarm
 * names, quiet transports, and waiting on a condition instead of sleeping.
 */
import { randomBytes } from 'node:crypto';
import { CellRegistry } from './cell/cell-registry.js';
import type { AnyCellDefinition } from './cell/define-cell.js';
import { createSilentLogger } from './logger.js';
import { createNode, type NodeHost, type NodeOptions } from './node/node-host.js';
import type { CodecName } from './transport/codec.js';
import { Transport } from './transport/transport.js';

/** A swarm name no other test uses, so tests sharing one nats-server never see each other. */
export function uniqueSwarm(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** A transport with a silent logger that does not reconnect. Close it when done. */
export function connectTestTransport(url: string, from = 'test', codec: CodecName = 'msgpack'): Promise<Transport> {
  return Transport.connect({ servers: url, from, codec, logger: createSilentLogger(), reconnect: false });
}

/** Resolves once `predicate` holds, checking every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, everyMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A node started in this process on its own connection, as an integration test uses it. */
export interface TestNode {
  node: NodeHost;
  transport: Transport;
}

/**
 * Starts one node per id, each on its own connection to `url`, hosting `definitions`, with
 * 100 ms heartbeats and a silent logger unless `options` say otherwise.
 */
export async function startTestNodes(
  url: string,
  swarm: string,
  ids: readonly string[],
  definitions: readonly AnyCellDefinition[],
  options: Partial<Omit<NodeOptions, 'nodeId' | 'swarm' | 'transport' | 'registry'>> = {},
): Promise<TestNode[]> {
  const started: TestNode[] = [];
  for (const id of ids) {
    const transport = await connectTestTransport(url, id);
    const node = await createNode({
      nodeId: id,
      swarm,
      transport,
      registry: new CellRegistry(definitions),
      logger: createSilentLogger(),
      heartbeatMs: 100,
      ...options,
    });
    started.push({ node, transport });
  }
  return started;
}

/** Stops test nodes and closes their connections; one already cut does not stop the others. */
export async function stopTestNodes(nodes: readonly TestNode[]): Promise<void> {
  for (const { node, transport } of nodes) {
    await node.stop().catch(() => undefined);
    await transport.close().catch(() => undefined);
  }
}
