// Point 11 of issue 11: a client in another language (Python: nats-py + msgpack, no HMS code)
// speaks the wire protocol of docs/protocol.md with a real swarm: it calls a cell, answers as a
// cell other cells call, and publishes events a cell counts.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { counterCell } from '@hms/agents';
import { createControlClient, createSubjects, defineCell, type Transport } from '@hms/runtime';
import {
  connectTestTransport,
  startTestNodes,
  stopTestNodes,
  type TestNode,
  uniqueSwarm,
  waitFor,
} from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { preparePythonEnv } from '../conformance/python-env.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const conformanceDir = fileURLToPath(new URL('../conformance/', import.meta.url));

/** A cell whose machine calls the Python service `py-svc` and keeps its answer (or error name). */
const pyCallerCell = defineCell({
  type: 'py-caller',
  description: 'asks py-svc to add two numbers',
  queries: ['get'],
  machine: (cell) =>
    setup({
      types: {
        context: {} as { sum: number | null; error: string | null },
        events: {} as { type: 'compute'; op: string; a: number; b: number } | { type: 'get' },
      },
      actors: {
        ask: fromPromise(
          ({ input }: { input: { op: string; a: number; b: number } }) =>
            cell.request('py-svc', input.op, { a: input.a, b: input.b }) as Promise<{ sum: number }>,
        ),
      },
    }).createMachine({
      context: { sum: null, error: null },
      initial: 'idle',
      states: {
        idle: { on: { compute: 'calling' } },
        calling: {
          invoke: {
            src: 'ask',
            input: ({ event }) => event as { op: string; a: number; b: number },
            onDone: { target: 'idle', actions: assign({ sum: ({ event }) => event.output.sum, error: null }) },
            onError: { target: 'idle', actions: assign({ error: ({ event }) => (event.error as Error).name }) },
          },
        },
      },
    }),
  reply: (snapshot) => ({ sum: snapshot.context.sum, error: snapshot.context.error }),
});

describe('the wire protocol spoken by a Python client', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('py');
  const subjects = createSubjects(swarm);
  let python = '';
  let nodes: TestNode[] = [];
  let client: Transport;
  const children = new Set<ChildProcess>();
  const common = () => ['--server', url, '--swarm', swarm];

  /** Runs client.py to its end; returns the JSON lines it printed. */
  const runClient = (args: string[]) =>
    new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      execFile(python, ['client.py', ...args], { cwd: conformanceDir, timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`client.py ${args[0]} failed: ${stderr || err.message}`));
        else
          resolve(
            stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Record<string, unknown>),
          );
      });
    });

  const ask = (cell: string, type: string, body?: unknown) => client.request(subjects.cellInbox(cell), type, body);

  beforeAll(async () => {
    python = await preparePythonEnv(root);
    nodes = await startTestNodes(url, swarm, ['n1'], [counterCell, pyCallerCell]);
    client = await connectTestTransport(url, 'conformance-test');
    const control = createControlClient(client, swarm);
    await control.createAgent({ type: 'counter', id: 'c1' });
    await control.createAgent({ type: 'py-caller', id: 'caller' });
  }, 300_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await client?.close();
    await stopTestNodes(nodes);
  });

  it('calls a cell with HMS headers, decodes the msgpack reply, and gets typed errors in the wire shape', async () => {
    const [out] = await runClient(['call', ...common(), '--cell', 'c1']);
    expect(out?.increment).toEqual({
      headers: { 'hms-type': 'reply', 'hms-from': 'n1', 'hms-v': '1', 'Content-Type': 'application/msgpack' },
      body: { count: 2, ticks: 0 },
    });
    expect(out?.get).toEqual({ count: 2, ticks: 0 });
    expect(out?.unhandled).toEqual({
      headers: { 'hms-type': 'error', 'hms-from': 'n1', 'hms-v': '1', 'Content-Type': 'application/msgpack' },
      body: {
        name: 'UnhandledEventError',
        code: 'UNHANDLED_EVENT',
        message: 'cell c1 (counter) cannot take fly in state "counting"',
        data: { cell: 'c1', type: 'fly', state: 'counting' },
      },
    });
    expect(out?.deadLetter).toEqual({
      subject: `hms.${swarm}.evt.dead-letter.c1`,
      headers: { 'hms-type': 'dead-letter', 'hms-from': 'c1', 'hms-v': '1', 'Content-Type': 'application/msgpack' },
      body: { type: 'fly', state: 'counting', from: 'py-client' },
    });
    expect(out?.unknownType).toMatchObject({
      name: 'NotFoundError',
      code: 'NOT_FOUND',
      message: expect.stringContaining('unknown cell type "no-such-type"'),
      data: { field: 'type' },
    });
    expect(out?.noResponders).toBe(true);
  });

  it('answers as a cell that an HMS cell calls, with replies and errors HMS rebuilds', async () => {
    const server = spawn(python, ['client.py', 'serve', ...common(), '--cell', 'py-svc', '--count', '2'], {
      cwd: conformanceDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(server);
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    server.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let partial = '';
    server.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    await waitFor(() => lines.some((l) => l.ready) || server.exitCode !== null, { timeoutMs: 15_000, what: 'py-svc' });
    expect(server.exitCode, stderr).toBeNull();

    await ask('caller', 'compute', { op: 'add', a: 2, b: 3 });
    await waitFor(async () => ((await ask('caller', 'get')) as { sum: number | null }).sum === 5, {
      what: 'the sum from py-svc',
    });
    await ask('caller', 'compute', { op: 'multiply', a: 2, b: 3 });
    await waitFor(async () => ((await ask('caller', 'get')) as { error: string | null }).error === 'ValidationError', {
      what: 'the error from py-svc',
    });

    expect(await exited, stderr).toBe(0);
    const served = lines.filter((l) => l.served).map((l) => l.served);
    expect(served).toEqual([
      {
        type: 'add',
        headers: { 'hms-type': 'add', 'hms-from': 'caller', 'hms-v': '1', 'Content-Type': 'application/msgpack' },
        body: { a: 2, b: 3 },
      },
      {
        type: 'multiply',
        headers: { 'hms-type': 'multiply', 'hms-from': 'caller', 'hms-v': '1', 'Content-Type': 'application/msgpack' },
        body: { a: 2, b: 3 },
      },
    ]);
  });

  it('publishes tick events that a counter cell counts', async () => {
    const [out] = await runClient(['publish', ...common(), '--cell', 'py', '--count', '3']);
    expect(out).toEqual({ published: 3 });
    await waitFor(async () => ((await ask('c1', 'get')) as { ticks: number }).ticks === 3, {
      what: 'c1 to count 3 ticks',
    });
    expect(await ask('c1', 'get')).toEqual({ count: 2, ticks: 3 });
  });
});
