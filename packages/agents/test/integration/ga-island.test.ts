import {
  createControlClient,
  createSilentLogger,
  createSubjects,
  EVOLUTION_LOG,
  EventLog,
  type IslandStatus,
  SnapshotStore,
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
import { builtinCells } from '../../src/index.js';

describe('ga-island', () => {
  const swarm = uniqueSwarm('ga');
  const subjects = createSubjects(swarm);
  let nodes: TestNode[];
  let client: Transport;

  beforeAll(async () => {
    nodes = await startTestNodes(inject('natsUrl'), swarm, ['g1', 'g2', 'g3'], builtinCells);
    client = await connectTestTransport(inject('natsUrl'), 'client');
    const control = createControlClient(client, swarm);
    await waitFor(async () => (await control.systemStatus()).leader !== null, { what: 'a leader', timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    await client.close();
  });

  const islandsDone = async (run: string) => {
    const status = await createControlClient(client, swarm).evolveStatus();
    return status.run === run && status.islands.every((i) => i.state === 'done');
  };

  it('evolves islands spread over the nodes, migrating over NATS, and keeps every generation in the evolution log', async () => {
    const control = createControlClient(client, swarm);
    const migrantSubjects = new Set<string>();
    const sub = client.subscribe(subjects.gaMigrantsPattern(), (m) => {
      migrantSubjects.add(m.subject);
    });
    await client.flush();
    const started = await control.evolveStart({
      islands: 4,
      island: { objective: 'sphere', dim: 10, population: 40, generations: 200, seed: 7 },
    });
    expect(started.islands.map((i) => i.id)).toEqual([0, 1, 2, 3].map((i) => `ga-${started.run}-${i}`));
    expect(new Set(started.islands.map((i) => i.node)).size).toBe(3);
    await waitFor(() => islandsDone(started.run), { what: 'every island done', timeoutMs: 20_000, everyMs: 100 });
    sub.unsubscribe();

    const status = await control.evolveStatus();
    for (const island of status.islands) {
      expect(island.generation).toBe(200);
      expect(island.best as number).toBeLessThan(1e-2);
      expect(island.migrantsIn).toBeGreaterThan(0);
      expect(island.migrantsOut).toBeGreaterThan(0);
      expect(island.history.length).toBeGreaterThan(0);
    }
    // Ring: island i sends to i+1, on the subject named for the receiver.
    expect([...migrantSubjects].sort()).toEqual(started.islands.map((i) => subjects.gaMigrants(i.id)).sort());

    const log = await EventLog.open(client, swarm, EVOLUTION_LOG, createSilentLogger());
    const events = await log.recent(1000);
    const done = events.filter((e) => e.type === 'ga.done');
    expect(done.map((e) => e.body.island).sort()).toEqual([0, 1, 2, 3]);
    for (let island = 0; island < 4; island++) {
      const generations = events
        .filter((e) => e.type === 'ga.progress' && e.body.island === island)
        .flatMap((e) => e.body.generation as number[]);
      expect(generations).toEqual(Array.from({ length: 200 }, (_, g) => g + 1));
    }
    expect(events.some((e) => e.type === 'evolve.started' && e.body.run === started.run)).toBe(true);
  });

  it('revives finished islands from their checkpoints when given more generations', async () => {
    const control = createControlClient(client, swarm);
    const before = await control.evolveStatus();
    expect(before.islands.every((i) => i.state === 'done')).toBe(true);
    await control.evolveConfigure({ generations: 260 });
    await waitFor(() => islandsDone(before.run as string), { what: 'every island done again', timeoutMs: 20_000 });
    const after = await control.evolveStatus();
    expect(after.islands.map((i) => i.generation)).toEqual([260, 260, 260, 260]);
    after.islands.forEach((island, k) => {
      expect(island.best as number).toBeLessThanOrEqual(before.islands[k]?.best as number);
    });
  });

  it('stops a run through the leader; the islands keep their results', async () => {
    const control = createControlClient(client, swarm);
    const { run } = await control.evolveStart({
      islands: 2,
      island: { objective: 'rastrigin', dim: 30, population: 100, generations: 10_000_000 },
    });
    await waitFor(async () => (await control.evolveStatus()).islands.every((i) => i.history.length >= 2), {
      what: 'two progress reports from both islands',
    });
    const stopped = await control.evolveStop();
    expect(stopped).toEqual({ run, stopped: 2 });
    const first = await control.evolveStatus();
    expect(first.islands.map((i) => i.state)).toEqual(['stopped', 'stopped']);
    // Stopped means stopped: a running island adds generations between two status requests.
    await control.evolveStatus();
    const later = await control.evolveStatus();
    expect(later.islands.map((i) => i.generation)).toEqual(first.islands.map((i) => i.generation));
    expect(later.islands.every((i) => (i.best as number) <= (i.history[0] as number))).toBe(true);
    expect(later.islands.every((i) => i.best === i.history.at(-1))).toBe(true);
  });

  it('refuses bad run settings naming the field, writing nothing', async () => {
    const control = createControlClient(client, swarm);
    const before = (await control.evolveStatus()).run;
    await expect(control.evolveStart({ islands: 2, island: { objective: 'bogus' } })).rejects.toThrow(/objective/);
    await expect(control.evolveStart({ islands: 0, island: {} })).rejects.toThrow(/islands/);
    await expect(control.evolveConfigure({ migrationInterval: 0 })).rejects.toThrow(/migrationInterval/);
    expect((await control.evolveStatus()).run).toBe(before);
  });

  it('resumes an island lost with its node on another node, from its last checkpoint', async () => {
    const control = createControlClient(client, swarm);
    const { run, islands } = await control.evolveStart({
      islands: 3,
      island: { objective: 'rastrigin', dim: 30, population: 100, generations: 10_000_000, migrationWaitMs: 200 },
    });
    const victim = islands.find((i) => i.node !== 'g1') as { id: string; node: string };
    // Right after the cut a status request can go unanswered once (it is asked again): what
    // must hold is the island's resumption.
    const quick = createControlClient(client, swarm, { timeoutMs: 3000 });
    const statusOf = async (id: string) => {
      for (;;) {
        const status = await quick.evolveStatus().catch(() => null);
        if (status) return status.islands.find((i) => i.id === id) as IslandStatus;
      }
    };
    await waitFor(async () => (await statusOf(victim.id)).generation > 200, {
      what: 'a checkpoint past 200',
      everyMs: 100,
    });
    const before = await statusOf(victim.id);
    // Cut the node off without a goodbye: the leader re-places its cells after placement.downAfterMs.
    const lost = nodes.find((n) => n.node.nodeId === victim.node) as TestNode;
    await lost.transport.close();
    // Its last checkpoint is what its snapshot holds now: nothing more can be saved without its
    // connection (a status read before the cut may be a few hundred generations behind it).
    const saved = await (await SnapshotStore.open(client, swarm)).load(victim.id);
    const savedGeneration = (saved?.snapshot as { context?: { generation?: number } })?.context?.generation;
    await waitFor(
      async () => {
        const s = await statusOf(victim.id);
        return s.node !== victim.node && s.state === 'evolving';
      },
      { what: `${victim.id} running elsewhere`, timeoutMs: 20_000, everyMs: 100 },
    );
    const after = await statusOf(victim.id);
    expect(after.run).toBe(run);
    // From the last checkpoint saved before the cut, not started anew.
    expect(after.resumedFrom).toBeGreaterThan(0);
    expect(after.resumedFrom).toBeLessThanOrEqual(savedGeneration as number);
    await waitFor(async () => (await statusOf(victim.id)).generation > before.generation, {
      what: 'evolving on',
      everyMs: 100,
    });
    await control.evolveStop();
  });
});
