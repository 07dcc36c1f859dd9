import {
  type CellContext,
  type ControlClient,
  createControlClient,
  createSubjects,
  defineCell,
  type NodeHeartbeat,
  type Transport,
} from '@hms/runtime';
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

/** Cells per node in this swarm (`hms node start --capacity`): the room `fill` packs up to. */
const CAPACITY = 4;

const idle = defineCell({ type: 'idle', description: 'does nothing', machine: () => createMachine({}) });
/** Cells whose CellContext the test drives: their calls go through the real guard and call trace. */
const contexts = new Map<string, CellContext>();
const caller = defineCell({
  type: 'caller',
  description: 'calls other cells when the test says so',
  machine: (cell) => {
    contexts.set(cell.id, cell);
    return createMachine({});
  },
});

describe('placement.policy (spread, fill, affinity) on a swarm of three nodes', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('place');
  const subjects = createSubjects(swarm);
  const env = { NATS_URL: url, HMS_SWARM: swarm };
  let nodes: TestNode[] = [];
  let client: Transport;
  let control: ControlClient;
  /** Callee ids seen in heartbeats' call batches, with how many heartbeats from that node followed. */
  const traced = new Map<string, { node: string; beatsSince: number }>();

  const createVia = async (args: string[]) => {
    const r = await runHms(['agent', 'create', ...args, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { node: string }).node;
  };
  const configure = async (policy: number) => {
    const { version } = await control.configure({ 'placement.policy': policy });
    await waitFor(async () => (await control.listNodes()).every((n) => n.configVersion >= version), {
      what: `placement.policy=${policy} applied on every node`,
    });
  };
  const destroyAll = async () => {
    for (const a of await control.listAgents()) await control.destroyAgent(a.id);
    await waitFor(async () => (await control.listAgents()).length === 0, { what: 'no cells left' });
  };
  /**
   * `id` called `times` by caller cell `from` (pinned to `node`, next to a filler so that spread
   * would pick another node), then waits until the heartbeat carrying those calls went out and
   * one more from the same node after it: the leader, which reads every heartbeat, has seen it.
   */
  const callBeforeItExists = async (from: string, node: string, id: string, times: number) => {
    await control.createAgent({ type: 'caller', id: from, node });
    await control.createAgent({ type: 'idle', id: `${from}-filler`, node });
    await waitFor(() => contexts.has(from), { what: `${from} running` });
    for (let i = 0; i < times; i++)
      await (contexts.get(from) as CellContext).request(id, 'ping').catch(() => undefined);
    await waitFor(() => (traced.get(id)?.beatsSince ?? 0) >= 1, { what: `calls to ${id} in a heartbeat` });
    expect(traced.get(id)?.node).toBe(node);
  };

  beforeAll(async () => {
    nodes = await startTestNodes(url, swarm, ['pa', 'pb', 'pc'], [idle, caller], { capacity: CAPACITY });
    client = await connectTestTransport(url, 'client');
    control = createControlClient(client, swarm);
    client.subscribe(subjects.heartbeatPattern(), (msg) => {
      const hb = msg.body as NodeHeartbeat;
      for (const t of traced.values()) if (t.node === hb.node) t.beatsSince++;
      for (const to of hb.calls?.to ?? []) if (!traced.has(to)) traced.set(to, { node: hb.node, beatsSince: 0 });
    });
    await client.flush();
    await waitFor(
      () =>
        nodes.some((n) => n.node.election().role === 'leader') &&
        nodes.every((n) => n.node.peers.alive().filter((p) => p.heartbeat.capacity === CAPACITY).length === 3),
      { what: 'a leader, and every node seeing three nodes of capacity 4' },
    );
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  it('spreads by default: a new cell goes to the emptiest node, even with its caller elsewhere', async () => {
    await callBeforeItExists('caller-s', 'pb', 'target-s', 3);
    const placed = await createVia(['idle', '--id', 'target-s']);
    expect(placed).not.toBe('pb');
    for (let i = 0; i < 4; i++) await control.createAgent({ type: 'idle', id: `s-${i}` });
    const perNode = new Map<string, number>();
    for (const a of await control.listAgents()) perNode.set(a.node, (perNode.get(a.node) ?? 0) + 1);
    // 2 pinned on pb, then target-s and four more, each onto the emptiest node (ties by name).
    expect(Object.fromEntries(perNode)).toEqual({ pa: 3, pb: 2, pc: 2 });
    await destroyAll();
  });

  it('takes placement.policy from hms system configure, by name or number, refusing another with exit code 2', async () => {
    for (const value of ['3', 'packed']) {
      const bad = await runHms(['system', 'configure', `placement.policy=${value}`], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain(
        `placement.policy must be one of spread (0), fill (1), affinity (2), not "${value}"`,
      );
    }
    const ok = await runHms(['system', 'configure', 'placement.policy=fill', '--json'], env);
    expect(ok.code).toBe(0);
    const { version } = JSON.parse(ok.stdout) as { version: number };
    await waitFor(async () => (await control.listNodes()).every((n) => n.configVersion >= version), {
      what: 'policy applied on every node',
    });
    expect((await runHms(['system', 'status'], env)).stdout).toMatch(/placement\.policy\s+1/);
    expect((await runHms(['system', 'config'], env)).stdout).toMatch(/placement\.policy\s+1 \(fill\)/);
  });

  it('fills one node up to its capacity before the next under fill, also when draining, and leaves pinned cells where they are pinned', async () => {
    await configure(1);
    const placed: string[] = [];
    placed.push(await createVia(['idle', '--id', 'f-0']));
    for (let i = 1; i < CAPACITY + 1; i++)
      placed.push((await control.createAgent({ type: 'idle', id: `f-${i}` })).node);
    expect(placed).toEqual(['pa', 'pa', 'pa', 'pa', 'pb']);
    expect((await control.createAgent({ type: 'idle', id: 'f-pinned', node: 'pc' })).node).toBe('pc');
    // pb (1 of 4) and pc (1 of 4) are as full: the tie goes by name.
    expect((await control.createAgent({ type: 'idle', id: 'f-last' })).node).toBe('pb');
    // A drain places under the policy too: with room for one on pa, pb's two cells go to pa (the
    // fullest with room), then pc; spread would send both to pc.
    await control.destroyAgent('f-3');
    await control.drainNode('pb');
    const perNode = async () => {
      const counts: Record<string, number> = {};
      for (const a of await control.listAgents()) counts[a.node] = (counts[a.node] ?? 0) + 1;
      return counts;
    };
    await waitFor(async () => (await perNode()).pb === undefined, { what: 'pb drained', timeoutMs: 20_000 });
    expect(await perNode()).toEqual({ pa: 4, pc: 2 });
    await control.undrainNode('pb');
    await destroyAll();
  });

  it('places a cell created after traffic from a caller on the caller’s node under affinity', async () => {
    await configure(2);
    await callBeforeItExists('caller-a', 'pc', 'target-a', 3);
    expect(await createVia(['idle', '--id', 'target-a'])).toBe('pc');
    // A cell nobody called has no trace: spread, onto an empty node.
    expect(['pa', 'pb']).toContain((await control.createAgent({ type: 'idle', id: 'untraced' })).node);
  });
});
