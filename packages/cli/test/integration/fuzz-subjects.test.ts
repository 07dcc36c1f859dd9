import { builtinPlugins } from '@hms/agents';
import {
  builtinPlugin,
  createControlClient,
  createLogger,
  createSubjects,
  definePlugin,
  OverloadedError,
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
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fuzzFamilies } from '../fixtures/fuzz-families.js';
import { type FamilyCount, FuzzPublisher } from '../fixtures/fuzz-publisher.js';
import { HeartbeatMalformed, runFuzzFamily } from '../fixtures/fuzz-run.js';

/**
 * Cases per family: 80,000 here, with fuzz-node-process.test.ts's 25,000 over 100,000 per run.
 * `HMS_FUZZ_SCALE=10` runs ten times as many.
 */
const SCALE = Number(process.env.HMS_FUZZ_SCALE ?? 1);
const CASES: Record<string, number> = {
  cell: 12_000,
  ctl: 8_000,
  lead: 6_000,
  node: 6_000,
  raft: 12_000,
  hb: 10_000,
  ga: 8_000,
  evt: 10_000,
  $SRV: 4_000,
  svc: 4_000,
};
/** Messages published before each barrier. */
const BATCH = 500;
/** fast-check's seed: `HMS_FUZZ_SEED` replays a failing run. */
const SEED = Number(process.env.HMS_FUZZ_SEED ?? Date.now() % 2 ** 31);

/** A plugin with a service and an event handler, so `svc` subjects and the plugin bus are fuzzed too. */
const fuzzPlugin = definePlugin({
  id: 'fuzz-target',
  name: 'a service and an event handler to fuzz',
  eventHandlers: [{ eventType: 'tick', handler: () => undefined }],
  async initialize(ctx) {
    if (ctx.host !== 'node') return;
    await ctx.registerService({
      name: 'fuzz-echo',
      version: '1.0.0',
      endpoints: [{ name: 'echo', handler: (body: unknown) => ({ echoed: typeof body }) }],
    });
  },
});

describe('fuzzing every subject a node subscribes to', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('fz');
  const subjects = createSubjects(swarm);
  const ids = ['n1', 'n2', 'n3'];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let nodes: TestNode[];
  let client: Transport;
  let fuzzer: Transport;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    nodes = await startTestNodes(url, swarm, ids, [], {
      // HMS_FUZZ_LOG=<file>: the nodes' warnings and errors, to see what a case broke.
      ...(process.env.HMS_FUZZ_LOG
        ? { logger: createLogger({ level: 'warn', destination: pino.destination(process.env.HMS_FUZZ_LOG) }) }
        : {}),
      plugins: { builtins: [...builtinPlugins, fuzzPlugin].map(builtinPlugin) },
    });
    client = await connectTestTransport(url, 'fuzz-client');
    fuzzer = await connectTestTransport(url, 'fuzz');
    await waitFor(() => nodes.every((n) => n.node.election().leader !== null), { timeoutMs: 20_000, what: 'a leader' });
    const control = createControlClient(client, swarm);
    // Pinned: a cell moved by a rebalance (the flood overloads nodes) misses what is sent while
    // it moves, and every undecodable message must reach a node that counts it.
    for (const [type, id, node, config] of [
      ['counter', 'c1', 'n1', {}],
      ['health-monitor', 'hm1', 'n2', {}],
      ['metrics-collector', 'mc1', 'n3', {}],
      ['recovery-manager', 'rm1', 'n1', {}],
      ['adaptive-config', 'ac1', 'n2', {}],
      ['ga-island', 'gi1', 'n3', { run: 'fzrun', population: 8, dim: 2, generations: 1_000_000 }],
    ] as const) {
      await control.createAgent({ type, id, node, config });
    }
  }, 60_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await fuzzer?.close();
    await client?.close();
    await stopTestNodes(nodes ?? []);
  });

  it('drops or refuses 80,000 malformed messages across all families, counts them, and keeps answering', async () => {
    const reported = new HeartbeatMalformed(client, subjects, ids, process.pid);
    /** Counted by the nodes' main connections: exact once a barrier passed. */
    const malformedNow = () => nodes.reduce((sum, n) => sum + n.transport.stats.malformed, 0);
    const leaderBefore = nodes[0]?.node.election();
    const publisher = new FuzzPublisher(fuzzer.nc);
    const counts: FamilyCount[] = [];
    const started = Date.now();
    const families = fuzzFamilies({
      subjects,
      nodes: ids,
      cells: ['c1', 'hm1', 'mc1', 'rm1', 'ac1', 'gi1'],
      islands: ['gi1'],
      services: [['fuzz-echo', 'echo']],
    });
    // Control commands last: a command that passes its checks may legitimately replace the GA
    // run (evolve.start destroys gi1) or reset the configuration.
    const order = ['cell', 'node', 'raft', 'hb', 'ga', 'evt', '$SRV', 'svc', 'ctl', 'lead'];
    families.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    for (const family of families) {
      // The election thread has its own connection, which the barrier does not cover: its count
      // is read from the heartbeats, once they report everything counted so far.
      const viaHeartbeats = family.name === 'raft';
      if (viaHeartbeats) await waitFor(() => reported.total() >= malformedNow(), { what: 'heartbeats to catch up' });
      counts.push(
        await runFuzzFamily(family, {
          publisher,
          subjects,
          nodes: ids,
          cases: Math.round((CASES[family.name] ?? 1000) * SCALE),
          batch: BATCH,
          seed: SEED,
          malformed: viaHeartbeats ? () => reported.total() : malformedNow,
          exact: !viaHeartbeats,
          check: () => {
            if (unhandled.length > 0) throw new Error(`unhandled: ${String(unhandled[0])}`);
            if (reported.refused.length > 0) throw new Error(`own heartbeat refused: ${reported.refused[0]}`);
          },
        }),
      );
    }
    const total = counts.reduce((sum, c) => sum + c.cases, 0);
    console.log(`fuzz total (in-process nodes): ${total} cases in ${Date.now() - started} ms, seed ${SEED}`);
    expect(total).toBeGreaterThanOrEqual(80_000 * Math.min(1, SCALE));
    expect(unhandled).toEqual([]);

    // The swarm still answers: a new cell is created and called, agents listed, the leader kept.
    const control = createControlClient(client, swarm);
    // The flood may leave the nodes overloaded for a moment: a create is refused (retryable) until then.
    await waitFor(
      () =>
        control.createAgent({ type: 'counter', id: 'after-fuzz' }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof OverloadedError) return false;
            throw err;
          },
        ),
      { timeoutMs: 30_000, everyMs: 250, what: 'a node to take a new cell' },
    );
    expect(await client.request(subjects.cellInbox('after-fuzz'), 'increment', { by: 2 })).toMatchObject({ count: 2 });
    const agents = await control.listAgents();
    expect(agents.map((a) => a.id)).toEqual(expect.arrayContaining(['after-fuzz', 'c1', 'hm1', 'mc1', 'rm1', 'ac1']));
    expect(agents.filter((a) => a.status !== 'running')).toEqual([]);
    const status = await control.systemStatus();
    expect(status.leader).toBe(leaderBefore?.leader);
    expect(status.term).toBe(leaderBefore?.term);
    // The heartbeats report what the nodes counted.
    const counted = malformedNow();
    await waitFor(() => reported.total() >= counted, { what: 'heartbeats to report every malformed message' });
    reported.close();
  }, 300_000);
});
