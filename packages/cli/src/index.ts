import type { Transport } from '@hms/runtime/client';
import { HmsError } from '@hms/runtime/errors';
import { Command, CommanderError, Help } from 'commander';
import type { CommandDeps } from './command-deps.js';
import { commandsNamed } from './command-line-scan.js';
import { COMMAND_MANIFEST, CORE_COMMANDS, type CommandEntry } from './command-manifest.js';
import { CliError, EXIT } from './errors.js';
import { addGlobalOptions, connectCli, globalOptions } from './global-options.js';
import { mountPluginCommands } from './plugins/mount-plugin-commands.js';
import { type Output, processOutput } from './process-output.js';

export { COMMAND_MANIFEST, type CommandEntry } from './command-manifest.js';
export { CliError, EXIT, UsageError } from './errors.js';

/**
 * A command of the manifest that is not built for this run: listed by help with its term and
 * description, found by commander when suggesting a mistyped name. Never run: the command named
 * on the command line is always built.
 */
function listedOnly(entry: CommandEntry): Command {
  return new Command(entry.name)
    .description(entry.description)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(`internal: command ${entry.name} was not loaded`);
    });
}

/**
 * Assembles the `hms` program. Commands named in `load` (default: all) are built — their modules
 * imported — and the others only listed from the manifest, so a command loads what it uses.
 */
export async function createProgram(deps: CommandDeps, load: readonly string[] | 'all' = 'all'): Promise<Command> {
  const listed = new Map<Command, string>();
  const program = new Command('hms')
    .description('HMS: launch, watch and control a swarm of XState cells on NATS')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => deps.output.out(s.trimEnd()), writeErr: (s) => deps.output.err(s.trimEnd()) })
    .configureHelp({
      subcommandTerm(this: Help, cmd: Command) {
        return listed.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    });
  addGlobalOptions(program);
  const wanted = (entry: CommandEntry) => load === 'all' || load.includes(entry.name);
  const built = await Promise.all(
    COMMAND_MANIFEST.map(async (entry) => (wanted(entry) ? (await entry.load())(deps) : undefined)),
  );
  // The CLI's command groups are built-in plugins: mounted through the same command registry as
  // users' plugins, at the top level (`hms agent …`), so their names are reserved.
  const registry = built.some((c) => c !== undefined)
    ? new (await import('@hms/runtime/client')).CommandRegistry()
    : undefined;
  registry?.reserve(CORE_COMMANDS);
  COMMAND_MANIFEST.forEach((entry, i) => {
    const command = built[i];
    if (command === undefined) {
      const stub = listedOnly(entry);
      listed.set(stub, entry.term);
      program.addCommand(stub);
      return;
    }
    if (entry.plugin !== undefined) registry?.mount(entry.plugin, [command], { builtin: true });
    program.addCommand(command);
  });
  return program;
}

/**
 * Runs `hms` with `argv` and returns the exit code. The only place that turns errors into exit
 * codes: usage errors 2, unreachable NATS 3, other failures 1, each as one line on stderr.
 */
export async function run(argv: string[], output: Output = processOutput): Promise<number> {
  const program = await createProgram({ output }, commandsNamed(argv.slice(2)));
  // Plugins' commands get one connection, opened on first use and closed when the run ends.
  let connection: Promise<Transport> | undefined;
  const plugins = await mountPluginCommands(program, argv, () => {
    connection ??= connectCli(globalOptions(program));
    return connection;
  });
  applyExitOverride(program);
  let action: Command | undefined;
  program.hook('preAction', (_root, actionCommand) => {
    action = actionCommand;
  });
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    const plugin = plugins.running();
    if (plugin !== undefined && !(err instanceof CommanderError) && !(err instanceof CliError)) {
      output.err(`hms: plugin ${plugin}: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    }
    if (err instanceof CommanderError) {
      // commander has printed its one-line message already
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // Loaded only on failure: it reads the NATS client's errors.
    const { actionName, permissionDeniedLine } = await import('./permission-denied.js');
    const denied = permissionDeniedLine(err, program, action && actionName(action));
    if (denied !== undefined) {
      output.err(`hms: ${denied}`);
      return EXIT.failed;
    }
    if (err instanceof CliError) {
      output.err(`hms: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof HmsError) {
      output.err(`hms: ${err.message}`);
      return EXIT.failed;
    }
    // (Some errors of the NATS client carry an empty stack.)
    output.err(`hms: unexpected error: ${err instanceof Error ? err.stack || err.message : String(err)}`);
    return EXIT.failed;
  } finally {
    await plugins.close();
    await connection?.then((t) => t.close()).catch(() => {});
  }
}

function applyExitOverride(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) applyExitOverride(sub);
}
