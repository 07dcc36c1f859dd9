import type { HealingAction, RecoveryManagerContext } from '@hms/agents';
import { createControlClient, ValidationError, validateChanges } from '@hms/runtime/client';
import { Command } from 'commander';
import { parseCellId } from '../cell-id-argument.js';
import type { CommandDeps } from '../command-deps.js';
import { rethrowNotFound, UsageError } from '../errors.js';
import { globalOptions, withConnection } from '../global-options.js';
import { formatJson, formatTable } from '../output.js';

/** What the recovery-manager answers (its reply to a status request). */
interface HealStatus {
  totals: RecoveryManagerContext['totals'];
  byCell: RecoveryManagerContext['byCell'];
  recent: HealingAction[];
}

/** The `hms heal configure` options and the swarm settings they set. */
const HEAL_SETTINGS = {
  maxRestarts: 'supervision.maxRestarts',
  periodMs: 'supervision.periodMs',
  backoffBaseMs: 'supervision.backoffBaseMs',
  backoffMaxMs: 'supervision.backoffMaxMs',
} as const;

/** `hms heal status|trigger <cellId>|configure`: self-healing, seen and steered. */
export function createHealCommand({ output }: CommandDeps): Command {
  const heal = new Command('heal').description('healing actions: history, manual restarts, restart strategy');

  heal
    .command('status')
    .description("the recovery-manager's record: actions by kind and by cell, and the latest ones")
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const status = (await withConnection(g, (t) => createControlClient(t, g.swarm).healStatus()).catch(
        rethrowNotFound,
      )) as HealStatus;
      if (g.json) {
        output.out(formatJson(status));
        return;
      }
      const totals = Object.entries(status.totals)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
      output.out(`healing actions: ${totals || 'none yet'}`);
      const cells = Object.entries(status.byCell).map(([cell, c]) => ({ cell, ...c }));
      if (cells.length) output.out(`\n${formatTable(cells, ['cell', 'actions', 'failed', 'escalations', 'last'])}`);
      if (status.recent.length) {
        const rows = status.recent.map((a) => ({ ...a, at: new Date(a.at).toISOString() }));
        output.out(`\n${formatTable(rows, ['at', 'cell', 'node', 'action', 'outcome', 'durationMs', 'why'])}`);
      }
    });

  heal
    .command('trigger')
    .description('restart a cell on its node from its saved state (also one that was given up on)')
    .argument('<cellId>', 'cell id', parseCellId)
    .action(async (id: string, _opts, command: Command) => {
      const g = globalOptions(command);
      const result = await withConnection(g, (t) => createControlClient(t, g.swarm).triggerHeal(id)).catch(
        rethrowNotFound,
      );
      output.out(
        g.json
          ? formatJson(result)
          : `${id}: ${String(result.action)} ${String(result.outcome)} in ${String(result.durationMs)} ms`,
      );
    });

  const configure = heal
    .command('configure')
    .description('the restart strategy of every node, live (the supervision.* settings)');
  for (const [option, key] of Object.entries(HEAL_SETTINGS)) {
    configure.option(`--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} <n>`, `sets ${key}`);
  }
  configure.action(async (opts: Record<string, string | undefined>, command: Command) => {
    const g = globalOptions(command);
    const set = Object.fromEntries(
      Object.entries(HEAL_SETTINGS).flatMap(([option, key]) =>
        opts[option] === undefined ? [] : [[key, opts[option]]],
      ),
    );
    if (Object.keys(set).length === 0) throw new UsageError('nothing to change: pass e.g. --max-restarts 3');
    try {
      validateChanges(set);
    } catch (err) {
      if (err instanceof ValidationError) throw new UsageError(`refused: ${err.message}`);
      throw err;
    }
    const result = await withConnection(g, (t) => createControlClient(t, g.swarm).configure(set));
    output.out(
      g.json
        ? formatJson(result)
        : `configuration version ${result.version}: ${Object.entries(set)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
    );
  });

  return heal;
}
