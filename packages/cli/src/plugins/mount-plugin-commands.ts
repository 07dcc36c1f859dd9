import {
  CellRegistry,
  CommandRegistry,
  createLogger,
  createPluginHost,
  createSubjects,
  loadPlugin,
  type PluginHost,
  type Transport,
} from '@hms/runtime';
import { Command } from 'commander';
import { CliError } from '../errors.js';
import { readLocalPlugins } from './local-plugins.js';

/** Global options that take a value (skipped when looking for the command in argv). */
const VALUED = new Set(['--nats', '--swarm', '--creds', '--tls-ca', '--tls-cert', '--tls-key', '--codec']);

/** The first command word of `args` (argv without node and script), and the --swarm given. */
function scan(args: string[]): { word: string | undefined; swarm: string | undefined } {
  let swarm: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('--swarm=')) swarm = a.slice('--swarm='.length);
    else if (VALUED.has(a)) {
      if (a === '--swarm') swarm = args[i + 1];
      i++;
    } else if (!a.startsWith('-')) return { word: a, swarm };
  }
  return { word: undefined, swarm };
}

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
  const { word, swarm = process.env.HMS_SWARM ?? 'default' } = scan(argv.slice(2));
  let running: string | undefined;
  let subjects: ReturnType<typeof createSubjects>;
  try {
    subjects = createSubjects(swarm);
  } catch {
    return { running: () => undefined, close: async () => {} };
  }
  const taken = new Set(program.commands.map((c) => c.name()));
  const commands = new CommandRegistry();
  commands.reserve(taken);
  let host: PluginHost | undefined;
  const helpWanted = word === undefined || word === 'help';
  for (const { record, dir } of readLocalPlugins(swarm)) {
    if (!record.enabled || taken.has(record.id)) continue;
    const group: PluginGroup = new Command(record.id).description(
      `${record.name} (plugin ${record.id}@${record.version})`,
    );
    group.hmsPlugin = true;
    program.addCommand(group);
    if (word !== record.id && !helpWanted) continue;
    host ??= createPluginHost({
      kind: 'cli',
      processId: 'hms-cli',
      subjects,
      transport: connect,
      registry: new CellRegistry(),
      commands,
      logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr }),
    });
    try {
      await host.add(await loadPlugin(dir, { manifestName: `${record.id}/plugin.json` }), { config: record.config });
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
