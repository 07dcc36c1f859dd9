import { CONFIG_SCHEMA, createControlClient, ValidationError, validateChanges } from '@hms/runtime/client';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
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
          `configuration version ${status.configVersion}${status.configVersion === 0 ? ' (defaults)' : ''}:`,
          formatTable(
            Object.entries(status.config).map(([key, value]) => ({
              key,
              value,
              description: CONFIG_SCHEMA[key as keyof typeof CONFIG_SCHEMA]?.description ?? '',
            })),
            ['key', 'value', 'description'],
          ),
        ].join('\n'),
      );
    });

  system
    .command('configure')
    .description('change settings live on every node (validated first; see hms system status for keys)')
    .option('--set <key=value>', 'a setting to change (repeatable)', collectSetting, {})
    .action(async (opts: { set: Record<string, string> }, command: Command) => {
      const g = globalOptions(command);
      if (Object.keys(opts.set).length === 0) throw new UsageError('nothing to change: pass --set key=value');
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
