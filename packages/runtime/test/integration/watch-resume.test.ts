import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { ROLE } from '../../src/election/election-core.js';
import { createSilentLogger } from '../../src/logger.js';
import type { NodeHeartbeat } from '../../src/node/node-heartbeat.js';
import { bucketNames, kvStreamName } from '../../src/persistence/bucket-names.js';
import { readManifest } from '../../src/plugins/plugin-manifest.js';
import { packPluginDir } from '../../src/plugins/plugin-pack.js';
import { PluginStore } from '../../src/plugins/plugin-store.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { tally } from '../fixtures/tally-load.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';
import { manifestOf, pluginSource, writeTempPlugin } from '../plugins/temp-plugin.js';

/** Deletes every consumer of `bucket`'s stream (the nodes' watches among them); how many. */
async function deleteConsumersOf(client: Transport, bucket: string): Promise<number> {
  const stream = kvStreamName(bucket);
  const listed = await client.nc.request(`$JS.API.CONSUMER.NAMES.${stream}`, '{}', { timeout: 5000 });
  const names = (JSON.parse(listed.string()) as { consumers: string[] | null }).consumers ?? [];
  for (const name of names) {
    const reply = await client.nc.request(`$JS.API.CONSUMER.DELETE.${stream}.${name}`, '', { timeout: 5000 });
    expect(JSON.parse(reply.string())).toMatchObject({ success: true });
  }
  return names.length;
}

/**
 * A node learns of its cells and of the configuration through JetStream watches, each a consumer
 * on one server. When that server is lost, nats.js notices only after two missed 30 s heartbeats,
 * so for a minute the node missed every change (the partition test saw a cut host's cells start
 * in the majority 84 s after the cut). Here the consumers are deleted under the watches, which
 * stalls them the same way on a single server.
 */
describe('a node whose store watches lost their consumers', () => {
  const swarm = uniqueSwarm('wres');
  const subjects = createSubjects(swarm);
  let nodes: TestNode[] = [];
  let client: Transport;

  const deleteConsumers = (bucket: string) => deleteConsumersOf(client, bucket);

  beforeAll(async () => {
    client = await connectTest('client');
    nodes = await startTestNodes(inject('natsUrl'), swarm, ['w1', 'w2'], [tally], { metricsPort: 0 });
    await waitFor(() => nodes.some((n) => n.node.election().role === ROLE.leader), { what: 'a leader' });
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  it('starts a cell created afterwards within seconds, on either node', async () => {
    const control = createControlClient(client, swarm);
    expect(await deleteConsumers(bucketNames(swarm).cells)).toBeGreaterThanOrEqual(2);
    for (const node of ['w1', 'w2']) {
      const began = performance.now();
      await control.createAgent({ type: 'tally', id: `after-${node}`, node });
      const host = nodes.find((n) => n.node.nodeId === node) as TestNode;
      await waitFor(() => host.node.cells().some((c) => c.id === `after-${node}`), {
        timeoutMs: 20_000,
        what: `after-${node} running on ${node}`,
      });
      expect(performance.now() - began).toBeLessThan(20_000);
    }
    // Each node resumed its watch, and says so in its metrics.
    for (const { node } of nodes) {
      const text = (await node.metrics?.text()) ?? '';
      expect(text).toMatch(/hms_store_watch_resumes_total\{[^}]*watch="desired cells"[^}]*\} [1-9]/);
    }
  }, 60_000);

  it('runs a configuration written afterwards on every node within seconds', async () => {
    const control = createControlClient(client, swarm);
    const beats: NodeHeartbeat[] = [];
    const sub = client.subscribe(subjects.heartbeatPattern(), (m) => {
      beats.push(m.body as NodeHeartbeat);
    });
    try {
      expect(await deleteConsumers(bucketNames(swarm).config)).toBeGreaterThanOrEqual(2);
      const { version } = await control.configure({ 'breaker.failureThreshold': 7 });
      await waitFor(
        () => nodes.every((n) => beats.some((b) => b.node === n.node.nodeId && b.configVersion === version)),
        { timeoutMs: 20_000, what: `configuration version ${version} on every node` },
      );
    } finally {
      sub.unsubscribe();
    }
  }, 60_000);
});

describe('a node whose plugin-set watch lost its consumer', () => {
  const swarm = uniqueSwarm('wplug');
  const subjects = createSubjects(swarm);
  const dir = mkdtempSync(join(tmpdir(), 'hms-wplug-'));
  const nodes: TestNode[] = [];
  let client: Transport;
  const start = async (id: string) => {
    const [started] = await startTestNodes(inject('natsUrl'), swarm, [id], [tally], {
      plugins: { dir: join(dir, id) },
    });
    nodes.push(started as TestNode);
  };

  beforeAll(async () => {
    client = await connectTest('client');
    await start('p1');
    await start('p2');
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a plugin added afterwards within seconds, learning of it from a peer whose watch delivered it', async () => {
    expect(await deleteConsumersOf(client, bucketNames(swarm).plugins)).toBeGreaterThanOrEqual(2);
    // A node started now watches through a consumer of its own.
    await start('p3');
    const beats = new Map<string, string[]>();
    const sub = client.subscribe(subjects.heartbeatPattern(), (m) => {
      const hb = m.body as NodeHeartbeat;
      beats.set(hb.node, hb.types);
    });
    try {
      // Added as `hms plugin add` does: written by the CLI, not by a node.
      const plugin = writeTempPlugin({ 'index.ts': pluginSource({ id: 'late' }) }, manifestOf('late'));
      const store = await PluginStore.open(client, swarm, createSilentLogger());
      await store.put(readManifest(plugin), await packPluginDir(plugin), {});
      rmSync(plugin, { recursive: true, force: true });
      await waitFor(() => ['p1', 'p2', 'p3'].every((n) => beats.get(n)?.includes('late-cell')), {
        timeoutMs: 20_000,
        what: 'late-cell on every node',
      });
    } finally {
      sub.unsubscribe();
    }
  }, 60_000);
});
