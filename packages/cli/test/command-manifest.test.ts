import { readdirSync, readFileSync } from 'node:fs';
import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MANIFEST } from '../src/command-manifest.js';
import { createProgram } from '../src/index.js';
import type { Output } from '../src/output.js';

const quiet: Output = { out: () => {}, err: () => {} };
const commandsDir = new URL('../src/commands/', import.meta.url);

describe('command-manifest', () => {
  it.each(COMMAND_MANIFEST.map((e) => [e.name, e] as const))(
    'lists %s with the name, term and description its module builds',
    async (_name, entry) => {
      const command = (await entry.load())({ output: quiet });
      expect(command.name()).toBe(entry.name);
      expect(command.description()).toBe(entry.description);
      expect(new Help().subcommandTerm(command)).toBe(entry.term);
    },
  );

  it('names each command once', () => {
    const names = COMMAND_MANIFEST.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('covers every command module: each is in the manifest or a part of another command', () => {
    const manifestSource = readFileSync(new URL('../src/command-manifest.ts', import.meta.url), 'utf8');
    const modules = readdirSync(commandsDir).filter((f) => f.endsWith('.ts'));
    const sources = modules.map((f) => readFileSync(new URL(f, commandsDir), 'utf8'));
    const missing = modules.filter((f) => {
      const specifier = `./${f.replace(/\.ts$/, '.js')}`;
      return (
        !manifestSource.includes(`'./commands/${f.replace(/\.ts$/, '.js')}'`) &&
        !sources.some((s) => s.includes(`'${specifier}'`))
      );
    });
    expect(missing).toEqual([]);
  });

  it('gives the same hms --help whether the commands are loaded or only listed', async () => {
    const loaded = await createProgram({ output: quiet }, 'all');
    const listed = await createProgram({ output: quiet }, []);
    expect(listed.helpInformation()).toBe(loaded.helpInformation());
    expect(listed.commands.map((c) => c.name())).toEqual(COMMAND_MANIFEST.map((e) => e.name));
  });
});
