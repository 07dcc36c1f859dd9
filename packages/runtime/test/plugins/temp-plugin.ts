import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes a plugin directory under the OS temp dir (outside the repository: no node_modules near it). */
export function writeTempPlugin(files: Record<string, string>, manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hms-plugin-'));
  writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A plugin module (TypeScript) with one cell type `<type>` and hooks given as code. */
export function pluginSource(options: {
  id: string;
  version?: string;
  type?: string;
  initialize?: string;
  handlers?: string;
  commands?: string;
}): string {
  const type = options.type ?? `${options.id}-cell`;
  return `
import { defineCell, type HMSPlugin } from '@hms/runtime';
import { assign, setup } from 'xstate';
import { Command } from 'commander';

const cell = defineCell({
  type: '${type}',
  description: 'counts pokes',
  machine: () =>
    setup({ types: { context: {} as { pokes: number } } }).createMachine({
      context: { pokes: 0 },
      on: { poke: { actions: assign({ pokes: ({ context }) => context.pokes + 1 }) } },
    }),
  reply: (s) => ({ pokes: s.context.pokes }),
});

const plugin: HMSPlugin = {
  id: '${options.id}',
  name: 'test plugin ${options.id}',
  version: '${options.version ?? '1.0.0'}',
  async initialize(context) { ${options.initialize ?? ''} },
  shutdown() {},
  getCommands: () => ${options.commands ?? '[]'},
  getAgentTypes: () => [cell],
  getEventHandlers: () => ${options.handlers ?? '[]'},
};
export default plugin;
`;
}

/** A plugin.json for {@link pluginSource}. */
export const manifestOf = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `test plugin ${id}`,
  version: '1.0.0',
  hms: '^0.1.0',
  modules: [{ path: 'index.ts' }],
  ...extra,
});
