import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { ValidationError } from '../../src/errors.js';
import type { NodeHeartbeat } from '../../src/node/node-heartbeat.js';
import type { NodeHost } from '../../src/node/node-host.js';
import { bucketNames } from '../../src/persistence/bucket-names.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

describe('live configuration', () => {
  const swarm = uniqueSwarm('cfg');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let nodes: NodeHost[] = [];
  let client: Transport;
  const beats: NodeHeartbeat[] = [];

  beforeAll(async () => {
    client = await connectTest('client');
    client.tap(subjects.heartbeatPattern(), (v) => beats.push(v.body as NodeHeartbeat));
    await client.flush();
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['c1', 'c2'], [], { heartbeatMs: 300 });
    nodes = testNodes.map((n) => n.node);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('changes the heartbeat interval of every running node, without restarting anything', async () => {
    const control = createControlClient(client, swarm);
    const pids = new Set(beats.map((b) => `${b.node}:${b.startedAt}`));
    const { version } = await control.configure({ 'health.heartbeatMs': 60 });
    expect(version).toBeGreaterThan(0);
    await waitFor(
      () =>
        nodes.every((n) =>
          beats.some((b) => b.node === n.nodeId && b.configVersion === version && b.intervalMs === 60),
        ),
      {
        what: 'both nodes on the new interval',
      },
    );
    // The beats now really come every ~60 ms: count those of c1 over the next half second.
    const from = beats.length;
    await waitFor(() => beats.slice(from).filter((b) => b.node === 'c1').length >= 5, {
      what: 'fast heartbeats',
      timeoutMs: 2000,
    });
    expect(new Set(beats.slice(from).map((b) => `${b.node}:${b.startedAt}`))).toEqual(pids);
  });

  it('refuses an invalid value naming the field, and the value never reaches a node', async () => {
    const control = createControlClient(client, swarm);
    const before = (await control.systemStatus()).configVersion;
    await expect(control.configure({ 'health.heartbeatMs': -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(control.configure({ 'health.heartbeatMs': -1 })).rejects.toThrow(/health\.heartbeatMs/);
    await expect(control.configure({})).rejects.toThrow(/set/);
    const status = await control.systemStatus();
    expect(status.configVersion).toBe(before);
    expect(status.config['health.heartbeatMs']).toBe(60);
    expect(beats.every((b) => b.intervalMs > 0)).toBe(true);
  });

  it('reports the configuration and every node in system status, and resets to defaults', async () => {
    const control = createControlClient(client, swarm);
    const status = await control.systemStatus();
    expect(status.nodes.map((n) => n.node)).toEqual(['c1', 'c2']);
    const reset = await control.resetConfig();
    expect(reset.config['health.heartbeatMs']).toBe(1000);
    await waitFor(() => beats.some((b) => b.configVersion === reset.version && b.intervalMs === 1000), {
      what: 'reset applied',
    });
  });

  it('follows the configuration bucket itself: a version written around the control plane reaches every node, one that does not validate is skipped', async () => {
    const control = createControlClient(client, swarm);
    const kv = await new Kvm(client.nc).open(bucketNames(swarm).config);
    const { config } = await control.systemStatus();
    // No config.changed event goes out for these writes: only a node following the bucket sees them.
    const bad = await kv.put('current', JSON.stringify({ ...config, 'health.heartbeatMs': 'soon' }));
    const good = await kv.put('current', JSON.stringify({ ...config, 'health.heartbeatMs': 250 }));
    await waitFor(
      () =>
        nodes.every((n) => beats.some((b) => b.node === n.nodeId && b.configVersion === good && b.intervalMs === 250)),
      { what: 'both nodes on the version written to the bucket' },
    );
    expect(beats.some((b) => b.configVersion === bad)).toBe(false);
  });
});
