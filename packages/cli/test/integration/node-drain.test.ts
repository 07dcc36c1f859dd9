import { createControlClient, defineCell, type Transport } from '@hms/runtime';
import {
  connectTestTransport,
  startTestNodes,
  stopTestNodes,
  type TestNode,
  uniqueSwarm,
  waitFor,
} from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMachine } from 'xstate';
import { runHms } from '../fixtures/run-hms.js';

const idle = defineCell({ type: 'idle', description: 'does nothing', machine: () => createMachine({}) });

describe('hms node drain', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('cdrain');
  const env = { NATS_URL: url, HMS_SWARM: swarm };
  let nodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    nodes = await startTestNodes(url, swarm, ['na', 'nb', 'nc'], [idle]);
    client = await connectTestTransport(url, 'client');
    const control = createControlClient(client, swarm);
    await waitFor(() => nodes.some((n) => n.node.election().leader !== null), { what: 'a leader' });
    for (let i = 0; i < 6; i++)
      await control.createAgent({ type: 'idle', id: `i-${i}`, node: ['na', 'nb', 'nc'][i % 3] });
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  it('empties the node, shows it drained in node list and system status, and undrains it', async () => {
    const drain = await runHms(['node', 'drain', 'nb', '--timeout', '20'], env);
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);
    expect(drain.stdout).toMatch(/^node nb drained: 2 cells handed over in \d+\.\d s/);
    expect(nodes.find((n) => n.node.nodeId === 'nb')?.node.cells()).toEqual([]);
    const list = JSON.parse((await runHms(['node', 'list', '--json'], env)).stdout) as Array<{
      node: string;
      drain?: string;
    }>;
    expect(list.find((n) => n.node === 'nb')?.drain).toBe('drained');
    expect((await runHms(['system', 'status'], env)).stdout).toMatch(/^nb\s+drained\b/m);
    const undrain = await runHms(['node', 'undrain', 'nb'], env);
    expect([undrain.code, undrain.stdout.trim()]).toEqual([0, 'node nb takes cells again']);
  });

  it('refuses an unknown or malformed node name in one line with exit code 2', async () => {
    for (const name of ['nope', 'bad.name']) {
      const r = await runHms(['node', 'drain', name], env);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(name === 'nope' ? /unknown node nope/ : /node name/);
    }
    const timeout = await runHms(['node', 'drain', 'na', '--timeout', '-1'], env);
    expect(timeout.code).toBe(2);
  });
});
