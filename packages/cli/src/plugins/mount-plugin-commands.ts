import type { CommandRegistry, PluginHost, Transport } from '@hms/runtime';
import { createSubjects } from '@hms/runtime/subjects';
import { Command } from 'commander';
import { scanCommandLine } from '../command-line-scan.js';
import { CliError } from '../errors.js';
import { readLocalPlugins } from './local-plugins.js';

/** A command group marked as a plugin's (so `hms plugin add` knows the name is not hms's own). */
export type PluginGroup = Command & { hmsPlugin?: boolean };

/** What {@link mountPluginCommands} leaves for the run. */
export interface MountedPlugins {
  /** The plugin whose command is running, if one is (for the error line). */
  running(): string | undefined;
  /** Shuts down the plugins loaded for this run. */
  close(): Promise<void>;
}

/**
 * Mounts the swarm's plugins' commands (from the CLI's local copies) as `hms <plugin-id> …`.
 * Only the plugin the command line names is loaded (and every plugin for `hms --help`); the
 * others are listed by name, as oclif lists commands from manifests.
 */
export async function mountPluginCommands(
  program: Command,
  argv: string[],
  connect: () => Promise<Transport>,
): Promise<MountedPlugins> {
  const { word, swarm = process.env.HMS_SWARM ?? 'default' } = scanCommandLine(argv.slice(2));
  let running: string | undefined;
  let subjects: ReturnType<typeof createSubjects>;
  try {
    subjects = createSubjects(swarm);
  } catch {
    return { running: () => undefined, close: async () => {} };
  }
  const taken = new Set(program.commands.map((c) => c.name()));
  let host: PluginHost | undefined;
  let commands: CommandRegistry | undefined;
  const helpWanted = word === undefined || word === 'help';
  for (const { record, dir } of readLocalPlugins(swarm)) {
    if (!record.enabled || taken.has(record.id)) continue;
    const group: PluginGroup = new Command(record.id).description(
      `${record.name} (plugin ${record.id}@${record.version})`,
    );
    group.hmsPlugin = true;
    program.addCommand(group);
    if (word !== record.id && !helpWanted) continue;
    // The plugin host (and with it the runtime) is loaded only for a plugin's own command.
    const runtime = await import('@hms/runtime');
    if (commands === undefined) {
      commands = new runtime.CommandRegistry();
      commands.reserve(taken);
    }
    host ??= runtime.createPluginHost({
      kind: 'cli',
      processId: 'hms-cli',
      subjects,
      transport: connect,
      registry: new runtime.CellRegistry(),
      commands,
      logger: runtime.createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr }),
    });
    try {
      await host.add(await runtime.loadPlugin(dir, { manifestName: `${record.id}/plugin.json` }), {
        config: record.config,
      });
      for (const { command } of commands.of(record.id)) group.addCommand(command);
      group.hook('preAction', () => {
        running = record.id;
      });
    } catch (err) {
      const why = (err as Error).message;
      group
        .argument('[args...]')
        .allowUnknownOption()
        .action(() => {
          throw new CliError(`plugin ${record.id} failed to load: ${why}`);
        });
    }
  }
  return { running: () => running, close: async () => host?.stop() };
}
