import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginError } from '../../src/plugins/plugin-error.js';
import { loadPlugin } from '../../src/plugins/plugin-loader.js';
import { manifestOf, pluginSource, writeTempPlugin } from './temp-plugin.js';

describe('plugin loader', () => {
  it('loads a TypeScript plugin outside the repository that imports @hms/runtime and xstate', async () => {
    const dir = writeTempPlugin({ 'index.ts': pluginSource({ id: 'ts-one' }) }, manifestOf('ts-one'));
    const loaded = await loadPlugin(dir);
    expect(loaded.manifest.id).toBe('ts-one');
    expect(loaded.parts).toHaveLength(1);
    const [type] = loaded.parts[0]?.getAgentTypes() ?? [];
    expect(type?.type).toBe('ts-one-cell');
    expect(type?.machine).toBeTypeOf('function');
  });

  it("gives an ESM plugin the host's own copies of xstate and commander", async () => {
    const dir = writeTempPlugin(
      {
        'index.mjs': `
import { setup } from 'xstate';
import { Command } from 'commander';
import { HMS_VERSION } from '@hms/runtime';
export default {
  id: 'esm-one', name: 'esm', version: '1.0.0', hms: HMS_VERSION, setup, Command,
  initialize() {}, shutdown() {}, getCommands: () => [new Command('hello')], getAgentTypes: () => [], getEventHandlers: () => [],
};`,
      },
      manifestOf('esm-one', { modules: [{ path: 'index.mjs' }] }),
    );
    const loaded = await loadPlugin(dir);
    const part = loaded.parts[0] as unknown as { setup: unknown; Command: unknown; hms: string };
    const hostRequire = createRequire(import.meta.url);
    const hostXstate = await import(hostRequire.resolve('xstate').replace(/\.cjs\.js$/, '.cjs.mjs'));
    expect(part.hms).toBe('0.1.0');
    expect(part.setup).toBe(hostXstate.setup);
    expect(part.Command).toBe((await import('commander')).Command);
  });

  it.each([
    [
      'an incompatible hms range',
      {},
      manifestOf('old', { hms: '^9.0.0' }),
      'plugin old@1.0.0 needs HMS ^9.0.0; this is HMS 0.1.0',
    ],
    ['a missing module', {}, manifestOf('gone'), 'plugin gone: module index.ts not found'],
    [
      'a module that does not parse',
      { 'index.ts': 'export default {' },
      manifestOf('broken'),
      'plugin broken: module index.ts failed to load',
    ],
    [
      'a default export that is not a plugin',
      { 'index.ts': 'export default 42;' },
      manifestOf('num'),
      'plugin num: index.ts: the default export must be an HMSPlugin object',
    ],
    [
      'a plugin without getAgentTypes',
      {
        'index.ts':
          "export default { id: 'half', initialize() {}, shutdown() {}, getCommands: () => [], getEventHandlers: () => [] };",
      },
      manifestOf('half'),
      'has no getAgentTypes()',
    ],
    [
      'an id other than plugin.json says',
      { 'index.ts': pluginSource({ id: 'other' }) },
      manifestOf('mine'),
      'plugin mine: index.ts: exports plugin id "other", but plugin.json says "mine"',
    ],
    ['no plugin.json', {}, null, 'plugin.json: not found'],
  ])('refuses %s with one line', async (_what, files, manifest, message) => {
    const dir = writeTempPlugin(files, manifest ?? {});
    if (manifest === null) (await import('node:fs')).rmSync(`${dir}/plugin.json`);
    const err = await loadPlugin(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('loads a plugin installed as an npm package, resolved from the project', async () => {
    const project = writeTempPlugin({}, {});
    const pkg = join(project, 'node_modules', 'hms-plugin-demo');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'hms-plugin-demo', version: '1.0.0', exports: './index.ts' }),
    );
    writeFileSync(join(pkg, 'plugin.json'), JSON.stringify(manifestOf('npm-one')));
    writeFileSync(join(pkg, 'index.ts'), pluginSource({ id: 'npm-one' }));
    const loaded = await loadPlugin('hms-plugin-demo', { cwd: project });
    expect(loaded.dir).toBe(pkg);
    expect(loaded.parts[0]?.getAgentTypes().map((t) => t.type)).toEqual(['npm-one-cell']);
  });

  it('refuses a source that is neither a directory nor an installed package', async () => {
    await expect(loadPlugin('no-such-hms-plugin-package')).rejects.toThrow(
      /plugin no-such-hms-plugin-package: no such directory, nor an npm package installed here/,
    );
  });
});
