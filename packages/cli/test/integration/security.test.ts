import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as connectSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bucketNames,
  connectTransport,
  createSilentLogger,
  createSubjects,
  kvStreamName,
  type LocalNatsServer,
  PermissionDeniedError,
  serviceEndpointSubject,
  startNatsServer,
  streamApiSubjects,
  type Transport,
} from '@hms/runtime';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNatsCli, runNats as runNatsCli } from '../fixtures/nats-cli.js';
import { hmsBin, runHms } from '../fixtures/run-hms.js';

/** Runs the NATS CLI (.hms/bin's or the one on PATH) against `url`. */
const runNats = (url: string, args: string[]) => runNatsCli(findNatsCli() ?? 'nats', url, args);

/** A plugin that does nothing, in a temp dir, for `hms plugin add`. */
function quietPlugin(root: string): string {
  const dir = mkdtempSync(join(root, 'plugin-'));
  writeFileSync(
    join(dir, 'plugin.json'),
    JSON.stringify({ id: 'quiet', name: 'quiet', version: '1.0.0', hms: '^0.1.0', modules: [{ path: 'index.js' }] }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    `export default { id: 'quiet', name: 'quiet', version: '1.0.0', initialize() {}, shutdown() {},
      getCommands: () => [], getAgentTypes: () => [], getEventHandlers: () => [] };`,
  );
  return dir;
}

/** What a plaintext client gets from the server: its INFO line, then the connection closes. */
function plaintextAttempt(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectSocket(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => {
      received += d.toString();
      if (received.includes('\r\n')) socket.write('CONNECT {"verbose":false}\r\nPING\r\n');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
}

describe('authenticated swarms (hms security init)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hms-security-'));
  const A = `sa${process.pid}`;
  const B = `sb${process.pid}`;
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  const dirOther = join(root, 'other');
  const conf = join(dirA, 'nats-server.conf');
  let server: LocalNatsServer;
  let url = '';
  const processes: ChildProcess[] = [];
  const transports: Transport[] = [];

  /** `hms` as `role` of swarm `swarm` (its files in `dir`). */
  const as =
    (role: string, swarm = A, dir = dirA) =>
    (...args: string[]) =>
      runHms([
        '--nats',
        url,
        '--swarm',
        swarm,
        '--tls-ca',
        join(dir, 'ca.pem'),
        '--creds',
        join(dir, `${role}.creds`),
        ...args,
      ]);
  const observer = as('observer');
  const operator = as('operator');

  const startNode = (swarm: string, dir: string, name: string) => {
    const child = spawn(
      process.execPath,
      [
        hmsBin,
        '--nats',
        url,
        '--swarm',
        swarm,
        '--tls-ca',
        join(dir, 'ca.pem'),
        '--creds',
        join(dir, 'node.creds'),
        'node',
        'start',
        '--name',
        name,
        '--heartbeat-ms',
        '300',
        '--data-dir',
        join(root, 'nodes', name),
      ],
      { stdio: 'ignore' },
    );
    processes.push(child);
  };

  const connectAs = async (role: string, dir = dirA): Promise<Transport> => {
    const t = await connectTransport({
      servers: url,
      from: `test-${role}`,
      creds: join(dir, `${role}.creds`),
      tls: { caFile: join(dir, 'ca.pem') },
      reconnect: false,
      logger: createSilentLogger(),
    });
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    const initA = await runHms(['security', 'init', '--swarm', A, '--out', dirA, '--listen', '127.0.0.1:4222']);
    expect(initA.stderr).toBe('');
    expect(initA.code).toBe(0);
    const initB = await runHms(['security', 'init', '--swarm', B, '--out', dirB, '--add-to', conf]);
    expect(initB.stderr).toBe('');
    expect(initB.code).toBe(0);
    server = await startNatsServer({ config: conf, storeDir: join(root, 'jetstream') });
    url = `tls://127.0.0.1:${server.port}`;
    startNode(A, dirA, 'na1');
    startNode(A, dirA, 'na2');
    startNode(B, dirB, 'nb1');
    await waitFor(
      async () => {
        const r = await observer('node', 'list', '--json');
        return r.code === 0 && (JSON.parse(r.stdout) as unknown[]).length === 2;
      },
      { timeoutMs: 30_000, everyMs: 200, what: 'both nodes of swarm A listed' },
    );
    const created = await operator('agent', 'create', 'counter', '--id', 'c1');
    expect(created.stderr).toBe('');
  }, 90_000);

  afterAll(async () => {
    for (const t of transports) await t.close().catch(() => undefined);
    for (const p of processes) p.kill('SIGKILL');
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a TLS-only configuration, JetStream synced on every write, an account per swarm and creds per role', () => {
    const text = readFileSync(conf, 'utf8');
    expect(text).toMatch(/^tls \{$/m);
    expect(text).toMatch(/^ {2}sync_interval: always$/m);
    expect(text).toContain('# hms-account SYS');
    expect(text).toContain(`# hms-account ${A}`);
    expect(text).toContain(`# hms-account ${B}`);
    for (const dir of [dirA, dirB]) {
      for (const role of ['node', 'operator', 'observer']) {
        expect(statSync(join(dir, `${role}.creds`)).mode & 0o777).toBe(0o600);
      }
    }
  });

  it('lets the observer watch: nats sub and hms sub see the swarm, agent list and monitor health answer', async () => {
    const heartbeats = createSubjects(A).heartbeatPattern();
    const tlsCa = join(dirA, 'ca.pem');
    const [natsSub, hmsSub, list, health] = await Promise.all([
      runNats(url, ['--tlsca', tlsCa, '--creds', join(dirA, 'observer.creds'), 'sub', heartbeats, '--count', '1']),
      observer('sub', heartbeats, '--count', '1'),
      observer('agent', 'list', '--json'),
      observer('monitor', 'health'),
    ]);
    expect(natsSub.code).toBe(0);
    expect(natsSub.stdout + natsSub.stderr).toContain(`hms.${A}.hb.`);
    expect(hmsSub.code).toBe(0);
    expect(hmsSub.stdout).toContain(`hms.${A}.hb.`);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((a) => a.id)).toContain('c1');
    expect(health.code).toBe(0);
  });

  it('refuses the observer every change and every cell call, each in one line naming the role and the action', async () => {
    const s = createSubjects(A);
    const cases: Array<[string[], string, string]> = [
      [['agent', 'create', 'counter'], s.control('agent.create'), 'agent create'],
      [['agent', 'destroy', 'c1'], s.control('agent.destroy'), 'agent destroy'],
      [['system', 'configure', '--set', 'health.heartbeatMs=500'], s.control('system.configure'), 'system configure'],
      [['heal', 'trigger', 'c1'], s.control('heal.trigger'), 'heal trigger'],
      [['evolve', 'stop'], s.control('evolve.stop'), 'evolve stop'],
      [['agent', 'call', 'c1', 'increment'], s.cellInbox('c1'), 'agent call'],
      [['agent', 'call', 'c1', 'get'], s.cellInbox('c1'), 'agent call'],
      [['agent', 'send', 'c1', 'increment'], s.cellInbox('c1'), 'agent send'],
    ];
    const results = await Promise.all(cases.map(([args]) => observer(...args)));
    results.forEach((r, i) => {
      const [, subject, action] = cases[i] as [string[], string, string];
      expect(r.stderr).toBe(`hms: permission denied: the observer role may not publish to ${subject} (${action})\n`);
      expect(r.code).toBe(1);
    });
    const otherSwarm = createSubjects(B).all();
    const sub = await observer('sub', otherSwarm);
    expect(sub.stderr).toBe(`hms: permission denied: the observer role may not subscribe to ${otherSwarm} (sub)\n`);
    expect(sub.code).toBe(1);
    const plugin = await observer('plugin', 'add', quietPlugin(root));
    expect(plugin.stderr).toMatch(
      /^hms: permission denied: the observer role may not publish to \S+ \(plugin add\)\n$/,
    );
    expect(plugin.code).toBe(1);
    // Nothing changed: the counter was never incremented.
    const count = await operator('agent', 'call', 'c1', 'get', '--json');
    expect(JSON.parse(count.stdout)).toMatchObject({ count: 0 });
  });

  it('lets the operator create, call, configure, add a plugin and destroy, but not speak as a node', async () => {
    expect((await operator('agent', 'create', 'counter', '--id', 'c2')).code).toBe(0);
    const called = await operator('agent', 'call', 'c2', 'increment', '--json');
    expect(JSON.parse(called.stdout)).toMatchObject({ count: 1 });
    expect((await operator('system', 'configure', '--set', 'health.heartbeatMs=300')).code).toBe(0);
    const added = await operator('plugin', 'add', quietPlugin(root));
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    // The nodes, on node credentials, fetch it from the object store and load it.
    await waitFor(
      async () => {
        const r = await observer('plugin', 'list', '--json');
        const list = JSON.parse(r.stdout) as { nodes: Array<{ plugins: Array<{ id: string; status: string }> }> };
        const loaded = list.nodes.filter((n) => n.plugins.some((p) => p.id === 'quiet' && p.status === 'loaded'));
        return loaded.length === 2;
      },
      { timeoutMs: 20_000, everyMs: 250, what: 'both nodes loading the plugin' },
    );
    expect((await operator('agent', 'destroy', 'c2')).code).toBe(0);

    const t = await connectAs('operator');
    const s = createSubjects(A);
    for (const subject of [s.raft('vote', 'na1'), s.heartbeat('na1'), s.leaderCommand('na1', 'agent.create')]) {
      const refused = await t.assertMayPublish(subject).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(PermissionDeniedError);
      expect((refused as Error).message).toBe(`permission denied: the operator role may not publish to ${subject}`);
    }
  });

  it('runs a swarm on node credentials, and a node cannot touch or see another swarm', async () => {
    const status = await operator('system', 'status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ leader: expect.any(String) });
    expect((await as('operator', B, dirB)('node', 'list', '--json')).stdout).toContain('nb1');

    const nodeA = await connectAs('node', dirA);
    const nodeB = await connectAs('node', dirB);
    const other = createSubjects(B).cellInbox('c1');
    await expect(nodeA.assertMayPublish(other)).rejects.toThrow(
      `permission denied: the node role may not publish to ${other}`,
    );
    const otherBucket = streamApiSubjects(kvStreamName(bucketNames(B).cells)).read[0] as string;
    await expect(nodeA.request(otherBucket, 'info')).rejects.toBeInstanceOf(PermissionDeniedError);

    // Both swarms may use hms.svc.>: one account never sees the other's messages on it.
    const seen: string[] = [];
    const probe = serviceEndpointSubject('probe', 'ping');
    const sub = nodeA.subscribe(probe, (msg) => {
      seen.push(msg.from);
    });
    await nodeA.flush();
    nodeB.publish(probe, 'probe', {}, { from: 'from-b' });
    await nodeB.flush();
    nodeA.publish(probe, 'probe', {}, { from: 'from-a' });
    await waitFor(() => seen.includes('from-a'), { timeoutMs: 5000, what: "swarm A's own probe" });
    expect(seen).toEqual(['from-a']);
    sub.unsubscribe();
  });

  it('refuses to start a node on observer credentials, saying why', async () => {
    const r = await observer('node', 'start', '--name', 'nx', '--data-dir', join(root, 'nodes', 'nx'));
    expect(r.stderr.split('\n').filter((l) => l.startsWith('hms:'))).toEqual([
      `hms: permission denied: the observer role may not publish to hms.${A}.node.nx.start-probe (node start): a node needs the node role's credentials (node.creds)`,
    ]);
    expect(r.code).toBe(1);
  });

  it('refuses wrong credentials, an untrusted CA and plaintext, each in one line with exit code 3', async () => {
    expect((await runHms(['security', 'init', '--swarm', A, '--out', dirOther])).code).toBe(0);
    const otherCreds = join(dirOther, 'observer.creds');
    const caA = join(dirA, 'ca.pem');
    const [wrongCreds, noCreds, wrongCa, plaintext] = await Promise.all([
      runHms(['--nats', url, '--swarm', A, '--tls-ca', caA, '--creds', otherCreds, 'agent', 'list']),
      runHms(['--nats', url, '--swarm', A, '--tls-ca', caA, 'agent', 'list']),
      runHms([
        '--nats',
        url,
        '--swarm',
        A,
        '--tls-ca',
        join(dirOther, 'ca.pem'),
        '--creds',
        join(dirA, 'observer.creds'),
        'agent',
        'list',
      ]),
      runHms([
        '--nats',
        `nats://127.0.0.1:${server.port}`,
        '--swarm',
        A,
        '--creds',
        join(dirA, 'observer.creds'),
        'agent',
        'list',
      ]),
    ]);
    expect(wrongCreds.stderr).toBe(
      `hms: NATS at ${url} refused the credentials in ${otherCreds}: Authorization Violation\n`,
    );
    expect(noCreds.stderr).toBe(
      `hms: NATS at ${url} refused a connection without credentials: Authorization Violation\n`,
    );
    expect(wrongCa.stderr).toMatch(
      /^hms: cannot verify the TLS certificate of NATS at \S+ \(.+\): pass the CA that signed it with --tls-ca\n$/,
    );
    expect(plaintext.stderr).toMatch(
      /^hms: cannot verify the TLS certificate of NATS at nats:\/\/\S+ \(.+\): pass the CA that signed it with --tls-ca\n$/,
    );
    for (const r of [wrongCreds, noCreds, wrongCa, plaintext]) expect(r.code).toBe(3);

    // A client that never starts TLS gets the server's INFO (TLS required) and a closed connection.
    const received = await plaintextAttempt(server.port);
    expect(received).toContain('"tls_required":true');
    expect(received).not.toContain('PONG');
  });
});
