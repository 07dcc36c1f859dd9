import { CommandRegistry, HmsError, type Transport } from '@hms/runtime';
import { Command, CommanderError } from 'commander';
import type { CommandDeps } from './command-deps.js';
import { createDecodeCommand } from './commands/decode.js';
import { createDownCommand } from './commands/down.js';
import { createNodeCommand } from './commands/node.js';
import { createPluginCommand } from './commands/plugin.js';
import { createSecurityCommand } from './commands/security.js';
import { createServiceCommand } from './commands/service.js';
import { createSubCommand } from './commands/sub.js';
import { createUpCommand } from './commands/up.js';
import { CliError, EXIT } from './errors.js';
import { addGlobalOptions, connectCli, globalOptions } from './global-options.js';
import { type Output, processOutput } from './output.js';
import { actionName, permissionDeniedLine } from './permission-denied.js';
import { builtinCommandPlugins, CORE_COMMANDS } from './plugins/builtin-command-plugins.js';
import { mountPluginCommands } from './plugins/mount-plugin-commands.js';

export { CliError, EXIT, UsageError } from './errors.js';

/** Assembles the `hms` program. */
export function createProgram(deps: CommandDeps): Command {
  const program = new Command('hms')
    .description('HMS: launch, watch and control a swarm of XState cells on NATS')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => deps.output.out(s.trimEnd()), writeErr: (s) => deps.output.err(s.trimEnd()) });
  addGlobalOptions(program);
  const core = [
    createUpCommand,
    createDownCommand,
    createNodeCommand,
    createPluginCommand,
    createServiceCommand,
    createSecurityCommand,
    createSubCommand,
    createDecodeCommand,
  ].map((create) => create(deps));
  const commands = new CommandRegistry();
  commands.reserve(CORE_COMMANDS);
  for (const plugin of builtinCommandPlugins(deps)) commands.mount(plugin.id, plugin.getCommands(), { builtin: true });
  for (const command of [...core.slice(0, 3), ...commands.list().map((m) => m.command), ...core.slice(3)]) {
    program.addCommand(command);
  }
  return program;
}

/**
 * Runs `hms` with `argv` and returns the exit code. The only place that turns errors into exit
 * codes: usage errors 2, unreachable NATS 3, other failures 1, each as one line on stderr.
 */
export async function run(argv: string[], output: Output = processOutput): Promise<number> {
  const program = createProgram({ output });
  // Plugins' commands get one connection, opened on first use and closed when the run ends.
  let connection: Promise<Transport> | undefined;
  const plugins = await mountPluginCommands(program, argv, () => {
    connection ??= connectCli(globalOptions(program));
    return connection;
  });
  applyExitOverride(program);
  let action: string | undefined;
  program.hook('preAction', (_root, actionCommand) => {
    action = actionName(actionCommand);
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
    const denied = permissionDeniedLine(err, program, action);
    if (denied !== undefined) {
      output.err(`hms: ${denied}`);
      return EXIT.failed;
    }
    if (err instanceof CommanderError) {
      // commander has printed its one-line message already
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      output.err(`hms: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof HmsError) {
      output.err(`hms: ${err.message}`);
      return EXIT.failed;
    }
    output.err(`hms: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
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
