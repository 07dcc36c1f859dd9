// Point 8 of issue 11: the packages as npm would publish them, installed into a clean project
// outside the repository, run a swarm that hosts a cell type the project defines itself.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshProject, type PackedTarball, packAll, repoRoot, runIn } from '../fixtures/fresh-project.js';
import { isAlive } from '../fixtures/run-hms.js';

/** A TCP port that was free a moment ago (for the nats-server `hms up` starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const pluginJson = { id: 'tally', name: 'Tally', version: '1.0.0', hms: '^0.1.0', modules: [{ path: 'index.js' }] };

/** The project's own cell type, in plain ESM, importing @hms/runtime and xstate. */
const pluginIndex = `import { defineCell, definePlugin } from '@hms/runtime';
import { assign, setup } from 'xstate';

const tally = defineCell({
  type: 'tally',
  description: 'adds up the numbers it is sent',
  machine: () =>
    setup({}).createMachine({
      context: { total: 0 },
      on: { add: { actions: assign({ total: ({ context, event }) => context.total + event.n }) } },
    }),
  reply: (snapshot) => ({ total: snapshot.context.total }),
  queries: ['get'],
});

export default definePlugin({ id: 'tally', name: 'Tally', version: '1.0.0', agentTypes: [tally] });
`;

describe('the packed packages', () => {
  const work = mkdtempSync(join(tmpdir(), 'hms-packs-'));
  const home = mkdtempSync(join(tmpdir(), 'hms-home-'));
  const project = createFreshProject();
  let packs: PackedTarball[] = [];
  let port = 0;
  const swarm = `packed${process.pid}`;
  // `hms up` starts its own nats-server on --port only when no NATS_URL is given.
  const hms = (args: string[], withNats = true) =>
    runIn(project.dir, 'npx', ['--no', 'hms', ...args], {
      HMS_HOME: home,
      HMS_SWARM: swarm,
      NATS_URL: withNats ? `nats://127.0.0.1:${port}` : undefined,
    });

  beforeAll(async () => {
    packs = await packAll(join(work, 'packs'), 90_000);
    port = await freePort();
  }, 100_000);

  afterAll(async () => {
    const state = join(home, 'state.json');
    const started = existsSync(state)
      ? (JSON.parse(readFileSync(state, 'utf8')) as { natsPid?: number; nodes: Array<{ pid: number }> })
      : undefined;
    await hms(['down'], false);
    // hms down failing must not leave processes behind.
    for (const pid of [...(started?.nodes.map((n) => n.pid) ?? []), started?.natsPid ?? 0]) {
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    project.remove();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('are the five packages, the platform package holding the prebuilt addon', () => {
    expect(packs.map((p) => p.name).sort()).toEqual([
      '@hms/agents',
      '@hms/cli',
      '@hms/native',
      '@hms/native-linux-x64-gnu',
      '@hms/runtime',
    ]);
    for (const p of packs) expect(p.bytes).toBeGreaterThan(0);
  });

  it('@hms/native without a prebuilt binary or cargo stops its install with one line saying what to do', async () => {
    const native = packs.find((p) => p.name === '@hms/native');
    const dir = join(work, 'native-only');
    mkdirSync(dir);
    expect((await runIn(dir, 'tar', ['xzf', String(native?.file)])).code).toBe(0);
    const r = await runIn(join(dir, 'package'), process.execPath, ['build-from-source.cjs', '--if-missing'], {
      PATH: join(dir, 'no-bin'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      '@hms/native: no prebuilt binary for linux-x64-gnu (@hms/native-linux-x64-gnu is not installed) and cargo ' +
        'is not on PATH: install Rust (https://rustup.rs), then run npx hms-native-build\n',
    );
  });

  it('install into a project outside the repository, which then runs a swarm hosting its own cell type', async () => {
    expect(relative(repoRoot, project.dir).startsWith('..')).toBe(true);
    const installed = await runIn(
      project.dir,
      'npm',
      ['install', ...packs.map((p) => p.file), '--no-audit', '--no-fund', '--prefer-offline'],
      {},
      90_000,
    );
    expect(installed.code, installed.stderr).toBe(0);
    // The addon comes from the platform package: @hms/native itself ships no binary.
    const loaded = await runIn(project.dir, process.execPath, [
      '-e',
      "require('@hms/native'); console.log(require.resolve('@hms/native-linux-x64-gnu'))",
    ]);
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toContain(join('node_modules', '@hms', 'native-linux-x64-gnu'));

    const up = await hms(['up', '--nodes', '1', '--detach', '--port', String(port)], false);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`swarm "${swarm}" is up: 1 nodes on nats://127.0.0.1:${port}`);

    mkdirSync(join(project.dir, 'my-plugin'));
    writeFileSync(join(project.dir, 'my-plugin', 'plugin.json'), JSON.stringify(pluginJson));
    writeFileSync(join(project.dir, 'my-plugin', 'index.js'), pluginIndex);
    const added = await hms(['plugin', 'add', './my-plugin']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/tally\s+1\.0\.0\s+true\s+node-1\s+loaded/);

    // (hms agent create itself waits out a node that refuses new cells for a moment as overloaded.)
    const created = await hms(['agent', 'create', 'tally', '--id', 't1']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('created t1 (tally) on node-1');

    expect((await hms(['agent', 'call', 't1', 'add', '{"n":5}'])).stdout.trim()).toBe('{"total":5}');
    expect((await hms(['agent', 'call', 't1', 'add', '{"n":2}'])).stdout.trim()).toBe('{"total":7}');
    const got = await hms(['agent', 'call', 't1', 'get']);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual({ total: 7 });

    const down = await hms(['down'], false);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/node-1 \(pid \d+\): terminated/);
  }, 150_000);
});
