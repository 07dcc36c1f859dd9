import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counterCell } from '@hms/agents';
import { startNatsServer } from '@hms/runtime';
import { startTestNodes, stopTestNodes, type TestNode, uniqueSwarm } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isQuickCommandLine } from '../../src/quick-commands.js';
import { repoRoot } from '../fixtures/fresh-project.js';
import type { HmsResult } from '../fixtures/run-hms.js';
import { runHmsBin } from '../fixtures/run-hms-bin.js';

const cli = `${repoRoot}packages/cli`;

/** Which way the bin at `bin` would start `hms <args>`: 'quick' (the snapshot) or 'plain' (dist/bin.js). */
async function pathTaken(args: string[], env: Record<string, string> = {}, bin?: string): Promise<string> {
  const r = await runHmsBin(args, { ...env, HMS_CLI_PATH: 'which' }, bin);
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('hms quick commands (bin/hms.js and the start-up snapshot)', () => {
  const url = inject('natsUrl');
  const swarm = uniqueSwarm('quick');
  const home = mkdtempSync(join(tmpdir(), 'hms-quick-'));
  const env = { NATS_URL: url, HMS_SWARM: swarm, HMS_HOME: home, NO_COLOR: '1' };
  let nodes: TestNode[] = [];

  beforeAll(async () => {
    nodes = await startTestNodes(url, swarm, ['qa'], [counterCell]);
    const created = await runHmsBin(['agent', 'create', 'counter', '--id', 'c1'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
  });
  afterAll(async () => {
    await stopTestNodes(nodes);
    rmSync(home, { recursive: true, force: true });
  });

  it('takes the snapshot exactly for the command lines src/quick-commands.ts names', async () => {
    const lines = [
      ['agent', 'list'],
      ['--nats', url, 'agent', 'list'],
      [`--nats=${url}`, '--json', 'agent', 'list'],
      ['--swarm', 'agent', 'node', 'list'],
      ['agent', '--codec', 'json', 'list'],
      ['node', 'list'],
      ['node'],
      ['node', 'drain', 'qa'],
      ['heal', 'history'],
      ['system', 'status'],
      ['node', 'start', '--name', 'n1'],
      ['--nats', url, 'node', 'start'],
      ['up'],
      ['dashboard', '--once'],
      ['plugin', 'list'],
      ['service', 'list'],
      ['monitor', 'health'],
      ['help', 'agent'],
      ['--version'],
      ['--help'],
      [],
      ['my-plugin', 'agent'],
    ];
    for (const args of lines) {
      expect([args.join(' '), await pathTaken(args, env)]).toEqual([
        args.join(' '),
        isQuickCommandLine(args) ? 'quick' : 'plain',
      ]);
    }
    expect(isQuickCommandLine(['agent', 'list'])).toBe(true);
    expect(isQuickCommandLine(['node', 'start'])).toBe(false);
  });

  it('prints the same output and exits with the same code from the snapshot as from dist/bin.js', async () => {
    const lines = [
      ['agent', 'list'],
      ['agent', 'list', '--json'],
      ['--json', 'agent', 'status', 'c1'],
      ['agent', 'call', 'c1', '{"type":"GET"}'],
      ['agent', 'inspect', 'nope'],
      ['agent', 'types'],
      ['agent', 'create'],
      ['agent', 'list', '--bogus'],
      ['agent', 'lsit'],
      ['agent', '--help'],
      ['node', 'drain', 'no-such-node'],
      ['system', 'config'],
      ['system', 'configure', '--set', 'nonsense'],
      ['heal', 'history', '--json'],
      ['node'],
      ['--nats', 'nats://127.0.0.1:1', 'agent', 'list'],
      ['--swarm', 'Bad Swarm', 'agent', 'list'],
    ];
    const outputs: HmsResult[] = [];
    for (const args of lines) {
      expect(await pathTaken(args, env)).toBe('quick');
      const quick = await runHmsBin(args, env);
      const plain = await runHmsBin(args, { ...env, HMS_CLI_PATH: 'plain' });
      expect({ args, ...quick }).toEqual({ args, ...plain });
      outputs.push(quick);
    }
    // The lines above answer, fail to reach NATS or are refused: each prints something.
    expect(outputs.filter((r) => r.stdout === '' && r.stderr === '')).toEqual([]);
    expect(outputs.find((r) => r.stdout.includes('c1'))).toBeDefined();
  });

  it('prints the same from the snapshot as from dist/bin.js over TLS with credentials (hms security init)', async () => {
    // The snapshot holds no TLS module (it cannot): the NATS client loads it on first use.
    const dir = join(home, 'secure');
    const init = await runHmsBin(['security', 'init', '--swarm', 'sq', '--out', dir, '--listen', '127.0.0.1:4222']);
    expect(init.code).toBe(0);
    const server = await startNatsServer({ config: join(dir, 'nats-server.conf'), storeDir: join(dir, 'js') });
    try {
      const as = (role: string, ...args: string[]) => [
        '--nats',
        `tls://127.0.0.1:${server.port}`,
        '--swarm',
        'sq',
        '--tls-ca',
        join(dir, 'ca.pem'),
        '--creds',
        join(dir, `${role}.creds`),
        ...args,
      ];
      // No node answers on this server; the observer may not destroy a cell.
      for (const args of [as('operator', 'node', 'list'), as('observer', 'agent', 'destroy', 'c1')]) {
        expect(await pathTaken(args, env)).toBe('quick');
        const quick = await runHmsBin(args, env);
        expect(quick.stderr).toMatch(/^hms: (nobody answers|permission denied)/);
        expect({ args, ...quick }).toEqual({ args, ...(await runHmsBin(args, { ...env, HMS_CLI_PATH: 'plain' })) });
      }
    } finally {
      await server.stop();
    }
  });

  describe('falls back to dist/bin.js', () => {
    // A copy of the package's bin beside a dist/ of links to the real one, so that its dist/quick
    // can be left out or altered: Node follows the links to the built modules.
    const root = mkdtempSync(join(tmpdir(), 'hms-quick-pkg-'));
    const pkg = join(root, 'cli');
    const bin = join(pkg, 'bin', 'hms.js');
    const quick = join(pkg, 'dist', 'quick');
    const realStamp = readFileSync(join(cli, 'dist', 'quick', 'node'), 'utf8');
    const nodeOnPath = realStamp.split('\n')[1] as string;

    beforeAll(() => {
      mkdirSync(join(pkg, 'bin'), { recursive: true });
      copyFileSync(join(cli, 'bin', 'hms.js'), bin);
      for (const entry of readdirSync(join(cli, 'dist'))) {
        if (entry !== 'quick') {
          mkdirSync(join(pkg, 'dist'), { recursive: true });
          symlinkSync(join(cli, 'dist', entry), join(pkg, 'dist', entry));
        }
      }
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    /** Lays dist/quick out with the real blob and `stamp` (none when undefined). */
    const layQuick = (stamp: string | undefined) => {
      rmSync(quick, { recursive: true, force: true });
      if (stamp === undefined) return;
      mkdirSync(quick);
      symlinkSync(join(cli, 'dist', 'quick', 'hms.blob'), join(quick, 'hms.blob'));
      writeFileSync(join(quick, 'node'), stamp);
    };
    const sameAsPlain = async (extraEnv: Record<string, string> = {}) => {
      for (const args of [
        ['agent', 'list'],
        ['agent', 'create'],
        ['--json', 'agent', 'status', 'c1'],
      ]) {
        const r = await runHmsBin(args, { ...env, ...extraEnv }, bin);
        expect({ args, ...r }).toEqual({ args, ...(await runHmsBin(args, { ...env, HMS_CLI_PATH: 'plain' })) });
      }
    };

    it('takes the snapshot from the copy when its stamp names this Node (so the cases below are meaningful)', async () => {
      layQuick(realStamp);
      expect(await pathTaken(['agent', 'list'], env, bin)).toBe('quick');
      await sameAsPlain();
    });

    it('when the build made no snapshot', async () => {
      layQuick(undefined);
      expect(await pathTaken(['agent', 'list'], env, bin)).toBe('plain');
      await sameAsPlain();
    });

    it('when the snapshot was built by a different Node binary at the same path (size and time differ)', async () => {
      layQuick(realStamp.replace(/^\d+ \d+/, '1234 567'));
      expect(await pathTaken(['agent', 'list'], env, bin)).toBe('plain');
      await sameAsPlain();
    });

    it('when node on PATH is another path than the one that built the snapshot', async () => {
      layQuick(realStamp);
      const otherBin = join(root, 'other-node-bin');
      mkdirSync(otherBin, { recursive: true });
      symlinkSync(nodeOnPath, join(otherBin, 'node'));
      const path = { PATH: `${otherBin}:${process.env.PATH}` };
      expect(await pathTaken(['agent', 'list'], { ...env, ...path }, bin)).toBe('plain');
      await sameAsPlain(path);
    });

    it('when NODE_OPTIONS is set (a Node started from a snapshot skips some of its options)', async () => {
      layQuick(realStamp);
      expect(await pathTaken(['agent', 'list'], { ...env, NODE_OPTIONS: '--no-warnings' }, bin)).toBe('plain');
      await sameAsPlain({ NODE_OPTIONS: '--no-warnings' });
    });
  });
});
