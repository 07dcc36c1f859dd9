import { createSubjects, HmsError } from '@hms/runtime';
import { Command } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { joinAsConsole } from '../console-presence.js';
import { CliError } from '../errors.js';
import { connectCli, globalOptions } from '../global-options.js';
import { formatJson } from '../output.js';

/** `hms sub <subject>`: every message on a subject as one JSON line, headers and decoded body. */
export function createSubCommand({ output }: CommandDeps): Command {
  return new Command('sub')
    .description("print messages on <subject> as JSON lines (e.g. 'hms.default.>')")
    .argument('[subject]', 'subject, wildcards allowed (default: the whole swarm)')
    .option('--count <n>', 'exit after n messages', (v) => Number.parseInt(v, 10))
    .action(async (subject: string | undefined, opts: { count?: number }, command: Command) => {
      const g = globalOptions(command);
      const transport = await connectCli(g);
      const target = subject ?? createSubjects(g.swarm).all();
      const presence = joinAsConsole(transport, g.swarm, `sub ${target}`);
      let seen = 0;
      let refused: Error | undefined;
      await new Promise<void>((resolve) => {
        const stop = transport.tap(
          target,
          (view) => {
            // Its own console heartbeats are not what the user is watching.
            if (view.from === presence.id) return;
            output.out(formatJson(view, true));
            seen++;
            if (opts.count !== undefined && seen >= opts.count) {
              stop();
              resolve();
            }
          },
          (err) => {
            refused = err;
            resolve();
          },
        );
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
        void transport.closed().then(() => resolve());
      });
      await presence.leave();
      await transport.close();
      if (refused instanceof HmsError) throw refused;
      if (refused) throw new CliError(`the subscription to ${target} ended: ${refused.message}`);
    });
}
