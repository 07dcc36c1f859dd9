import type { Alert } from '@hms/runtime';
import { createControlClient } from '@hms/runtime/client';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { connectCli, globalOptions, withConnection } from '../global-options.js';
import { formatMetricsHistory } from '../metrics-history.js';
import { formatJson, formatTable } from '../output.js';

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  return n;
}

/** An anomaly's figures, e.g. `cell echo-1 latencyMs 210 (baseline 1.2, score 95.3)`. */
function anomalyText(b: Record<string, unknown>): string {
  return `${b.kind} ${b.id} ${b.metric} ${b.value} (baseline ${b.baseline}, score ${b.score})`;
}

function alertLine(a: Alert): string {
  const reason =
    typeof a.body.reason === 'string' ? a.body.reason : a.type === 'anomaly.detected' ? anomalyText(a.body) : '';
  const error = typeof a.body.error === 'string' ? ` (${a.body.error})` : '';
  return `${new Date(a.at).toISOString()}  #${a.seq}  ${a.type}  cell ${a.cell} on ${a.from}: ${reason}${error}`;
}

/** Resolves on Ctrl-C or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** `hms monitor health|metrics|alerts [--follow]`. */
export function createMonitorCommand({ output }: CommandDeps): Command {
  const monitor = new Command('monitor').description('watch the health, metrics and alerts of the swarm');

  monitor
    .command('alerts')
    .description('alerts kept in the swarm alerts stream (escalated cells, anomalies, …), oldest first')
    .option('--limit <n>', 'how many of the latest alerts', parseLimit, 100)
    .option('--follow', 'keep printing new alerts until Ctrl-C', false)
    .action(async (opts: { limit: number; follow: boolean }, command: Command) => {
      const g = globalOptions(command);
      // The event log (JetStream) and the console presence load for this command only.
      const [{ ALERT_LOG, createSilentLogger, EventLog }, { joinAsConsole }] = await Promise.all([
        import('@hms/runtime'),
        import('../console-presence.js'),
      ]);
      const transport = await connectCli(g);
      try {
        const log = await EventLog.open(transport, g.swarm, ALERT_LOG, createSilentLogger());
        // Live alerts come twice, pushed to this console by the leader and from the stream (which
        // also has those raised while no node led): each is printed once, by its stream sequence.
        const printed = new Set<number>();
        const print = (a: Alert) => {
          if (printed.has(a.seq)) return;
          printed.add(a.seq);
          output.out(g.json ? formatJson(a, true) : alertLine(a));
        };
        const presence = opts.follow
          ? joinAsConsole(transport, g.swarm, 'monitor alerts --follow', { onAlert: print })
          : undefined;
        const stop = opts.follow ? await log.follow(print) : undefined;
        const recent = await log.recent(opts.limit);
        if (!opts.follow && recent.length === 0 && !g.json) output.out('no alerts');
        if (g.json && !opts.follow) output.out(formatJson(recent));
        else for (const a of recent) print(a);
        if (presence) {
          await untilStopped();
          stop?.();
          await presence.leave();
        }
      } finally {
        await transport.close();
      }
    });

  monitor
    .command('health')
    .description('every node (alive or suspect, phi, event-loop lag) and every cell that is not running')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const { nodes, agents } = await withConnection(g, async (t) => {
        const control = createControlClient(t, g.swarm);
        return { nodes: await control.listNodes(), agents: await control.listAgents() };
      });
      const troubled = agents.filter((a) => a.status !== 'running');
      if (g.json) {
        output.out(formatJson({ nodes, troubled }));
        return;
      }
      output.out(
        nodes.length
          ? formatTable(nodes, ['node', 'status', 'phi', 'cells', 'eventLoopLagMs', 'malformed'])
          : 'no nodes',
      );
      output.out(
        troubled.length
          ? `\n${formatTable(troubled, ['id', 'type', 'node', 'status', 'restarts', 'errors'])}`
          : `\nall ${agents.length} cells running`,
      );
    });

  monitor
    .command('metrics')
    .description('per-cell counters now, or with --history the per-node samples of the metrics-collector')
    .option('--history', 'the latest samples from the metrics history stream (per node, and the busiest cells)', false)
    .option('--cell <id>', 'only this cell, in the samples where it was among the busiest (with --history)')
    .option('--limit <n>', 'how many samples (with --history)', parseLimit, 12)
    .action(async (opts: { history: boolean; cell?: string; limit: number }, command: Command) => {
      const g = globalOptions(command);
      if (opts.history) {
        const query = { limit: opts.limit, ...(opts.cell ? { cell: opts.cell } : {}) };
        const samples = await withConnection(g, (t) => createControlClient(t, g.swarm).queryMetrics(query));
        if (g.json) {
          output.out(formatJson(samples));
          return;
        }
        output.out(formatMetricsHistory(samples, opts.cell));
        return;
      }
      const agents = await withConnection(g, (t) => createControlClient(t, g.swarm).listAgents());
      if (g.json) {
        output.out(
          formatJson(
            agents.map(({ id, type, node, handled, errors, mailbox, restarts }) => ({
              id,
              type,
              node,
              handled,
              errors,
              mailbox,
              restarts,
            })),
          ),
        );
      } else {
        output.out(
          agents.length
            ? formatTable(agents, ['id', 'type', 'node', 'handled', 'errors', 'mailbox', 'restarts'])
            : 'no cells',
        );
      }
    });

  return monitor;
}
