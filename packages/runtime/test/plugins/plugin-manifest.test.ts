import { describe, expect, it } from 'vitest';
import { validatePluginConfig } from '../../src/plugins/plugin-config.js';
import { PluginError } from '../../src/plugins/plugin-error.js';
import { validateManifest } from '../../src/plugins/plugin-manifest.js';

const good = { id: 'http-probe', name: 'HTTP probe', version: '1.0.0', hms: '^0.1.0', modules: [{ path: 'index.ts' }] };
const file = 'plugins/x/plugin.json';

describe('plugin manifest', () => {
  it.each([
    ['a minimal manifest', good],
    ['a prerelease version and a range with ||', { ...good, version: '2.0.0-rc.1', hms: '>=0.1.0 <1 || ^2' }],
    [
      'several modules and a config schema',
      { ...good, modules: [{ path: 'a.js' }, { path: 'lib/b.mjs' }], config: { type: 'object' } },
    ],
    ['a description', { ...good, description: 'probes URLs' }],
  ])('accepts %s', (_what, manifest) => {
    expect(validateManifest(manifest, file).id).toBe(manifest.id);
  });

  it.each([
    ['not an object', [], 'plugins/x/plugin.json: must be a JSON object, got []'],
    [
      'an id with a dot',
      { ...good, id: 'a.b' },
      'plugins/x/plugin.json: "id": must be 1-128 characters of A-Z a-z 0-9 _ -, got "a.b"',
    ],
    ['no name', { ...good, name: '' }, 'plugins/x/plugin.json: "name": must be a non-empty string, got ""'],
    [
      'a version that is not semver',
      { ...good, version: 'one' },
      'plugins/x/plugin.json: "version": must be semver, got "one"',
    ],
    [
      'no hms range',
      { ...good, hms: undefined },
      'plugins/x/plugin.json: "hms": must be a semver range of HMS versions (e.g. "^0.1.0"), got undefined',
    ],
    ['a bad hms range', { ...good, hms: 'soon' }, '"hms": must be a semver range'],
    ['no modules', { ...good, modules: [] }, '"modules": must be a non-empty array'],
    ['a module without a path', { ...good, modules: [{}] }, '"modules[0].path": must be a file path, got undefined'],
    [
      'a module outside the plugin',
      { ...good, modules: [{ path: '../x.js' }] },
      '"modules[0].path": must stay inside the plugin directory',
    ],
    ['an absolute module path', { ...good, modules: [{ path: '/etc/x.js' }] }, '"modules[0].path": must stay inside'],
    [
      'a config that is not a schema object',
      { ...good, config: 'big' },
      '"config": must be a JSON schema object, got "big"',
    ],
  ])('refuses %s, naming the file and field', (_what, manifest, message) => {
    const run = () => validateManifest(manifest, file);
    expect(run).toThrow(PluginError);
    expect(run).toThrow(message);
  });
});

describe('plugin config', () => {
  const manifest = validateManifest(
    {
      ...good,
      config: {
        type: 'object',
        properties: { url: { type: 'string' }, intervalMs: { type: 'integer', minimum: 10, default: 1000 } },
        required: ['url'],
        additionalProperties: false,
      },
    },
    file,
  );

  it('fills defaults from the schema', () => {
    expect(validatePluginConfig(manifest, { url: 'http://x' })).toEqual({ url: 'http://x', intervalMs: 1000 });
  });

  it.each([
    [{}, 'plugin http-probe: config "url": is required'],
    [{ url: 'x', intervalMs: 1 }, 'plugin http-probe: config "intervalMs": must be >= 10'],
    [{ url: 'x', colour: 'red' }, 'plugin http-probe: config "colour": is not a setting of this plugin'],
    [[1], 'plugin http-probe: config must be a JSON object'],
  ])('refuses %j with one line', (config, message) => {
    expect(() => validatePluginConfig(manifest, config)).toThrow(message);
  });
});
