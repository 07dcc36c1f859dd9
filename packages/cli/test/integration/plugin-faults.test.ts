import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@hms/runtime/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runHms } from '../fixtures/run-hms.js';

/** A TypeScript plugin whose cell crashes on `crash` and whose command throws. */
function fragilePlugin(id = 'fragile'): string {
  const dir = mkdtempSync(join(tmpdir(), 'hms-fragile-'));
  writeFileSync(
    join(dir, 'plugin.json'),
    JSON.stringify({ id, name: 'fragile', version: '1.0.0', hms: '^0.1.0', modules: [{ path: 'index.ts' }] }),
  );
  writeFileSync(
    join(dir, 'index.ts'),
    `import { defineCell, definePlugin } from '@hms/runtime';
import { Command } from 'commander';
import { setup } from 'xstate';

const cell = defineCell({
  type: '${id}-cell',
  description: 'crashes when told to',
  machine: () =>
    setup({ actions: { boom: () => { throw new Error('cell bug'); } } }).createMachine({
      on: { crash: { actions: 'boom' } },
    }),
});

export default definePlugin({
  id: '${id}',
  name: 'fragile',
  version: '1.0.0',
  agentTypes: [cell],
  commands: () => [new Command('boom').action(() => { throw new Error('kaboom'); })],
});
`,
  );
  return dir;
}

interface NodePlugins {
  nodes: Array<{ node: string; plugins: Array<{ id: string; status: string; faults?: { cellCrashes: number } }> }>;
}

describe('plugin faults in a swarm of node processes', () => {
  const home = mkdtempSync(join(tmpdir(), 'hms-home-'));
  const swarm = `pf${process.pid}`;
  const env = { HMS_HOME: home, NATS_URL: inject('natsUrl'), HMS_SWARM: swarm };
  const hms = (...args: string[]) => runHms(args, env);

  beforeAll(async () => {
    expect((await hms('up', '--nodes', '1', '--detach')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await runHms(['down'], env);
    rmSync(home, { recursive: true, force: true });
  });

  it('counts the crashes of a plugin cell type per node and restarts the cell', async () => {
    expect((await hms('plugin', 'add', fragilePlugin())).code).toBe(0);
    expect((await hms('agent', 'create', 'fragile-cell', '--id', 'f1')).code).toBe(0);
    const crashed = await hms('agent', 'call', 'f1', 'crash');
    expect(crashed.code).toBe(1);
    await waitFor(
      async () => {
        const list = JSON.parse((await hms('plugin', 'list', '--json')).stdout) as NodePlugins;
        return list.nodes[0]?.plugins.find((p) => p.id === 'fragile')?.faults?.cellCrashes === 1;
      },
      { timeoutMs: 15_000, what: 'the crash counted against fragile' },
    );
    await waitFor(async () => (await hms('agent', 'status', 'f1', '--json')).stdout.includes('"running"'), {
      what: 'f1 restarted',
    });
  }, 60_000);

  it("reports a plugin command's throw in one line naming the plugin, exit 1", async () => {
    const r = await hms('fragile', 'boom');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('hms: plugin fragile: kaboom');
  });

  it('refuses another plugin with an id the swarm has, naming both, unless --replace', async () => {
    const other = fragilePlugin();
    writeFileSync(join(other, 'extra.txt'), 'a different pack');
    const r = await hms('plugin', 'add', other);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^hms: plugin fragile@1\.0\.0 \(.+\): the swarm has plugin fragile@1\.0\.0 \(fragile\) already: remove it first, or add --replace$/,
    );
    expect((await hms('plugin', 'add', other, '--replace')).code).toBe(0);
  }, 30_000);

  it('disables a plugin (its type goes, the record stays) and enables it again', async () => {
    const disabled = await hms('plugin', 'disable', 'fragile');
    expect(disabled.code).toBe(0);
    expect((await hms('agent', 'types')).stdout).not.toContain('fragile-cell');
    expect(JSON.parse((await hms('plugin', 'info', 'fragile', '--json')).stdout)).toMatchObject({ enabled: false });
    expect((await hms('plugin', 'enable', 'fragile')).code).toBe(0);
    expect((await hms('agent', 'types')).stdout).toContain('fragile-cell');
  }, 30_000);

  it('accepts a plugin scaffolded by hms plugin new as it is, and runs its cell and command', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hms-new-')), 'my-cells');
    const created = await hms('plugin', 'new', dir);
    expect(created.code).toBe(0);
    const added = await hms('plugin', 'add', dir);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect((await hms('agent', 'create', 'my-cells', '--id', 'm1')).code).toBe(0);
    const counted = await hms('my-cells', 'count', 'm1');
    expect(counted).toMatchObject({ code: 0, stdout: '{"count":1}\n' });
    expect((await hms('plugin', 'new', dir)).code).toBe(2);
  }, 30_000);

  it('refuses a plugin whose cell type another plugin provides, naming both', async () => {
    const clash = fragilePlugin('fragile2');
    const index = join(clash, 'index.ts');
    writeFileSync(index, readFileSync(index, 'utf8').replace("type: 'fragile2-cell'", "type: 'my-cells'"));
    const r = await hms('plugin', 'add', clash);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('plugin fragile2: cell type "my-cells" is already registered by plugin my-cells');
    expect(r.stderr.trim()).toBe('hms: plugin fragile2 failed on node-1 (see above)');
  }, 30_000);
});
