import { type ChildProcess, spawn } from 'node:child_process';
import {
  type Alert,
  CONSOLE_ALERT,
  CONSOLE_EVENT,
  CONSOLE_HEARTBEAT,
  type ConsoleHeartbeat,
  createControlClient,
  createSubjects,
  defineCell,
  HMS_VERSION,
  type NodeInfo,
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
import { setup } from 'xstate';
import { joinAsConsole } from '../../src/console-presence.js';
import { hmsBin, runHms } from '../fixtures/run-hms.js';

/** A cell that throws on `boom`: with `supervision.maxRestarts` 0 one crash escalates (an alert). */
const fragile = defineCell({
  type: 'fragile',
  description: 'throws on boom',
  queries: ['ping'],
  machine: () =>
    setup({
      actions: {
        boom: () => {
          throw new Error('boom');
        },
      },
    }).createMachine({ on: { boom: { actions: 'boom' } } }),
  reply: () => 'ok',
});

describe('alerts pushed to consoles on hms.<swarm>.console.<id>.alert', () => {
  const swarm = uniqueSwarm('con');
  const subjects = createSubjects(swarm);
  const env = { NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  let nodes: TestNode[] = [];
  let client: Transport;
  let follower: ChildProcess | undefined;
  let followerOut = '';
  /** Every push seen on the wire, by console id. */
  const pushes: Array<{ console: string; alert: Alert }> = [];
  const heartbeats: ConsoleHeartbeat[] = [];
  const lost: Array<{ id: string; lastSeen: number }> = [];

  /** Creates a `fragile` cell and crashes it once: `cell.escalated` for it goes to the alerts stream. */
  const raiseAlert = async (id: string) => {
    // The node shares this process's event loop: on a busy machine it may refuse a create for a moment.
    await createControlClient(client, swarm).createAgent({ type: 'fragile', id }, { overloadWaitMs: 10_000 });
    await waitFor(async () => (await client.request(subjects.cellInbox(id), 'ping').catch(() => undefined)) === 'ok', {
      what: `${id} answering`,
    });
    await client.request(subjects.cellInbox(id), 'boom').catch(() => undefined);
  };
  const pushed = (consoleId: string, cell: string) =>
    pushes.some((p) => p.console === consoleId && p.alert.cell === cell && p.alert.type === 'cell.escalated');

  beforeAll(async () => {
    nodes = await startTestNodes(env.NATS_URL, swarm, ['n1'], [fragile]);
    client = await connectTestTransport(env.NATS_URL, 'test');
    const alertPrefix = `hms.${swarm}.console.`;
    client.subscribe(`${alertPrefix}*.alert`, (m) => {
      if (m.type !== CONSOLE_ALERT) return;
      pushes.push({ console: m.subject.slice(alertPrefix.length, -'.alert'.length), alert: m.body as Alert });
    });
    client.subscribe(subjects.consolePattern(), (m) => {
      if (m.type === CONSOLE_HEARTBEAT) heartbeats.push(m.body as ConsoleHeartbeat);
    });
    client.subscribe(subjects.eventPattern(CONSOLE_EVENT.lost), (m) => {
      lost.push(m.body as (typeof lost)[number]);
    });
    await client.flush();
    const control = createControlClient(client, swarm);
    const { version } = await control.configure({ 'supervision.maxRestarts': 0 });
    await waitFor(
      async () => {
        const status = await control.systemStatus();
        return status.leader === 'n1' && status.nodes[0]?.configVersion === version;
      },
      { what: 'n1 leading, on the configuration with no restarts' },
    );
  });
  afterAll(async () => {
    follower?.kill('SIGKILL');
    await client?.close();
    await stopTestNodes(nodes);
  });

  it('pushes an alert raised in the swarm to a live console session within seconds, and hms monitor alerts --follow prints it', async () => {
    follower = spawn(process.execPath, [hmsBin, 'monitor', 'alerts', '--follow', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    follower.stdout?.on('data', (d: Buffer) => {
      followerOut += d.toString();
    });
    const pid = follower.pid as number;
    await waitFor(() => heartbeats.some((h) => h.pid === pid), { what: 'the console heartbeating' });
    const consoleId = heartbeats.find((h) => h.pid === pid)?.id as string;
    await waitFor(
      async () =>
        ((await createControlClient(client, swarm).systemStatus()).consoles ?? []).some((c) => c.id === consoleId),
      { what: 'the console in the leader’s list' },
    );
    const raisedAt = Date.now();
    await raiseAlert('fragile-1');
    await waitFor(() => pushed(consoleId, 'fragile-1'), { timeoutMs: 5000, what: 'the alert pushed to the console' });
    const pushMs = Date.now() - raisedAt;
    // (Not the first push: on a busy machine the node may also have said it is overloaded.)
    const alert = pushes.find((p) => p.console === consoleId && p.alert.cell === 'fragile-1')?.alert as Alert;
    expect(alert).toMatchObject({ type: 'cell.escalated', cell: 'fragile-1', from: 'n1' });
    expect(alert.seq).toBeGreaterThan(0);
    expect(alert.body).toMatchObject({ severity: 'critical', error: 'boom' });
    await waitFor(() => followerOut.includes('"fragile-1"'), { timeoutMs: 5000, what: 'the alert printed' });
    // Pushed and followed from the stream, printed once (by its stream sequence).
    expect(followerOut.split('\n').filter((l) => l.includes('"fragile-1"'))).toHaveLength(1);
    process.stdout.write(`alert raised → pushed to the console in ${pushMs} ms\n`);
  });

  it('stops pushing to a console that vanished without leaving once it is noticed (console.lost)', async () => {
    const live = heartbeats.find((h) => h.pid === follower?.pid)?.id as string;
    // A console whose connection goes away without leaving; 250 ms heartbeats, noticed in 750.
    const transport = await connectTestTransport(env.NATS_URL, 'gone');
    const received: Alert[] = [];
    const gone = joinAsConsole(transport, swarm, 'test', { intervalMs: 250, onAlert: (a) => received.push(a) });
    expect(gone.id).not.toBe(live);
    await waitFor(
      async () =>
        ((await createControlClient(client, swarm).systemStatus()).consoles ?? []).some((c) => c.id === gone.id),
      { what: 'the second console in the leader’s list' },
    );
    await raiseAlert('fragile-2');
    await waitFor(() => received.some((a) => a.cell === 'fragile-2'), { timeoutMs: 5000, what: 'the push while live' });
    await transport.close();
    // Noticed after its last heartbeat: on a busy machine a late beat may have had it lost (and
    // back) before. The node runs in this process, so its clock is this one.
    const lastBeat = () => Math.max(...heartbeats.filter((h) => h.id === gone.id).map((h) => h.ts));
    await waitFor(() => lost.some((l) => l.id === gone.id && l.lastSeen >= lastBeat()), {
      timeoutMs: 5000,
      what: 'console.lost for the vanished console',
    });
    await raiseAlert('fragile-3');
    await raiseAlert('fragile-4');
    // Pushes leave the leader in order: once the live console has fragile-4, any push of
    // fragile-3 to the vanished console would have arrived before it.
    await waitFor(() => pushed(live, 'fragile-4'), { timeoutMs: 5000, what: 'fragile-4 pushed to the live console' });
    expect(pushed(live, 'fragile-3')).toBe(true);
    expect(pushes.filter((p) => p.console === gone.id).map((p) => p.alert.cell)).toEqual(['fragile-2']);
    await gone.leave().catch(() => undefined);
  });

  it('shows each node’s HMS version in hms node list (--json and the table)', async () => {
    const [json, table] = await Promise.all([runHms(['node', 'list', '--json'], env), runHms(['node', 'list'], env)]);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as NodeInfo[]).map((n) => [n.node, n.version])).toEqual([['n1', HMS_VERSION]]);
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(/\bVERSION\b/);
    const at = header?.indexOf('VERSION') as number;
    expect(row?.slice(at).startsWith(HMS_VERSION)).toBe(true);
  });
});
