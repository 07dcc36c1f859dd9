import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient } from '../../src/control/control-client.js';
import { CONTROL_COMMAND } from '../../src/control/control-commands.js';
import { NotFoundError, RequestTimeoutError } from '../../src/errors.js';
import { CONTROL_QUEUE, createSubjects } from '../../src/transport/subjects.js';
import type { Transport, TransportSubscription } from '../../src/transport/transport.js';
import { connectTest, uniqueSwarm } from '../fixtures/test-transport.js';

/**
 * Control commands go to the `hms-ctl` queue group; NATS hands each request to one member, and a
 * paused member holds it unanswered. Two members here, on their own connections: one that never
 * answers (it counts what it is handed, as a paused node would hold it) and one that answers.
 */
describe('control client: read-only commands are sent again when a queue member holds them', () => {
  const swarm = uniqueSwarm('hedge');
  const subjects = createSubjects(swarm);
  let silent: Transport;
  let live: Transport;
  let client: Transport;
  const held: string[] = [];
  const answered: string[] = [];
  const subs: TransportSubscription[] = [];

  beforeAll(async () => {
    [silent, live, client] = await Promise.all([connectTest('silent'), connectTest('live'), connectTest('cli')]);
    subs.push(
      silent.subscribe(
        subjects.controlPattern(),
        () => {
          held.push('held');
          return new Promise<void>(() => {});
        },
        { queue: CONTROL_QUEUE },
      ),
      live.subscribe(
        subjects.controlPattern(),
        (msg) => {
          const command = subjects.parseControl(msg.subject) ?? '';
          answered.push(command);
          if (command === CONTROL_COMMAND.agentStatus) msg.fail(new NotFoundError('unknown cell id x'));
          else msg.respond({ total: 0, offset: 0, agents: [] });
        },
        { queue: CONTROL_QUEUE },
      ),
    );
    await Promise.all([silent.flush(), live.flush()]);
  });
  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    await Promise.all([client?.close(), silent?.close(), live?.close()]);
  });

  it('lists agents every time, within the deadline, though half the requests land on the silent member', async () => {
    const control = createControlClient(client, swarm, { timeoutMs: 5000, hedgeMs: 200 });
    held.length = 0;
    for (let i = 0; i < 12; i++) expect(await control.listAgents()).toEqual([]);
    // With 12 listings and a random member each time, the silent one was handed some (1 in 4096 not).
    expect(held.length).toBeGreaterThan(0);
  });

  it('takes a refusal from a member as the answer, without waiting for the others', async () => {
    const control = createControlClient(client, swarm, { timeoutMs: 5000, hedgeMs: 200 });
    for (let i = 0; i < 6; i++) await expect(control.agentStatus('x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends a command that changes the swarm once: a held destroy times out rather than running twice', async () => {
    const control = createControlClient(client, swarm, { timeoutMs: 600, hedgeMs: 100 });
    let timedOut = 0;
    answered.length = 0;
    held.length = 0;
    for (let i = 0; i < 8; i++) {
      try {
        await control.destroyAgent('x');
      } catch (err) {
        expect(err).toBeInstanceOf(RequestTimeoutError);
        timedOut++;
      }
    }
    // Every destroy reached exactly one member: the live one answered it, or the silent one held it.
    expect(answered.filter((c) => c === CONTROL_COMMAND.agentDestroy).length + held.length).toBe(8);
    expect(held.length).toBe(timedOut);
  });
});
