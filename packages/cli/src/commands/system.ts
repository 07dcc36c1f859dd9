import { createControlClient, DEFAULT_VALUE, ValidationError, validateChanges } from '@hms/runtime/client';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { formatConfigTable } from '../config-table.js';
import { CliError, UsageError } from '../errors.js';
import { globalOptions, withConnection } from '../global-options.js';
import { withDrainStatus } from '../node-drain.js';
import { formatJson, formatTable } from '../output.js';

function collectSetting(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new InvalidArgumentError(`expected key=value, e.g. health.heartbeatMs=500 (got ${JSON.stringify(value)})`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function collectKey(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The heading of the configuration listing. */
function configHeading(version: number): string {
  return `configuration version ${version}${version === 0 ? ' (defaults)' : ''}:`;
}

/** `hms system status|configure|reset`: the swarm configuration and a summary of the swarm. */
export function createSystemCommand({ output }: CommandDeps): Command {
  const system = new Command('system').description('swarm status and live configuration');

  system
    .command('status')
    .description('configuration version and values, nodes, and cells by status')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const status = await withConnection(g, (t) => createControlClient(t, g.swarm).systemStatus());
      if (g.json) {
        output.out(formatJson(status));
        return;
      }
      output.out(
        [
          `swarm ${status.swarm}: leader ${status.leader ?? '(none)'} in term ${status.term}; ${status.nodes.length} nodes, ${status.cells.total} cells (${
            Object.entries(status.cells.byStatus)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ') || 'none'
          })`,
          `voting members: ${status.members.join(', ') || '(none)'}`,
          ...(status.rebalance
            ? [
                `rebalancing: ${status.rebalance.moved} moved, ${status.rebalance.inFlight} in handoff, ${status.rebalance.remaining} to go`,
              ]
            : []),
          '',
          status.nodes.length
            ? formatTable(withDrainStatus(status.nodes), [
                'node',
                'status',
                'role',
                'term',
                'cells',
                'capacity',
                'version',
                'configVersion',
                'intervalMs',
              ])
            : 'no nodes',
          '',
          status.consoles?.length
            ? `connected consoles:\n${formatTable(
                status.consoles.map((c) => ({
                  console: c.id,
                  command: c.command,
                  since: new Date(c.startedAt).toISOString(),
                })),
                ['console', 'command', 'since'],
              )}`
            : 'connected consoles: none',
          '',
          configHeading(status.configVersion),
          formatConfigTable(status.config, status.scoped),
        ].join('\n'),
      );
    });

  system
    .command('config')
    .description('the live configuration: every setting, with its scoped values (per cell type, per edge) under it')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const status = await withConnection(g, (t) => createControlClient(t, g.swarm).systemStatus());
      const scoped = status.scoped ?? {};
      if (g.json) output.out(formatJson({ version: status.configVersion, config: status.config, scoped }));
      else output.out([configHeading(status.configVersion), formatConfigTable(status.config, scoped)].join('\n'));
    });

  system
    .command('configure')
    .argument('[settings...]', 'key=value settings to change (the same as --set)')
    .description(
      'change settings live on every node (validated first; see hms system config for keys). A key may be scoped: ' +
        'supervision.maxRestarts@type:<T>, request.timeoutMs@to:<T>, request.timeoutMs@edge:<caller>:<callee>',
    )
    .option(
      '--set <key=value>',
      'a setting to change (repeatable); key=default removes a scoped value',
      collectSetting,
      {},
    )
    .option('--unset <key>', 'remove a scoped value, or put a setting back to its default (repeatable)', collectKey, [])
    .action(async (settings: string[], opts: { set: Record<string, string>; unset: string[] }, command: Command) => {
      const g = globalOptions(command);
      for (const setting of settings) {
        try {
          opts.set = collectSetting(setting, opts.set);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      for (const key of opts.unset) opts.set[key] = DEFAULT_VALUE;
      if (Object.keys(opts.set).length === 0)
        throw new UsageError('nothing to change: pass key=value (or --set key=value, --unset key)');
      try {
        validateChanges(opts.set);
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError(`refused: ${err.message}`);
        throw err;
      }
      const result = await withConnection(g, (t) => createControlClient(t, g.swarm).configure(opts.set)).catch(
        (err: unknown) => {
          if (err instanceof ValidationError) throw new CliError(`refused: ${err.message}`);
          throw err;
        },
      );
      if (g.json) output.out(formatJson(result));
      else
        output.out(
          `configuration version ${result.version}: ${Object.entries(opts.set)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
    });

  system
    .command('reset')
    .description('put every setting back to its default (needs --yes)')
    .option('--yes', 'really reset', false)
    .action(async (opts: { yes: boolean }, command: Command) => {
      const g = globalOptions(command);
      if (!opts.yes) throw new UsageError('system reset changes the live swarm: add --yes to confirm');
      const result = await withConnection(g, (t) => createControlClient(t, g.swarm).resetConfig());
      output.out(g.json ? formatJson(result) : `configuration version ${result.version}: defaults`);
    });

  return system;
}
