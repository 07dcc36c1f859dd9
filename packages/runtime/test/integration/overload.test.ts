import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineCell } from '../../src/cell/define-cell.js';
import { createControlClient } from '../../src/control/control-client.js';
import { OverloadedError } from '../../src/errors.js';
import { LIFECYCLE_EVENT } from '../../src/node/lifecycle-events.js';
import type { NodeHeartbeat } from '../../src/node/node-heartbeat.js';
import { startTestNodes, stopTestNodes, type TestNode } from '../../src/testing.js';
import { createSubjects } from '../../src/transport/subjects.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm, waitFor } from '../fixtures/test-transport.js';

/** Counts the swarm's `beat` broadcasts and what it is given: every beat is a change to persist. */
const counter = defineCell({
  type: 'beat-counter',
  queries: ['get'],
  description: 'counts beats and additions',
  topics: () => [{ event: 'beat' }],
  machine: () =>
    setup({ types: { context: {} as { beats: number; added: number } } }).createMachine({
      context: { beats: 0, added: 0 },
      on: {
        beat: { actions: assign({ beats: ({ context }) => context.beats + 1 }) },
        add: { actions: assign({ added: ({ context }) => context.added + 1 }) },
      },
    }),
  reply: (s) => s.context,
});

const CELLS = 300;

describe('overload', () => {
  const swarm = uniqueSwarm('ov');
  const subjects = createSubjects(swarm);
  let testNodes: TestNode[] = [];
  let client: Transport;

  beforeAll(async () => {
    client = await connectTest('client');
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['o1', 'o2', 'o3'], [counter]);
  });
  afterAll(async () => {
    await stopTestNodes(testNodes);
    await client.close();
  });

  it('reports overload when writes cannot keep up, refuses creates as retryable, keeps one leader, loses no acknowledged change, and recovers by itself', async () => {
    const control = createControlClient(client, swarm);
    await waitFor(() => testNodes.some((n) => n.node.election().role === 'leader'), { what: 'a leader' });
    const ids = Array.from({ length: CELLS }, (_, i) => `bc-${i}`);
    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let i = lane; i < CELLS; i += 8) await control.createAgent({ type: 'beat-counter', id: ids[i] as string });
      }),
    );

    const terms = new Set<number>();
    const overloads: NodeHeartbeat['overload'][] = [];
    const events: string[] = [];
    const overloadedNodes: string[] = [];
    const subs = [
      client.subscribe(subjects.heartbeatPattern(), (m) => {
        const hb = m.body as NodeHeartbeat;
        if (hb.election?.role === 'leader') terms.add(hb.election.term);
        if (hb.overload) overloads.push(hb.overload);
      }),
      client.subscribe(subjects.eventPattern(LIFECYCLE_EVENT.overloaded), (m) => {
        events.push(m.type);
        overloadedNodes.push((m.body as { node: string }).node);
      }),
      client.subscribe(subjects.eventPattern(LIFECYCLE_EVENT.recovered), (m) => {
        events.push(m.type);
      }),
    ];
    await client.flush();
    // A store this node can write to only two snapshots at a time, and a short queue counts as full.
    await control.configure({ 'persistence.writeConcurrency': 2, 'overload.storeQueued': 20 });
    await waitFor(() => testNodes.every((n) => n.node.peers.list().every((p) => p.heartbeat.configVersion >= 1)), {
      what: 'every node on the new settings',
    });

    // Beats to every cell, each a change to save, until some node says it is overloaded; an
    // acknowledged addition to every tenth cell along the way.
    let beats = 0;
    const acked = new Map<string, number>();
    const deadline = Date.now() + 20_000;
    while (!events.includes(LIFECYCLE_EVENT.overloaded) && Date.now() < deadline) {
      // Ten beats (3,000 changes to save) for every round of 30 acknowledged additions.
      for (let b = 0; b < 10; b++) client.publish(subjects.event('beat', 'metronome'), 'beat', {});
      beats += 10;
      for (let i = (beats / 10) % 10; i < CELLS; i += 10) {
        const id = ids[i] as string;
        await client.request(subjects.cellInbox(id), 'add', {}, { timeout: 10_000 });
        acked.set(id, (acked.get(id) ?? 0) + 1);
      }
    }
    expect(events).toContain(LIFECYCLE_EVENT.overloaded);
    await waitFor(() => overloads.length > 0, { what: 'a heartbeat with the overload' });
    // Writes that cannot keep up show as a long queue, or (on a machine loaded by other work,
    // where JetStream answers slowly too) as write latency first: either is this overload.
    expect(overloads[0]?.reasons.some((r) => r === 'store-queue' || r === 'store-latency')).toBe(true);

    // While overloaded (the beats go on), a create placed on that node is refused at once with
    // the retryable error naming it.
    const busy = overloadedNodes[0] as string;
    let refused: unknown;
    while (refused === undefined && Date.now() < deadline + 20_000) {
      client.publish(subjects.event('beat', 'metronome'), 'beat', {});
      beats++;
      refused = await control.createAgent({ type: 'beat-counter', id: 'while-overloaded', node: busy }).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(refused).toBeInstanceOf(OverloadedError);
    expect((refused as OverloadedError).retryable).toBe(true);
    expect((refused as Error).message).toMatch(new RegExp(`^overloaded: no node can take a new cell now: ${busy} \\(`));

    // The load stops: every node comes back by itself, and creates work again.
    await control.configure({ 'persistence.writeConcurrency': 32, 'overload.storeQueued': 2000 });
    await waitFor(() => testNodes.every((n) => n.node.peers.list().every((p) => !p.heartbeat.overload)), {
      what: 'every node out of overload',
      timeoutMs: 20_000,
    });
    expect(events).toContain(LIFECYCLE_EVENT.recovered);
    await control.createAgent({ type: 'beat-counter', id: 'after-overload' });
    for (const s of subs) s.unsubscribe();
    expect(terms.size).toBe(1);

    // Nothing acknowledged was lost: after every node stopped (saving what it had) and new
    // nodes restored the cells, each has every beat and every acknowledged addition.
    await stopTestNodes(testNodes);
    testNodes = await startTestNodes(inject('natsUrl'), swarm, ['o1', 'o2', 'o3'], [counter]);
    for (const id of ids) {
      let got: unknown;
      await waitFor(
        async () => {
          got = await client.request(subjects.cellInbox(id), 'get', {}).catch(() => undefined);
          return got !== undefined;
        },
        { what: `${id} back` },
      );
      expect(got).toEqual({ beats, added: acked.get(id) ?? 0 });
    }
  }, 120_000);
});
